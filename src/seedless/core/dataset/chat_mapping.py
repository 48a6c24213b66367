"""One datapoint -> chat messages for fine-tuning: which fields are the user turn, which the assistant's, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seedless.core.dataset.options import can_letter, lettered, option_index
from seedless.core.dataset.output_format import TEXT_FIELD
from seedless.core.dataset.overlap import value_text
from seedless.spec.models import META_PROMPT_FIELD, ChatMapping, OutputFormat

__all__ = ["META_PROMPT_FIELD", "ChatMapping", "Lettering", "default_mapping", "format_fields", "lettering",
           "merged", "resolve_mapping", "to_messages"]

PROMPT_NAMES = ("question", "prompt", "instruction", "input", "problem", "query", "task", "context", "passage")
RESPONSE_NAMES = ("answer", "response", "output", "completion", "reply")
# The working that leads to the answer: the assistant turn gives it before the answer, so a model learns to write it.
SOLUTION_NAMES = ("solution", "explanation", "reasoning", "rationale", "working", "workings", "steps", "derivation",
                  "proof", "justification", "chain_of_thought", "thinking", "thoughts", "analysis")
OPTION_NAMES = ("options", "choices", "alternatives", "answer_options", "answer_choices")


def format_fields(output: OutputFormat) -> list[str]:
    """The datapoint's top-level field names in format order; empty when a JSON schema names no properties."""
    if output.kind == "fields":
        return [f.name for f in output.fields]
    if output.kind == "json_schema":
        properties = (output.json_schema or {}).get("properties")
        return list(properties) if isinstance(properties, dict) else []
    return [TEXT_FIELD]


def _named(fields: list[str], names: tuple[str, ...]) -> list[str]:
    """The fields that are one of `names` (compared without case), in format order."""
    return [f for f in fields if f.lower() in names]


def _first(fields: list[str], names: tuple[str, ...]) -> str | None:
    """The first of `names` (in the order of `names`) that is a field, compared without case."""
    by_lower = {f.lower(): f for f in fields}
    return next((by_lower[n] for n in names if n in by_lower), None)


def option_fields(output: OutputFormat) -> list[str]:
    """The fields that are option lists: named like options (options, choices, ...) or named by a `choices_from`."""
    fields = format_fields(output)
    sources = {f.choices_from for f in output.fields if f.choices_from} if output.kind == "fields" else set()
    return [f for f in fields if f in sources or f.lower() in OPTION_NAMES]


def _answer_last(fields: list[str], answer: str | None) -> list[str]:
    """`fields` with the answer field, if among them, moved to the end."""
    return [f for f in fields if f != answer] + [answer] if answer is not None and answer in fields else fields


def default_mapping(output: OutputFormat, chosen: ChatMapping | None = None) -> ChatMapping:
    """The rule (docs/export.md, "The chat mapping"): with an answer field, the assistant turn is the solution-like
    fields (solution, explanation, reasoning, ...) then the answer, and every other field the user turn; else the
    prompt-like fields (question, problem, instruction, ...) and option lists are the user turn and the solution-like
    fields then the first response-like one (answer, response, output, ...) the assistant's; free text is answered
    to its meta-prompt. Anything else is a ValueError naming the fields. `chosen`'s system and letters are kept."""
    chosen = chosen or ChatMapping()
    fields = format_fields(output)
    answer = output.answer_field if output.answer_field in fields else None
    working = [f for f in _named(fields, SOLUTION_NAMES) if f != answer]
    if answer:
        assistant = working + [answer]
        user = [f for f in fields if f not in assistant] or [META_PROMPT_FIELD]
        return chosen.model_copy(update={"user_fields": user, "assistant_fields": assistant})
    response = _first([f for f in fields if f not in working], RESPONSE_NAMES)
    assistant = working + ([response] if response else [])
    prompts = _named(fields, PROMPT_NAMES)
    if prompts and assistant:
        user = [f for f in fields if f in prompts or (f in option_fields(output) and f not in assistant)]
        return chosen.model_copy(update={"user_fields": user, "assistant_fields": assistant})
    if output.kind == "text":
        return chosen.model_copy(update={"user_fields": [META_PROMPT_FIELD], "assistant_fields": [TEXT_FIELD]})
    named = ", ".join(fields) if fields else "(none declared)"
    raise ValueError(
        f"cannot tell the user turn from the assistant turn: the fields are {named}, with no answer_field and no "
        f"prompt-like name with a response-like or solution-like one; set output.chat in the spec or pass --user-fields and "
        f"--assistant-fields (comma-separated; '{META_PROMPT_FIELD}' is the datapoint's meta-prompt)")


def merged(base: ChatMapping | None, given: ChatMapping | None) -> ChatMapping:
    """`given`'s settings (those it sets, other than None) over `base`'s: the export's flags over output.chat."""
    if given is None or base is None:
        return given or base or ChatMapping()
    return base.model_copy(update={k: getattr(given, k) for k in given.model_fields_set
                                   if getattr(given, k) is not None})


def _plural(names: list[str]) -> str:
    return f"field{'s' if len(names) > 1 else ''} {', '.join(names)}"


