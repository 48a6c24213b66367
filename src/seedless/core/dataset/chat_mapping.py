"""One datapoint -> chat messages for fine-tuning: which fields are the user turn, which the assistant's, and why."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from seedless.core.dataset.output_format import TEXT_FIELD
from seedless.spec.models import OutputFormat

META_PROMPT_FIELD = "@meta_prompt"  # a pseudo-field: the datapoint's lineage.meta_prompt, not a data field
PROMPT_NAMES = ("question", "prompt", "instruction", "input", "problem", "query", "task")
RESPONSE_NAMES = ("answer", "response", "output", "solution", "completion", "reply")


class ChatMapping(BaseModel):
    """Which fields make each turn; None: not chosen yet (`resolve_mapping` fills it in)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    user_fields: list[str] | None = Field(None, min_length=1, description="Fields of the user turn, in order.")
    assistant_fields: list[str] | None = Field(None, min_length=1, description="Fields of the assistant turn.")
    system: str | None = Field(None, description="A system message put before every conversation.")


def format_fields(output: OutputFormat) -> list[str]:
    """The datapoint's top-level field names in format order; empty when a JSON schema names no properties."""
    if output.kind == "fields":
        return [f.name for f in output.fields]
    if output.kind == "json_schema":
        properties = (output.json_schema or {}).get("properties")
        return list(properties) if isinstance(properties, dict) else []
    return [TEXT_FIELD]


def _first(fields: list[str], names: tuple[str, ...]) -> str | None:
    """The first of `names` (in the order of `names`) that is a field, compared without case."""
    by_lower = {f.lower(): f for f in fields}
    return next((by_lower[n] for n in names if n in by_lower), None)


def default_mapping(output: OutputFormat, system: str | None = None) -> ChatMapping:
    """The rule: the answer field is the assistant turn and every other field the user turn; else a prompt-like
    field (question, prompt, instruction, input, problem, query, task) and a response-like one (answer, response,
    output, solution, completion, reply), first match of each list; free text is answered to its meta-prompt.
    Anything else is a ValueError naming the fields. An answer field alone is also answered to its meta-prompt."""
    fields = format_fields(output)
    if output.answer_field and output.answer_field in fields:
        others = [f for f in fields if f != output.answer_field]
        return ChatMapping(user_fields=others or [META_PROMPT_FIELD], assistant_fields=[output.answer_field],
                           system=system)
    prompt, response = _first(fields, PROMPT_NAMES), _first(fields, RESPONSE_NAMES)
    if prompt and response:
        return ChatMapping(user_fields=[prompt], assistant_fields=[response], system=system)
    if output.kind == "text":
        return ChatMapping(user_fields=[META_PROMPT_FIELD], assistant_fields=[TEXT_FIELD], system=system)
    named = ", ".join(fields) if fields else "(none declared)"
    raise ValueError(
        f"cannot tell the user turn from the assistant turn: the fields are {named}, with no answer_field and no "
        f"prompt-like and response-like names; pass --user-fields and --assistant-fields "
        f"(comma-separated; '{META_PROMPT_FIELD}' is the datapoint's meta-prompt)")


def resolve_mapping(output: OutputFormat, given: ChatMapping | None = None) -> ChatMapping:
    """A complete mapping: `given` as far as it goes; a missing side is every other field (or the default rule).
    Names the format does not have are a ValueError naming them (unchecked when a JSON schema lists none)."""
    given = given or ChatMapping()
    fields = format_fields(output)
    if given.user_fields is None and given.assistant_fields is None:
        return default_mapping(output, given.system)
    if fields:
        chosen = (given.user_fields or []) + (given.assistant_fields or [])
        unknown = [n for n in chosen if n != META_PROMPT_FIELD and n not in fields]
        if unknown:
            raise ValueError(f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
                             f"the format's fields are {', '.join(fields)} (and '{META_PROMPT_FIELD}')")
    user, assistant = given.user_fields, given.assistant_fields
    if user is None:
        user = [f for f in fields if f not in (assistant or [])] or [META_PROMPT_FIELD]
    if assistant is None:
        assistant = [f for f in fields if f not in user]
        if not assistant:
            raise ValueError(f"no field is left for the assistant turn after {', '.join(user)}; "
                             f"pass --assistant-fields")
    return ChatMapping(user_fields=user, assistant_fields=assistant, system=given.system)


def value_text(value: Any) -> str:
    """A field's value as text: strings as they are, lists one item a line, anything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(value_text(item) if isinstance(item, str) else _json(item) for item in value)
    return _json(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _turn(names: list[str], data: dict[str, Any], meta_prompt: str) -> str:
    values = {n: (meta_prompt if n == META_PROMPT_FIELD else data[n]) for n in names}
    if len(names) == 1:
        return value_text(values[names[0]])
    return "\n".join(f"{n.lstrip('@')}: {value_text(v)}" for n, v in values.items())


def to_messages(record_data: dict[str, Any], lineage_meta_prompt: str,
                mapping: ChatMapping) -> list[dict[str, str]]:
    """[system?, user, assistant] messages as {"role", "content"}. One field: its value as text; several:
    "name: value" lines. Every named field must be in `record_data` (else a ValueError naming the missing)."""
    if mapping.user_fields is None or mapping.assistant_fields is None:
        raise ValueError("the mapping names no user or no assistant fields; resolve it with resolve_mapping first")
    names = mapping.user_fields + mapping.assistant_fields
    unknown = [n for n in names if n != META_PROMPT_FIELD and n not in record_data]
    if unknown:
        have = ", ".join(record_data) or "(none)"
        raise ValueError(f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
                         f"the datapoint has {have} (and '{META_PROMPT_FIELD}')")
    messages = [{"role": "system", "content": mapping.system}] if mapping.system else []
    messages.append({"role": "user", "content": _turn(mapping.user_fields, record_data, lineage_meta_prompt)})
    messages.append({"role": "assistant",
                     "content": _turn(mapping.assistant_fields, record_data, lineage_meta_prompt)})
    return messages
