"""One OpenAI-compatible server on the wire: headers, query, proxies from the environment, one request (a JSON POST, a
file upload, a GET) with its status sorted into retry / fatal / error, the /models health check, every message redacted of secrets (one try: the retry
loop is engine/llm/transport/dispatch.py)."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import json
import os
import socket
import ssl
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import aiohttp

from seedless.engine.llm.clients.base import FatalModelError, ModelError, Transient
from seedless.engine.llm.clients.retry import RETRYABLE_STATUS, parse_retry_after
from seedless.spec.secrets import (
    Redactor,
    redacted_url,
    sensitive_name,
    url_credentials,
    url_query_secrets,
    without_credentials,
)

Sleep = Callable[[float], Awaitable[None]]
RetryHook = Callable[[str, float], None]  # (reason, delay) -> None
RATE_LIMIT_STATUS = frozenset({429, 503, 529})  # the server asks for less: the controller backs off
FATAL_STATUS = frozenset({401, 403, 404})  # the endpoint refuses every call: stop instead of retrying
CHECK_CONNECT_S = 5.0  # the health check: a connection within this long, else the server is not there
CHECK_TOTAL_S = 10.0  # ... and the listing within this long, else the check is inconclusive (the calls will tell)
LISTED = 12  # served model names shown in a "not served" message


class NotFound(FatalModelError):
    """HTTP 404: a wrong base URL or model, or (a batch's status or file) an id the server does not know."""


def _env(variable: str, setting: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise FatalModelError(f"the environment variable {variable} ({setting}) is not set")
    return value


def connect_problem(exc: aiohttp.ClientConnectorError) -> str:
    """Why no connection was made, in a few words (refused, unknown host, TLS, proxy)."""
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        return f"cannot connect to the proxy {exc.host}:{exc.port}"
    if isinstance(exc.os_error, socket.gaierror):
        return f"cannot resolve the host {exc.host}"
    if isinstance(exc, aiohttp.ClientSSLError) or isinstance(exc.os_error, ssl.SSLError):
        return f"TLS failure with {exc.host}: {exc.os_error}"
    if isinstance(exc.os_error, ConnectionRefusedError):
        return "connection refused"
    return f"cannot connect: {exc.strerror or exc}"


def _tokens(value: str) -> list[str]:
    """The parts of a header value that may be echoed alone (`Bearer KEY` -> KEY), not its short scheme words."""
    return [part for part in value.split() if len(part) >= 8]


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serves(listed: list[str], model: str) -> bool:
    """Whether a /models listing serves `model`: by its id, Ollama's default `:latest` tag, or an OpenRouter
    variant suffix (`:nitro`, `:floor`, `:online`) of a listed id."""
    return model in listed or f"{model}:latest" in listed or (":" in model and model.rsplit(":", 1)[0] in listed)


class Wire:
    """What every request to one server carries: the API root (credentials taken out of the URL), the headers (the
    bearer key from `api_key_env`, Basic credentials from the URL, `headers`, `headers_env` read from the
    environment), the query parameters, and the redactor that keeps all their secrets out of every message."""

    def __init__(self, base_url: str, *, api_key_env: str | None = None, headers: dict[str, str] | None = None,
                 headers_env: dict[str, str] | None = None, query: dict[str, str] | None = None):
        secrets = url_query_secrets(base_url)
        parts = urlsplit(without_credentials(base_url))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FatalModelError(f"base_url {redacted_url(base_url)!r} is not an http:// or https:// URL")
        self.root = urlunsplit(parts._replace(query="", fragment="")).rstrip("/")
        self.loopback = _is_loopback(parts.hostname)
        self.query = {**dict(parse_qsl(parts.query)), **(query or {})}
        secrets += [v for k, v in self.query.items() if sensitive_name(k)]
        self.headers = {"Content-Type": "application/json"}
        if api_key_env:
            secrets.append(_env(api_key_env, "api_key_env"))
            self.headers["Authorization"] = f"Bearer {secrets[-1]}"
        for name, value in (headers or {}).items():
            self.headers[name] = value
            if sensitive_name(name):
                secrets += [value, *_tokens(value)]
        for name, variable in (headers_env or {}).items():
            self.headers[name] = _env(variable, f"headers_env {name}")
            secrets += [self.headers[name], *_tokens(self.headers[name])]
        credentials = url_credentials(base_url)
        if credentials is not None:
            if any(name.lower() == "authorization" for name in self.headers):
                raise FatalModelError(f"base_url {redacted_url(base_url)} carries credentials and the Authorization "
                                      "header is set as well (api_key_env or headers); keep one")
            token = base64.b64encode(":".join(credentials).encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
            secrets += [token, *(c for c in credentials if c)]
        self.redact = Redactor(secrets)

    def url(self, path: str) -> str:
        """The URL of `path` under the API root (no credentials: they travel in a header)."""
        return self.root + path

    def session(self, limit: int) -> aiohttp.ClientSession:
        """An HTTP session with these headers; HTTPS_PROXY, HTTP_PROXY and NO_PROXY from the environment apply,
        except to a loopback server (the embedded model, a local vLLM): no proxy can reach this machine's."""
        connector = aiohttp.TCPConnector(limit=limit, ttl_dns_cache=300)
        return aiohttp.ClientSession(connector=connector, headers=self.headers, trust_env=not self.loopback)

    async def post(self, session: aiohttp.ClientSession, path: str, body: bytes | aiohttp.MultipartWriter,
                   timeout_s: float) -> bytes:
        """The raw reply body of a 2xx/3xx answer; Transient, FatalModelError or ModelError otherwise, every
        message redacted. A multipart body (a file upload) is sent with its own content type."""
        return await self.send(session, "POST", self.url(path), timeout_s, body)

    async def get(self, session: aiohttp.ClientSession, path: str, timeout_s: float) -> bytes:
        """Like `post`, for a GET of `path` under the API root."""
        return await self.send(session, "GET", self.url(path), timeout_s)

    async def send(self, session: aiohttp.ClientSession, method: str, url: str, timeout_s: float,
                   body: bytes | aiohttp.MultipartWriter | None = None) -> bytes:
        try:
            return await self._send(session, method, url, body, timeout_s)
        except Transient as exc:
            raise Transient(self.redact(exc.reason), exc.retry_after, rate_limited=exc.rate_limited,
                            unreachable=exc.unreachable, said=self.redact(exc.said)) from None
        except ModelError as exc:
            raise type(exc)(self.redact(str(exc))) from None

    async def _send(self, session: aiohttp.ClientSession, method: str, url: str,
                    body: bytes | aiohttp.MultipartWriter | None, timeout_s: float) -> bytes:
        own = {"Content-Type": body.content_type} if isinstance(body, aiohttp.MultipartWriter) else None
        try:
            async with session.request(method, url, params=self.query or None, data=body, headers=own,
                                       timeout=aiohttp.ClientTimeout(total=timeout_s)) as resp:
                raw = await resp.read()
                if resp.status in RETRYABLE_STATUS:
                    raise Transient(f"HTTP {resp.status}", parse_retry_after(resp.headers.get("Retry-After")),
                                    said=" ".join(raw[:200].decode("utf-8", "replace").split()),
                                    rate_limited=resp.status in RATE_LIMIT_STATUS)
                if resp.status >= 400:
                    detail = raw[:300].decode("utf-8", "replace")
                    if resp.status in FATAL_STATUS:
                        hint = " (check base_url and model)" if resp.status == 404 else ""
                        fatal = NotFound if resp.status == 404 else FatalModelError
                        raise fatal(f"{url} answered HTTP {resp.status}{hint}: {detail}")
                    raise ModelError(f"{url} answered HTTP {resp.status}: {detail}")
                return raw
        except asyncio.TimeoutError:
            raise Transient(f"no reply within {timeout_s:g}s") from None
        except aiohttp.ClientConnectorError as exc:
            raise Transient(f"connection error: {connect_problem(exc)} ({self.root})", unreachable=True) from None
        except aiohttp.InvalidURL as exc:
            raise FatalModelError(f"{url} is not a valid URL: {exc}") from None
        except aiohttp.ClientError as exc:
            raise Transient(f"connection error: {type(exc).__name__}: {exc}") from None

    async def check(self, session: aiohttp.ClientSession, model: str | None) -> None:
        """GET {root}/models once. FatalModelError when it proves the server cannot serve `model`: no connection
        (refused, unknown host, TLS, none within CHECK_CONNECT_S), the key refused (401/403), or a listing
        without the model. Anything else (404/405: no listing; 5xx; a slow or odd answer) is inconclusive and
        returns: the first call tells (its 401/404 stops the command at once, nothing spent). `model` None: a listing
        decides nothing (a provider that serves aliases it does not list)."""
        try:
            await self._check(session, model)
        except FatalModelError as exc:
            raise FatalModelError(self.redact(str(exc))) from None

    async def _check(self, session: aiohttp.ClientSession, model: str | None) -> None:
        timeout = aiohttp.ClientTimeout(total=CHECK_TOTAL_S, sock_connect=CHECK_CONNECT_S)
        try:
            async with session.get(self.url("/models"), params=self.query or None, timeout=timeout) as resp:
                status, raw = resp.status, await resp.read()
        except aiohttp.ClientConnectorError as exc:
            problem = connect_problem(exc)
            hint = "; is the server running?" if problem == "connection refused" else "; is base_url right?"
            raise FatalModelError(f"{self.root}: {problem}{hint}") from None
        except aiohttp.ServerTimeoutError:  # only the connect timeout is set: no connection at all
            raise FatalModelError(f"{self.root}: no connection within {CHECK_CONNECT_S:g}s; is the server "
                                  "running?") from None
        except (asyncio.TimeoutError, aiohttp.ClientError):
            return
        if status in (401, 403):
            detail = raw[:300].decode("utf-8", "replace")
            raise FatalModelError(f"{self.root}/models answered HTTP {status}: {detail}: the server refuses the key "
                                  "(check api_key_env or headers_env; a key that may not list models needs "
                                  "health_check: false)")
        listed = _listed(raw) if status == 200 and model is not None else None
        if listed and model is not None and not serves([m for m, _ in listed], model) and {
                o for _, o in listed} != {"llamacpp"}:
            names = [m for m, _ in listed]
            more = f" and {len(names) - LISTED} more" if len(names) > LISTED else ""
            raise FatalModelError(f"model {model!r} is not served at {self.root} (it serves: "
                                  f"{', '.join(names[:LISTED])}{more}); if it accepts any name, set "
                                  "health_check: false")


def _listed(raw: bytes) -> list[tuple[str, str]] | None:
    """(id, owned_by) of each model in an OpenAI /models listing; None when the body is not one."""
    try:
        items = json.loads(raw)["data"]
        return [(str(item["id"]), str(item.get("owned_by") or "")) for item in items]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None

