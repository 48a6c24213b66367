"""Contracts of the chat mapping: the default rule, the @meta_prompt pseudo-field, turn text, unknown fields."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from seedless.core.dataset.chat_mapping import (
    META_PROMPT_FIELD,
    ChatMapping,
    default_mapping,
    resolve_mapping,
    to_messages,
)
from seedless.spec.models import OutputFormat


def fields(*names: str, answer: str | None = None) -> OutputFormat:
    return OutputFormat.model_validate({"kind": "fields", "answer_field": answer,
                                        "fields": [{"name": n} for n in names]})


def test_default_mapping_makes_answer_field_the_assistant_and_other_fields_the_user_in_format_order():
    mapping = default_mapping(fields("options", "question", "answer", "topic", answer="answer"))
    assert mapping == ChatMapping(user_fields=["options", "question", "topic"], assistant_fields=["answer"])


def test_default_mapping_without_answer_field_pairs_prompt_like_and_response_like_names_by_list_order():
    mapping = default_mapping(fields("notes", "Task", "solution", "question", "reply"))
    assert mapping.user_fields == ["question"]  # question comes before task in the prompt-like names
    assert mapping.assistant_fields == ["solution"]  # solution comes before reply in the response-like names


def test_default_mapping_answers_free_text_to_its_meta_prompt():
    mapping = default_mapping(OutputFormat())
    assert mapping.user_fields == [META_PROMPT_FIELD] == ["@meta_prompt"]
    assert mapping.assistant_fields == ["text"]


def test_default_mapping_reads_json_schema_properties():
    output = OutputFormat.model_validate({"kind": "json_schema", "json_schema": {
        "type": "object", "properties": {"instruction": {"type": "string"}, "output": {"type": "string"}}}})
    assert default_mapping(output) == ChatMapping(user_fields=["instruction"], assistant_fields=["output"])


def test_default_mapping_of_an_answer_field_alone_answers_the_meta_prompt():
    mapping = default_mapping(fields("label", answer="label"))
    assert mapping == ChatMapping(user_fields=[META_PROMPT_FIELD], assistant_fields=["label"])


def test_default_mapping_names_the_fields_and_the_flags_when_turns_cannot_be_told_apart():
    with pytest.raises(ValueError) as caught:
        default_mapping(fields("title", "body"))
    message = str(caught.value)
    assert "title, body" in message
    assert "--user-fields" in message and "--assistant-fields" in message


def test_resolve_mapping_fills_a_missing_side_with_every_other_field():
    output = fields("title", "body", "tags")
    assert resolve_mapping(output, ChatMapping(assistant_fields=["body"])).user_fields == ["title", "tags"]
    assert resolve_mapping(output, ChatMapping(user_fields=["title"])).assistant_fields == ["body", "tags"]
    with_system = resolve_mapping(fields("question", "answer"), ChatMapping(system="Be brief."))
    assert with_system == ChatMapping(user_fields=["question"], assistant_fields=["answer"], system="Be brief.")


def test_resolve_mapping_names_fields_the_format_does_not_have():
    with pytest.raises(ValueError, match="unknown fields summary, tldr"):
        resolve_mapping(fields("title", "body"), ChatMapping(user_fields=["summary", "title"],
                                                             assistant_fields=["tldr"]))


def test_one_field_turn_is_its_value_as_text_with_lists_one_item_a_line():
    mapping = ChatMapping(user_fields=["options"], assistant_fields=["points"])
    messages = to_messages({"options": ["3", "4", 5], "points": 2}, "scenario", mapping)
    assert messages == [{"role": "user", "content": "3\n4\n5"}, {"role": "assistant", "content": "2"}]


def test_several_field_turn_is_name_value_lines_and_non_strings_are_json():
    mapping = ChatMapping(user_fields=[META_PROMPT_FIELD, "question", "meta"], assistant_fields=["answer"])
    data = {"question": "What is 2 + 2?", "meta": {"hard": False}, "answer": "4"}
    user = to_messages(data, "A pupil counts apples.", mapping)[0]["content"]
    assert user == 'meta_prompt: A pupil counts apples.\nquestion: What is 2 + 2?\nmeta: {"hard": false}'


def test_system_message_comes_first_when_given():
    mapping = ChatMapping(user_fields=["@meta_prompt"], assistant_fields=["text"], system="You write stories.")
    messages = to_messages({"text": "Once upon a time."}, "A story about a fox.", mapping)
    assert [m["role"] for m in messages] == ["system", "user", "assistant"]
    assert messages[0]["content"] == "You write stories."
    assert messages[1]["content"] == "A story about a fox."


def test_to_messages_names_unknown_fields():
    with pytest.raises(ValueError, match="unknown field solution: the datapoint has question, answer"):
        to_messages({"question": "q", "answer": "a"}, "m",
                    ChatMapping(user_fields=["question"], assistant_fields=["solution"]))


def test_to_messages_needs_a_resolved_mapping():
    with pytest.raises(ValueError, match="resolve_mapping"):
        to_messages({"text": "t"}, "m", ChatMapping(assistant_fields=["text"]))


def test_chat_mapping_forbids_unknown_keys_and_empty_field_lists():
    with pytest.raises(ValidationError):
        ChatMapping.model_validate({"user": ["question"]})
    with pytest.raises(ValidationError):
        ChatMapping(user_fields=[])
