"""Turn a model's text into a typed reply: find the JSON, coerce common near-misses, validate, explain failures."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import ValidationError

from seedless.core.dataset.output_format import validate_record
from seedless.core.replies import Reply
from seedless.spec.models import OutputFormat

T = TypeVar("T", bound=Reply)
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)


def extract_json(text: str) -> Any:
    """The first JSON value in `text`: whole text, a fenced block, or the first balanced {...} / [...]."""
    candidates = [text.strip()] + [m.strip() for m in _FENCE.findall(text)]
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except ValueError:
            pass
    decoder = json.JSONDecoder()
    for i, ch in enumerate(text):
        if ch in "{[":
            try:
                return decoder.raw_decode(text, i)[0]
            except ValueError:
                continue
    raise ValueError("no JSON value found in the reply")


def _bare(annotation: Any) -> Any:
    """The type inside `Annotated[...]` (constraints aside)."""
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


def _is_str_list(annotation: Any) -> bool:
    annotation = _bare(annotation)
    return get_origin(annotation) is list and tuple(_bare(a) for a in get_args(annotation)) == (str,)


def coerce(data: Any, reply_type: type[Reply]) -> Any:
    """Tolerant fixes before validation: wrap a bare list, drop unknown keys, turn name objects or a
    comma/newline-separated string into a list of strings."""
    if isinstance(data, list) and reply_type.list_field:
        data = {reply_type.list_field: data}
    if not isinstance(data, dict):
        return data
    fields = reply_type.model_fields
    data = {k: v for k, v in data.items() if k in fields}
    for key, info in fields.items():
        value = data.get(key)
        if not _is_str_list(info.annotation):
            continue
        if isinstance(value, str):
            data[key] = [p.strip() for p in re.split(r"[\n,;]+", value) if p.strip()]
        elif isinstance(value, list):
            data[key] = [v.get("name", "") if isinstance(v, dict) else v for v in value]
    return data


def parse_reply(text: str, reply_type: type[T]) -> tuple[T | None, str | None]:
    """(reply, None) or (None, reason)."""
    try:
        data = extract_json(text)
    except ValueError as exc:
        return None, str(exc)
    try:
        return reply_type.model_validate(coerce(data, reply_type)), None
    except ValidationError as exc:
        parts = [f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}" for e in exc.errors()[:3]]
        more = f" (+{exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
        return None, "; ".join(parts) + more


def datapoint_parser(output: OutputFormat) -> Callable[[str], tuple[dict[str, Any] | None, str | None]]:
    """A parser of generated datapoints in `output`'s format (free text may come back as plain text)."""

    def parse(text: str) -> tuple[dict[str, Any] | None, str | None]:
        try:
            data = extract_json(text)
        except ValueError as exc:
            if output.kind == "text" and text.strip():
                return validate_record(output, {"text": text.strip()})
            return None, str(exc)
        return validate_record(output, data)

    return parse
