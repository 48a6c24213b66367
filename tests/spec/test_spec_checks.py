"""Contracts of seedless.spec.checks.cross_check: cross-field problems of a raw mapping, tolerant of bad types."""

from __future__ import annotations

import pytest

from seedless.spec import SpecError, parse_spec
from seedless.spec.checks import cross_check

DESCRIPTION = "Questions about the weather."


def test_a_consistent_spec_has_no_cross_field_problems():
    data = {
        "description": DESCRIPTION,
        "models": {"endpoints": {"a": {"kind": "fake"}, "b": {"kind": "fake"}}, "default": "a",
                   "roles": {"taxonomy_critic": {"endpoint": "b"}}},
        "taxonomy": {"min_children": 3, "max_children": 3},
        "factors": [{"name": "Season"}, {"name": "Region"}],
        "output": {"kind": "fields", "fields": [{"name": "q"}, {"name": "a"}], "answer_field": "a"},
    }
    assert cross_check(data) == []


def test_without_an_endpoints_section_the_implicit_embedded_endpoint_is_known():
    assert cross_check({"models": {"default": "embedded", "roles": {"level_planner": {"endpoint": "embedded"}}}}) == []
    assert cross_check({"models": {"default": "hosted"}}) == [
        (("models", "default"), "names no endpoint (known: embedded)")
    ]


def test_a_default_missing_from_given_endpoints_is_reported_even_when_left_implicit():
    assert cross_check({"models": {"endpoints": {"hosted": {}}}}) == [
        (("models", "default"), "names no endpoint (known: hosted)")
    ]


def test_a_role_naming_no_endpoint_is_reported_at_the_role_endpoint():
    problems = cross_check({"models": {"roles": {"taxonomy_critic": {"endpoint": "big"}, "level_planner": {}}}})
    assert problems == [(("models", "roles", "taxonomy_critic", "endpoint"), "names no endpoint 'big'")]


def test_endpoint_names_supplied_as_clients_need_no_declared_endpoint_and_only_then():
    data = {"models": {"endpoints": {"a": {"kind": "fake"}}, "default": "mine",
                       "roles": {"critic": {"endpoint": "other"}}}}
    assert cross_check(data, clients={"mine", "other"}) == []
    assert cross_check(data, clients={"mine"}) == [
        (("models", "roles", "critic", "endpoint"), "names no endpoint 'other'")]
    assert cross_check(data) == [
        (("models", "default"), "names no endpoint (known: a)"),
        (("models", "roles", "critic", "endpoint"), "names no endpoint 'other'"),
    ]


def test_a_spec_loaded_where_clients_are_supplied_may_name_them_and_elsewhere_fails_as_before():
    text = f"description: {DESCRIPTION}\nmodels:\n  endpoints: {{a: {{kind: fake}}}}\n  default: mine\n"
    assert parse_spec(text, clients={"mine"}).models.default == "mine"
    with pytest.raises(SpecError) as info:
        parse_spec(text, "s.yaml")
    assert str(info.value) == "s.yaml:4: models.default: names no endpoint (known: a)"


def test_min_children_above_max_children_is_reported_using_defaults_for_the_missing_bound():
    assert cross_check({"taxonomy": {"min_children": 7, "max_children": 3}}) == [
        (("taxonomy", "min_children"), "is larger than max_children (7 > 3)")
    ]
    assert cross_check({"taxonomy": {"max_children": 1}}) == [
        (("taxonomy", "min_children"), "is larger than max_children (2 > 1)")
    ]
    assert cross_check({"taxonomy": {"min_children": 6}}) == []


def test_duplicate_factor_names_are_reported_case_insensitively_at_the_later_one():
    problems = cross_check({"factors": [{"name": "Topic"}, {"name": "Style"}, {"name": " topic "}]})
    assert problems == [(("factors", 2, "name"), "duplicate factor name ' topic '")]


def test_duplicate_factor_names_differing_only_in_inner_spacing_are_reported():
    problems = cross_check({"factors": [{"name": "Threat actor"}, {"name": "Threat  actor"}]})
    assert [loc for loc, _ in problems] == [("factors", 1, "name")]


def test_kind_fields_needs_a_non_empty_fields_list():
    assert cross_check({"output": {"kind": "fields"}}) == [
        (("output", "kind"), "kind 'fields' needs a non-empty output.fields list")
    ]
    assert cross_check({"output": {"kind": "fields", "fields": []}}) == [
        (("output", "kind"), "kind 'fields' needs a non-empty output.fields list")
    ]


def test_kind_json_schema_needs_a_schema_object():
    assert cross_check({"output": {"kind": "json_schema", "json_schema": "nope"}}) == [
        (("output", "kind"), "kind 'json_schema' needs an output.json_schema object")
    ]


def test_answer_field_must_name_a_field_or_schema_property_and_is_meaningless_for_text():
    assert cross_check({"output": {"answer_field": "a"}}) == [
        (("output", "answer_field"), "free text has no fields; use kind 'fields' or 'json_schema'")
    ]
    assert cross_check({"output": {"kind": "fields", "fields": [{"name": "q"}], "answer_field": "a"}}) == [
        (("output", "answer_field"), "'a' is not one of the fields")
    ]
    schema = {"type": "object", "properties": {"label": {"type": "string"}}}
    assert cross_check({"output": {"kind": "json_schema", "json_schema": schema, "answer_field": "a"}}) == [
        (("output", "answer_field"), "'a' is not a property of json_schema")
    ]
    assert cross_check({"output": {"kind": "json_schema", "json_schema": schema, "answer_field": "label"}}) == []


@pytest.mark.parametrize(
    "data",
    [
        {"models": [1], "taxonomy": 5, "factors": "x", "output": None},
        {"models": {"endpoints": [], "roles": {"taxonomy_critic": 3}}},
        {"taxonomy": {"min_children": "many", "max_children": None}},
        {"factors": [1, None, {"name": 5}]},
        {"output": {"kind": "fields", "fields": "q"}},
    ],
)
def test_cross_check_tolerates_values_of_the_wrong_type(data):
    problems = cross_check(data)
    assert all(isinstance(loc, tuple) and isinstance(msg, str) for loc, msg in problems)


def test_type_errors_and_cross_field_problems_are_reported_together():
    with pytest.raises(SpecError) as info:
        parse_spec(
            "description: Questions about the weather.\n"
            "taxonomy:\n"
            "  min_children: 9\n"
            "  max_children: 4\n"
            "  proposals: 0\n"
            "output:\n"
            "  kind: json_schema\n"
        )
    assert [(p.line, p.field) for p in info.value.problems] == [
        (3, "taxonomy.min_children"),
        (5, "taxonomy.proposals"),
        (7, "output.kind"),
    ]


def test_an_invalid_json_schema_output_is_reported_at_its_line():
    from seedless.spec import SpecError, parse_spec

    text = """description: Labelled support tickets for a spam classifier.
output:
  kind: json_schema
  json_schema:
    type: object
    properties:
      label: {type: colour}
"""
    try:
        parse_spec(text, "s.yaml")
    except SpecError as exc:
        problems = [str(p) for p in exc.problems]
    else:
        raise AssertionError("an invalid JSON Schema passed validation")
    assert len(problems) == 1
    assert problems[0].startswith("s.yaml:7: output.json_schema.properties.label.type: not a valid JSON Schema")
