"""The datapoint format: a bounded JSON schema to send with generation calls, and validation of what comes back."""

from __future__ import annotations

import functools
from typing import Any

import jsonschema

from seedless.spec.models import FieldSpec, OutputFormat

TEXT_FIELD = "text"
MAX_TEXT_CHARS = 4000  # a schema does not stop truncation: every string and list is bounded
MAX_FIELD_CHARS = 2000
MAX_LIST_ITEMS = 12


def _field_schema(field: FieldSpec, checks: bool) -> dict[str, Any]:
    """A field's schema; with `checks`, also what JSON Schema can say of its declared checks (a field that declares
    none gets exactly the schema it had before checks existed)."""
    if field.type == "list":
        low, high = (field.items, field.items) if field.items else (field.min_items, field.max_items)
        room = max(MAX_LIST_ITEMS, high or 0, low or 0)  # never below what the checks allow
        return {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": field.max_chars or 400},
                "minItems": (low or 1) if checks else 1, "maxItems": (high or room) if checks else room}
    schema: dict[str, Any] = {"type": field.type}
    if field.type == "string":
        schema |= {"minLength": 1, "maxLength": field.max_chars or MAX_FIELD_CHARS}
    if checks and field.choices is not None:
        schema["enum"] = list(field.choices)
    if checks and field.type in ("integer", "number"):
        schema |= {k: v for k, v in (("minimum", field.minimum), ("maximum", field.maximum)) if v is not None}
    if checks and field.pattern is not None:
        schema["pattern"] = f"^(?:{field.pattern})$"
    return schema


def record_schema(output: OutputFormat, *, checks: bool = True) -> dict[str, Any]:
    """The JSON schema of one datapoint: free text is wrapped as {"text": ...}; a user's schema is used as is.
    `checks=False` leaves out the fields' declared checks: what a generated datapoint is validated against, so that
    the checks step (not the parser) rejects or repairs a value that breaks them, with their reason."""
    if output.kind == "json_schema" and output.json_schema is not None:
        return output.json_schema
    if output.kind == "fields":
        return {
            "type": "object",
            "properties": {f.name: _field_schema(f, checks) for f in output.fields},
            "required": [f.name for f in output.fields],
            "additionalProperties": False,
        }
    return {
        "type": "object",
        "properties": {TEXT_FIELD: {"type": "string", "minLength": 1, "maxLength": MAX_TEXT_CHARS}},
        "required": [TEXT_FIELD],
        "additionalProperties": False,
    }


def _coerce(output: OutputFormat, data: Any) -> Any:
    """Near-misses small models make: a number as text, one option as a bare string, extra keys, whitespace around a
    string (a question ending "? " is the question ending "?": the checks see the text a dataset would keep)."""
    if not isinstance(data, dict) or output.kind != "fields":
        return data
    fields = {f.name: f for f in output.fields}
    out = {k: v for k, v in data.items() if k in fields}
    for name, field in fields.items():
        value = out.get(name)
        if field.type in ("integer", "number") and isinstance(value, str):
            try:
                number = float(value.replace(",", "").strip())
                out[name] = int(number) if field.type == "integer" and number.is_integer() else number
            except ValueError:
                pass
        elif field.type == "string" and isinstance(value, str):
            out[name] = value.strip()
        elif field.type == "list" and isinstance(value, str):
            out[name] = [value]
    return out


@functools.lru_cache(maxsize=16)
def _validator(output_json: str) -> jsonschema.Draft202012Validator:
    """One compiled validator per output format (building one costs more than validating a datapoint)."""
    return jsonschema.Draft202012Validator(record_schema(OutputFormat.model_validate_json(output_json), checks=False))


def validate_record(output: OutputFormat, data: Any) -> tuple[dict[str, Any] | None, str | None]:
    """(the datapoint, None) or (None, the reasons it does not fit the format, with field paths)."""
    data = _coerce(output, data)
    validator = _validator(output.model_dump_json())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    if errors:
        parts = [f"{'.'.join(str(p) for p in e.path) or 'datapoint'}: {e.message[:200]}" for e in errors[:3]]
        return None, "; ".join(parts) + (f" (+{len(errors) - 3} more)" if len(errors) > 3 else "")
    if not isinstance(data, dict):
        data = {"value": data}
    return data, None


def answer_of(output: OutputFormat, data: dict[str, Any]) -> Any | None:
    """The value of the answer or label field, when the format has one (the double critic needs it)."""
    return data.get(output.answer_field) if output.answer_field else None


def answer_is_numeric(output: OutputFormat) -> bool:
    """Whether the format declares the answer field a number (integer or number)."""
    name = output.answer_field or ""
    if output.kind == "json_schema":
        declared = (output.json_schema or {}).get("properties", {}).get(name, {})
        return isinstance(declared, dict) and declared.get("type") in ("integer", "number")
    return output.kind == "fields" and any(f.name == name and f.type in ("integer", "number") for f in output.fields)


def describe(output: OutputFormat) -> str:
    """The format in words, for prompts."""
    if output.kind == "fields":
        parts = [f"{f.name} ({f.type}{': ' + f.description if f.description else ''})" for f in output.fields]
        return "a JSON object with the fields " + "; ".join(parts)
    if output.kind == "json_schema":
        return "a JSON object that follows the given JSON schema"
    return 'free text, given as {"text": "..."}'
