"""Contracts of the chat mapping: the default rule (working before the answer), the format's own mapping under the
given one, options lettered, the @meta_prompt pseudo-field, turn text, unknown fields."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from seedless.core.dataset.chat_mapping import (
    META_PROMPT_FIELD,
    ChatMapping,
    Lettering,
    default_mapping,
    lettering,
    resolve_mapping,
    to_messages,
)
from seedless.spec.models import FieldSpec, OutputFormat


def fields(*names: str, answer: str | None = None) -> OutputFormat:
    return OutputFormat.model_validate({"kind": "fields", "answer_field": answer,
                                        "fields": [{"name": n} for n in names]})


def test_default_mapping_makes_answer_field_the_assistant_and_other_fields_the_user_in_format_order():
    mapping = default_mapping(fields("options", "question", "answer", "topic", answer="answer"))
    assert mapping == ChatMapping(user_fields=["options", "question", "topic"], assistant_fields=["answer"])


def test_default_mapping_without_answer_field_takes_every_prompt_like_field_and_the_first_response_like_one():
    mapping = default_mapping(fields("notes", "Task", "output", "question", "reply"))
    assert mapping.user_fields == ["Task", "question"]  # prompt-like names, compared without case, in format order
    assert mapping.assistant_fields == ["output"]  # output comes before reply in the response-like names


def test_default_with_a_solution_field_puts_it_in_the_assistant_turn_before_the_answer():
    with_answer = default_mapping(fields("question", "answer", "solution", "topic", answer="answer"))
    assert with_answer == ChatMapping(user_fields=["question", "topic"], assistant_fields=["solution", "answer"])
    without = default_mapping(fields("problem", "answer", "Explanation", "notes"))
    assert without == ChatMapping(user_fields=["problem"], assistant_fields=["Explanation", "answer"])
    working_only = default_mapping(fields("problem", "solution"))
    assert working_only == ChatMapping(user_fields=["problem"], assistant_fields=["solution"])


def test_default_without_answer_field_puts_option_lists_in_the_user_turn():
    mapping = default_mapping(fields("choices", "question", "response", "notes"))
    assert mapping == ChatMapping(user_fields=["choices", "question"], assistant_fields=["response"])


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


def test_resolve_mapping_fills_a_missing_side_with_every_other_field_the_answer_last():
    output = fields("title", "body", "tags")
    assert resolve_mapping(output, ChatMapping(assistant_fields=["body"])).user_fields == ["title", "tags"]
    assert resolve_mapping(output, ChatMapping(user_fields=["title"])).assistant_fields == ["body", "tags"]
    answered = fields("question", "answer", "solution", answer="answer")
    assert resolve_mapping(answered, ChatMapping(user_fields=["question"])).assistant_fields == ["solution", "answer"]
    with_system = resolve_mapping(fields("question", "answer"), ChatMapping(system="Be brief."))
    assert with_system == ChatMapping(user_fields=["question"], assistant_fields=["answer"], system="Be brief.")


def test_resolve_mapping_uses_the_formats_chat_setting_and_given_settings_override_it_one_by_one():
    output = OutputFormat.model_validate({
        "kind": "fields", "fields": [{"name": n} for n in ("question", "hint", "solution", "answer")],
        "chat": {"user_fields": ["question", "hint"], "assistant_fields": ["solution", "answer"],
                 "system": "Show your work.", "letters": False}})
    assert resolve_mapping(output) == output.chat
    flags = ChatMapping(user_fields=None, assistant_fields=["answer"], system=None)  # as the CLI builds it
    assert resolve_mapping(output, flags) == ChatMapping(user_fields=["question", "hint"], assistant_fields=["answer"],
                                                         system="Show your work.", letters=False)
    assert resolve_mapping(output, ChatMapping(letters=True)).letters


def test_resolve_mapping_names_fields_the_format_does_not_have():
    with pytest.raises(ValueError, match="unknown fields summary, tldr"):
        resolve_mapping(fields("title", "body"), ChatMapping(user_fields=["summary", "title"],
                                                             assistant_fields=["tldr"]))


def test_resolve_mapping_names_a_field_in_both_turns():
    with pytest.raises(ValueError, match="field body in both the user and the assistant turn"):
        resolve_mapping(fields("title", "body"), ChatMapping(user_fields=["title", "body"],
                                                             assistant_fields=["body"]))


MCQ = OutputFormat.model_validate({"kind": "fields", "answer_field": "answer", "fields": [
    {"name": "question"}, {"name": "options", "type": "list"}, {"name": "answer", "choices_from": "options"}]})


@pytest.mark.parametrize("answer", ["Mercury", " mercury ", "B", "b)", "(B)"])
def test_options_are_lettered_and_the_answer_given_as_its_letter_with_the_option(answer):
    mapping = resolve_mapping(MCQ)
    data = {"question": "Which planet is closest to the Sun?", "options": ["Venus", "Mercury", "Mars"],
            "answer": answer}
    user, assistant = to_messages(data, "m", mapping, lettering(MCQ, mapping))
    assert user["content"] == "question: Which planet is closest to the Sun?\noptions:\nA. Venus\nB. Mercury\nC. Mars"
    assert assistant == {"role": "assistant", "content": "B. Mercury"}


def test_lettering_replaces_an_options_own_label_and_leaves_an_answer_that_is_no_option_as_it_is():
    mapping = resolve_mapping(MCQ)
    data = {"question": "q", "options": ["A) 3", "B) 4"], "answer": "5"}
    user, assistant = to_messages(data, "m", mapping, lettering(MCQ, mapping))
    assert user["content"].endswith("options:\nA. 3\nB. 4")
    assert assistant["content"] == "5"


def test_lettering_with_working_keeps_name_value_lines_the_answer_last_and_is_off_with_letters_false():
    output = MCQ.model_copy(update={"fields": [*MCQ.fields, FieldSpec(name="reasoning")]})
    mapping = resolve_mapping(output)
    assert mapping.assistant_fields == ["reasoning", "answer"]
    data = {"question": "q", "options": ["Venus", "Mercury"], "answer": "Mercury", "reasoning": "It orbits\nclosest."}
    assistant = to_messages(data, "m", mapping, lettering(output, mapping))[-1]["content"]
    assert assistant == "reasoning:\nIt orbits\nclosest.\nanswer: B. Mercury"
    plain = mapping.model_copy(update={"letters": False})
    assert lettering(output, plain) == Lettering()
    assert to_messages(data, "m", plain, lettering(output, plain))[-1]["content"].endswith("answer: Mercury")


def test_lettering_finds_option_lists_by_name_and_the_answer_by_the_only_one():
    output = fields("question", "choices", "answer", answer="answer")
    assert lettering(output, resolve_mapping(output)) == Lettering(("choices",), "answer", "choices")
    two = fields("question", "options", "choices", "answer", answer="answer")
    assert lettering(two, resolve_mapping(two)) == Lettering(("options", "choices"), "answer", None)
    unmapped = resolve_mapping(output, ChatMapping(user_fields=["question"], assistant_fields=["answer"]))
    assert lettering(output, unmapped) == Lettering((), "answer", None)


def test_one_field_turn_is_its_value_as_text_with_lists_of_text_one_item_a_line():
    mapping = ChatMapping(user_fields=["options"], assistant_fields=["points"])
    messages = to_messages({"options": ["3", "4", "5"], "points": 2}, "scenario", mapping)
    assert messages == [{"role": "user", "content": "3\n4\n5"}, {"role": "assistant", "content": "2"}]
    mixed = to_messages({"options": ["3", 4], "points": [1, 2]}, "scenario", mapping)
    assert [m["content"] for m in mixed] == ['["3", 4]', "[1, 2]"]  # a list not all text: JSON


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
