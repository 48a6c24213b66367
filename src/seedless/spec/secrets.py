"""Secrets kept out of text: URL credentials masked, known secret values replaced, before it is shown or stored."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel

MASK = "***"
# Header and query-parameter names whose values are credentials (Authorization, api-key, X-Api-Key, access_token...).
_SENSITIVE = re.compile(r"auth|key|token|secret|passw|cookie|signature|credential|session", re.I)
# scheme://user[:password]@ inside any text (an error body, a log line, a setting).
_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.\-]*://)(?P<user>[^\s/@:?#]*)(?::(?P<password>[^\s/@?#]*))?@",
                       re.I)
_QUERY_VALUE = re.compile(r"(?P<name>[?&][^=&#\s]+)=(?P<value>[^&#\s]*)")


def sensitive_name(name: str) -> bool:
    """Whether a header or query parameter of this name carries a credential."""
    return bool(_SENSITIVE.search(name))


def _mask_userinfo(match: re.Match[str]) -> str:
    if match.group("password") is not None:  # user:password@ -> user:***@
        return f"{match.group('scheme')}{match.group('user')}:{MASK}@"
    return f"{match.group('scheme')}{MASK}@"  # a lone user name is usually a token (https://TOKEN@host)


def _mask_query(match: re.Match[str]) -> str:
    if sensitive_name(match.group("name")[1:]):
        return f"{match.group('name')}={MASK}"
    return match.group(0)


def mask_urls(text: str) -> str:
    """`text` with the credentials of every URL in it masked: userinfo, and query values such as `key=`."""
    if "://" not in text:
        return text
    text = _USERINFO.sub(_mask_userinfo, text)
    return _QUERY_VALUE.sub(_mask_query, text) if "=" in text else text


def redacted_url(url: str) -> str:
    """`url` as it may be shown or written: `http://user:KEY@host/v1?key=K` -> `http://user:***@host/v1?key=***`."""
    return mask_urls(url)


def url_credentials(url: str) -> tuple[str, str] | None:
    """The (user, password) written in a URL's userinfo, percent-decoded; None when it has none."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return None
    return unquote(parts.username or ""), unquote(parts.password or "")


def without_credentials(url: str) -> str:
    """`url` with its userinfo removed (the credentials travel in a header instead)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def url_query_secrets(url: str) -> list[str]:
    """The values of a URL's sensitive query parameters."""
    return [value for name, value in parse_qsl(urlsplit(url).query) if sensitive_name(name) and value]


class Redactor:
    """Replaces every known secret value (also percent- and form-encoded) with ***, then masks the URL
    credentials it does not know; `redactor(text)` is safe to show, store or log."""

    def __init__(self, secrets: Iterable[str] = ()):
        values: set[str] = set()
        for secret in secrets:
            if secret:
                values.update({secret, quote(secret, safe=""), urlencode({"": secret})[1:]})
        self.secrets = tuple(sorted(values, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return mask_urls(text)


def _endpoint(data: Any) -> Any:
    if not isinstance(data, dict):
        return masked(data)
    out = {}
    for key, value in data.items():
        if key in ("headers", "query") and isinstance(value, dict):  # a credential's value masked, its name kept
            out[key] = {name: MASK if sensitive_name(str(name)) else masked(v) for name, v in value.items()}
        else:
            out[key] = masked(value)
    return out


def masked(data: Any) -> Any:
    """JSON-like data (a settings dump) with the credentials of every URL in it masked, and in each entry of an
    `endpoints` mapping the values of credential-named `headers` and `query` entries."""
    if isinstance(data, str):
        return mask_urls(data)
    if isinstance(data, list):
        return [masked(item) for item in data]
    if isinstance(data, dict):
        return {name: {n: _endpoint(e) for n, e in value.items()} if name == "endpoints" and isinstance(value, dict)
                else masked(value) for name, value in data.items()}
    return data


def public_dump(model: BaseModel, **dump: Any) -> dict[str, Any]:
    """`model.model_dump(mode="json", **dump)` with every credential masked: what a written snapshot may hold."""
    return masked(model.model_dump(mode="json", **dump))
