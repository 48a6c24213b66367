"""Contracts of the fields' declared checks in the datapoint schema: sent when declared, absent otherwise, and
left to the checks step (not the parser) when validating."""

from __future__ import annotations

from seedless.core.dataset.output_format import record_schema, validate_record
from seedless.spec.models import OutputFormat

PLAIN = OutputFormat(kind="fields", fields=[{"name": "q"}, {"name": "n", "type": "integer"},
                                            {"name": "tags", "type": "list"}])
CHECKED = OutputFormat(kind="fields", fields=[
    {"name": "q", "pattern": "[A-Z].*", "choices": ["Yes", "No"]},
    {"name": "n", "type": "integer", "minimum": 1, "maximum": 9},
    {"name": "tags", "type": "list", "items": 20}])


def test_a_format_without_checks_keeps_its_schema():
    assert record_schema(PLAIN) == record_schema(PLAIN, checks=False) == {
        "type": "object", "additionalProperties": False, "required": ["q", "n", "tags"],
        "properties": {"q": {"type": "string", "minLength": 1, "maxLength": 2000}, "n": {"type": "integer"},
                       "tags": {"type": "array", "minItems": 1, "maxItems": 12,
                                "items": {"type": "string", "minLength": 1, "maxLength": 400}}}}


def test_the_schema_sent_carries_what_json_schema_can_say_of_the_checks():
    props = record_schema(CHECKED)["properties"]
    assert props["q"]["enum"] == ["Yes", "No"] and props["q"]["pattern"] == "^(?:[A-Z].*)$"
    assert (props["n"]["minimum"], props["n"]["maximum"]) == (1, 9)
    assert (props["tags"]["minItems"], props["tags"]["maxItems"]) == (20, 20)


def test_validation_leaves_the_checks_to_the_checks_step():
    data, reason = validate_record(CHECKED, {"q": "maybe", "n": 42, "tags": ["a"] * 15})
    assert reason is None and data == {"q": "maybe", "n": 42, "tags": ["a"] * 15}


def test_whitespace_around_a_string_field_is_dropped_so_a_question_ending_in_a_space_meets_its_pattern():
    from seedless.engine.stages.datapoint.checks import field_problems

    question = OutputFormat(kind="fields", fields=[{"name": "question", "pattern": r"[^?]{10,290}\?"},
                                                   {"name": "answer", "type": "number"}])
    data, reason = validate_record(question, {"question": "  How many birds did he see in total? \n", "answer": 6})
    assert reason is None and data == {"question": "How many birds did he see in total?", "answer": 6}
    assert field_problems(question.fields[0], data) == []
    assert validate_record(question, {"question": "   ", "answer": 6})[0] is None  # nothing left: not a question
