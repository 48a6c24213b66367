"""Cross-field checks of a raw spec mapping that field types alone cannot express; tolerant of bad types."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Collection
from typing import Any

import jsonschema

from seedless.spec.models import META_PROMPT_FIELD

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
    problems += _field_check_problems(fields if isinstance(fields, list) else [], kind)
    validators = _mapping(data.get("generation")).get("validators")
    for i, path in enumerate(validators if isinstance(validators, list) else []):
        if isinstance(path, str):
            try:
                import_callable(path)
            except ValueError as exc:
                problems.append((("generation", "validators", i), str(exc)))
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
    problems += _chat_problems(output, kind, field_names)
    return problems


def _chat_problems(output: dict[str, Any], kind: Any, field_names: list[Any]) -> list[tuple[Loc, str]]:
    """output.chat names fields of the format (or the meta-prompt), none of them in both turns."""
    chat = _mapping(output.get("chat"))
    if kind == "fields":
        known = [n for n in field_names if isinstance(n, str)]
    elif kind == "json_schema":
        known = list(_mapping(_mapping(output.get("json_schema")).get("properties")))
    else:
        known = ["text"]  # free text is {"text": ...} (core/dataset/output_format.TEXT_FIELD)
    problems: list[tuple[Loc, str]] = []
    sides = {side: chat.get(side) if isinstance(chat.get(side), list) else [] for side in ("user_fields",
                                                                                          "assistant_fields")}
    for side, names in sides.items():
        for i, name in enumerate(names):
            if not isinstance(name, str) or name == META_PROMPT_FIELD:
                continue
            if known and name not in known:
                problems.append((("output", "chat", side, i), f"'{name}' is not one of the fields "
                                 f"({', '.join(known)}, or '{META_PROMPT_FIELD}')"))
            elif side == "assistant_fields" and name in sides["user_fields"]:
                problems.append((("output", "chat", side, i), f"'{name}' is also in user_fields"))
    return problems


NUMBER_TYPES = ("integer", "number")


def _field_check_problems(fields: list[Any], kind: Any) -> list[tuple[Loc, str]]:
    """The deterministic checks of output.fields (FieldSpec) against the field types they need."""
    problems: list[tuple[Loc, str]] = []
    types = {_mapping(f).get("name"): _mapping(f).get("type", "string") for f in fields}
    for i, raw in enumerate(fields):
        field = _mapping(raw)
        ftype = field.get("type", "string")

        def bad(key: str, message: str) -> None:
            problems.append((("output", "fields", i, key), message))

        declared = [k for k in ("choices_from", "choices", "items", "min_items", "max_items", "minimum", "maximum",
                                "pattern", "unique") if field.get(k) not in (None, False)]
        if declared and kind != "fields":
            bad(declared[0], "checks on output.fields need output.kind 'fields'")
        source = field.get("choices_from")
        if isinstance(source, str):
            if source not in types:
                bad("choices_from", f"names no field '{source}'")
            elif types[source] != "list":
                bad("choices_from", f"'{source}' is not a list field (type {types[source]})")
            elif source == field.get("name"):
                bad("choices_from", "names the field itself")
            elif ftype == "list":
                bad("choices_from", "a list field cannot be one of the options")
        choices = field.get("choices")
        if choices is not None and ftype in ("list", "boolean"):
            bad("choices", f"needs a string or number field, not {ftype}")
        elif isinstance(choices, list) and ftype in NUMBER_TYPES and any(
                isinstance(c, bool) or not isinstance(c, int | float) for c in choices):
            bad("choices", f"must be numbers for a field of type {ftype}")
        for key in ("items", "min_items", "max_items"):
            if field.get(key) is not None and ftype != "list":
                bad(key, f"needs a list field, not {ftype}")
        if field.get("items") is not None and (field.get("min_items") is not None
                                               or field.get("max_items") is not None):
            bad("items", "give items, or min_items / max_items, not both")
        for low, high in (("min_items", "max_items"), ("minimum", "maximum")):
            lo, hi = field.get(low), field.get(high)
            if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
                bad(low, f"is larger than {high} ({lo} > {hi})")
        for key in ("minimum", "maximum"):
            if field.get(key) is not None and ftype not in NUMBER_TYPES:
                bad(key, f"needs an integer or number field, not {ftype}")
        pattern = field.get("pattern")
        if isinstance(pattern, str):
            if ftype != "string":
                bad("pattern", f"needs a string field, not {ftype}")
            try:
                re.compile(pattern)
            except re.error as exc:
                bad("pattern", f"not a valid regular expression: {exc}")
    return problems


def import_callable(path: str) -> Callable[..., Any]:
    """The callable a dotted path names (`package.module.function`, or `package.module:function`); ValueError
    saying why when it does not import or is not callable. The one resolver of user validators."""
    module_name, sep, attr = path.partition(":") if ":" in path else path.rpartition(".")
    if not sep or not module_name or not attr:
        raise ValueError(f"'{path}' is not a dotted path to a callable (package.module.function)")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - any import failure of user code is a spec problem
        raise ValueError(f"'{path}': module '{module_name}' does not import ({type(exc).__name__}: {exc})") from None
    target: Any = module
    for part in attr.split("."):
        if not hasattr(target, part):
            raise ValueError(f"'{path}': '{module_name}' has no attribute '{attr}'")
        target = getattr(target, part)
    if not callable(target):
        raise ValueError(f"'{path}' is not callable")
    return target
