"""Contracts of the datapoint format: bounded schemas, tolerant coercion, validation with field paths."""

from __future__ import annotations

from seedless.core.dataset.output_format import answer_of, record_schema, validate_record
from seedless.core.dataset.record import Lineage, Record, Verdict
from seedless.spec.models import OutputFormat

MCQ = OutputFormat.model_validate({
    "kind": "fields", "answer_field": "answer",
    "fields": [{"name": "question"}, {"name": "options", "type": "list"}, {"name": "answer"},
               {"name": "points", "type": "integer"}],
})


def test_field_formats_become_bounded_closed_schemas():
    schema = record_schema(MCQ)
    assert schema["required"] == ["question", "options", "answer", "points"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["options"]["maxItems"] == 12
    assert schema["properties"]["question"]["maxLength"] == 2000
    assert schema["properties"]["points"] == {"type": "integer"}


def test_free_text_is_wrapped_as_text():
    schema = record_schema(OutputFormat())
    assert schema["required"] == ["text"]
    assert validate_record(OutputFormat(), {"text": "a story"}) == ({"text": "a story"}, None)


def test_a_users_json_schema_is_used_as_is_and_enforced():
    user = {"type": "object", "properties": {"label": {"enum": ["spam", "ham"]}}, "required": ["label"]}
    fmt = OutputFormat(kind="json_schema", json_schema=user, answer_field="label")
    assert record_schema(fmt) == user
    assert validate_record(fmt, {"label": "ham"})[0] == {"label": "ham"}
    value, reason = validate_record(fmt, {"label": "eggs"})
    assert value is None and reason.startswith("label: 'eggs' is not one of")


def test_common_near_misses_are_coerced_before_validation():
    data = {"question": "Q?", "options": "only one", "answer": "A", "points": "1,000", "extra": 1}
    value, reason = validate_record(MCQ, data)
    assert reason is None
    assert value == {"question": "Q?", "options": ["only one"], "answer": "A", "points": 1000}


def test_invalid_datapoints_say_which_fields_are_wrong():
    value, reason = validate_record(MCQ, {"question": "", "options": [], "answer": "A"})
    assert value is None
    assert "options: [] should be non-empty" in reason
    assert "'points' is a required property" in reason
    assert "question: '' should be non-empty" in reason


def test_the_answer_field_is_found():
    assert answer_of(MCQ, {"answer": "B"}) == "B"
    assert answer_of(OutputFormat(), {"text": "x"}) is None


def test_a_record_keeps_its_lineage_and_round_trips_as_json():
    record = Record(id="r-1", data={"text": "x"}, lineage=Lineage(
        strategy="all factors", mix={"Topic": ["Topic", "Fractions"]}, meta_prompt="m", model="fake:m", slot=3,
        verdicts=[Verdict(critic="requirements", passed=True, explanation="ok")]))
    assert Record.model_validate_json(record.model_dump_json()) == record


def test_a_field_max_chars_bounds_its_schema_and_validation():
    from seedless.spec.models import OutputFormat
    fmt = OutputFormat.model_validate({"kind": "fields", "fields": [
        {"name": "question", "max_chars": 20}, {"name": "steps", "type": "list", "max_chars": 5}]})
    schema = record_schema(fmt)
    assert schema["properties"]["question"]["maxLength"] == 20
    assert schema["properties"]["steps"]["items"]["maxLength"] == 5
    assert validate_record(fmt, {"question": "x" * 21, "steps": ["a"]})[0] is None
    assert validate_record(fmt, {"question": "short", "steps": ["abcde"]})[0] is not None
