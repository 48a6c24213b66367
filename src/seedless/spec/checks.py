"""Cross-field checks of a raw spec mapping that field types alone cannot express; tolerant of bad types."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import jsonschema

Loc = tuple[str | int, ...]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def cross_check(data: dict[str, Any], clients: Collection[str] = ()) -> list[tuple[Loc, str]]:
    """Return (location, message) for every cross-field problem found. `clients`: endpoint names supplied as
    clients (the Python API's), which need no declared endpoint; none for the CLI."""
    problems: list[tuple[Loc, str]] = []
    models = _mapping(data.get("models"))
    endpoints = models.get("endpoints")
    names = set(endpoints) if isinstance(endpoints, dict) else {"embedded"}
    names |= set(clients)
    default = models.get("default", "embedded")
    if isinstance(default, str) and default not in names:
        problems.append((("models", "default"), f"names no endpoint (known: {', '.join(sorted(names))})"))
    for role, settings in _mapping(models.get("roles")).items():
        endpoint = _mapping(settings).get("endpoint")
        if isinstance(endpoint, str) and endpoint not in names:
            problems.append((("models", "roles", role, "endpoint"), f"names no endpoint '{endpoint}'"))

    taxonomy = _mapping(data.get("taxonomy"))
    lo, hi = taxonomy.get("min_children", 2), taxonomy.get("max_children", 6)
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        problems.append((("taxonomy", "min_children"), f"is larger than max_children ({lo} > {hi})"))

    factors = data.get("factors")
    if isinstance(factors, list):
        seen: set[str] = set()
        for i, factor in enumerate(factors):
            name = _mapping(factor).get("name")
            if isinstance(name, str):
                key = " ".join(name.split()).casefold()  # the taxonomy's notion of one name
                if key in seen:
                    problems.append((("factors", i, "name"), f"duplicate factor name '{name}'"))
                seen.add(key)

    output = _mapping(data.get("output"))
    kind = output.get("kind", "text")
    fields = output.get("fields")
    field_names = [_mapping(f).get("name") for f in fields] if isinstance(fields, list) else []
    if kind == "fields" and not field_names:
        problems.append((("output", "kind"), "kind 'fields' needs a non-empty output.fields list"))
    if kind == "json_schema" and not isinstance(output.get("json_schema"), dict):
        problems.append((("output", "kind"), "kind 'json_schema' needs an output.json_schema object"))
    elif isinstance(output.get("json_schema"), dict):
        try:
            jsonschema.Draft202012Validator.check_schema(output["json_schema"])
        except jsonschema.SchemaError as exc:
            where = ("output", "json_schema", *[str(p) for p in exc.path])
            problems.append((where, f"not a valid JSON Schema: {exc.message[:200]}"))
    answer = output.get("answer_field")
    if isinstance(answer, str):
        if kind == "text":
            problems.append((("output", "answer_field"), "free text has no fields; use kind 'fields' or 'json_schema'"))
        elif kind == "fields" and field_names and answer not in field_names:
            problems.append((("output", "answer_field"), f"'{answer}' is not one of the fields"))
        elif kind == "json_schema":
            props = _mapping(_mapping(output.get("json_schema")).get("properties"))
            if props and answer not in props:
                problems.append((("output", "answer_field"), f"'{answer}' is not a property of json_schema"))
    return problems