def resolve_mapping(output: OutputFormat, given: ChatMapping | None = None) -> ChatMapping:
    """A complete mapping: `given` (the flags) over the format's `chat` setting, as far as they go; a missing side is
    every other field (the answer field last), both missing the default rule. A name the format does not have, or
    one in both turns, is a ValueError naming it (names unchecked when a JSON schema lists no properties)."""
    chosen = merged(output.chat, given)
    fields = format_fields(output)
    if chosen.user_fields is None and chosen.assistant_fields is None:
        return default_mapping(output, chosen)
    if fields:
        unknown = [n for n in (chosen.user_fields or []) + (chosen.assistant_fields or [])
                   if n != META_PROMPT_FIELD and n not in fields]
        if unknown:
            raise ValueError(f"unknown {_plural(unknown)}: the format's fields are {', '.join(fields)} "
                             f"(and '{META_PROMPT_FIELD}')")
    user, assistant = chosen.user_fields, chosen.assistant_fields
    if user is None:
        user = [f for f in fields if f not in (assistant or [])] or [META_PROMPT_FIELD]
    if assistant is None:
        assistant = _answer_last([f for f in fields if f not in user], output.answer_field)
        if not assistant:
            raise ValueError(f"no field is left for the assistant turn after {', '.join(user)}; "
                             f"name the assistant fields (output.chat.assistant_fields or --assistant-fields)")
    both = [n for n in assistant if n in user]
    if both:
        raise ValueError(f"{_plural(both)} in both the user and the assistant turn; name each field in one of them")
    return chosen.model_copy(update={"user_fields": user, "assistant_fields": assistant})


@dataclass(frozen=True)
class Lettering:
    """How a mapping's option lists are shown: `options` lettered A., B., ...; `answer`'s value given with its letter
    when it is one of the options in `answer_options`."""

    options: tuple[str, ...] = ()
    answer: str | None = None
    answer_options: str | None = None


def lettering(output: OutputFormat, mapping: ChatMapping) -> Lettering:
    """The lettering of a resolved mapping: its option lists (see option_fields), and the answer (the answer field,
    else the first response-like assistant field) with the list its `choices_from` names, else the only one."""
    if not mapping.letters:
        return Lettering()
    mapped = (mapping.user_fields or []) + (mapping.assistant_fields or [])
    options = tuple(f for f in option_fields(output) if f in mapped)
    assistant = mapping.assistant_fields or []
    answer = output.answer_field if output.answer_field in assistant else _first(assistant, RESPONSE_NAMES)
    if answer is None:
        return Lettering(options)
    declared = {f.name: f.choices_from for f in output.fields} if output.kind == "fields" else {}
    source = declared.get(answer)
    if source is None and len(options) == 1:
        source = options[0]
    return Lettering(options, answer, source if source in options else None)


def _value(name: str, data: dict[str, Any], lettering: Lettering) -> str:
    """A field's value as text, its options lettered and its answer with its letter where `lettering` says so."""
    value = data[name]
    if name in lettering.options and isinstance(value, list) and can_letter(value):
        return "\n".join(lettered(i, option) for i, option in enumerate(value))
    options = data.get(lettering.answer_options or "")
    if name == lettering.answer and isinstance(options, list) and can_letter(options):
        index = option_index(value, options)
        if index is not None:
            return lettered(index, options[index])
    return value_text(value)


def _labelled(name: str, text: str) -> str:
    """`name: text`, or `name:` alone with the text on the lines after when it has several."""
    return f"{name.lstrip('@')}:" + ("\n" if "\n" in text else " ") + text


def _turn(names: list[str], data: dict[str, Any], meta_prompt: str, lettering: Lettering) -> str:
    texts = {n: (meta_prompt if n == META_PROMPT_FIELD else _value(n, data, lettering)) for n in names}
    if len(names) == 1:
        return texts[names[0]]
    return "\n".join(_labelled(n, t) for n, t in texts.items())


def to_messages(record_data: dict[str, Any], lineage_meta_prompt: str, mapping: ChatMapping,
                lettering: Lettering = Lettering()) -> list[dict[str, str]]:
    """[system?, user, assistant] messages as {"role", "content"}. One field: its value as text; several: a
    "name: value" line each ("name:" alone and the value on the lines after when it has several). Every named field
    must be in `record_data` (else a ValueError naming the missing)."""
    if mapping.user_fields is None or mapping.assistant_fields is None:
        raise ValueError("the mapping names no user or no assistant fields; resolve it with resolve_mapping first")
    names = mapping.user_fields + mapping.assistant_fields
    unknown = [n for n in names if n != META_PROMPT_FIELD and n not in record_data]
    if unknown:
        have = ", ".join(record_data) or "(none)"
        raise ValueError(f"unknown {_plural(unknown)}: the datapoint has {have} (and '{META_PROMPT_FIELD}')")
    messages = [{"role": "system", "content": mapping.system}] if mapping.system else []
    for role, fields in (("user", mapping.user_fields), ("assistant", mapping.assistant_fields)):
        messages.append({"role": role, "content": _turn(fields, record_data, lineage_meta_prompt, lettering)})
    return messages
