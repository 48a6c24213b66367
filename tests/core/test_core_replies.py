"""Contracts of seedless.core.replies: typed replies, and the bounded JSON schemas derived from them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from conftest import schema_agrees
from seedless.core.replies import ChildrenReply, CriticReply, FactorsReply, PlanReply


def test_factors_schema_is_bounded_by_the_given_limits():
    schema = FactorsReply.bounded(max_items=5, max_chars=40).json_schema()
    factors = schema["properties"]["factors"]
    assert schema["required"] == ["factors"] and schema["additionalProperties"] is False
    assert factors["type"] == "array"
    assert factors["maxItems"] == 5
    assert factors["minItems"] == 2
    item = factors["items"]
    assert item["properties"]["name"] == {"type": "string", "minLength": 1, "maxLength": 40}
    assert item["properties"]["description"] == {"type": "string", "minLength": 0, "maxLength": 200}
    assert item["required"] == ["name", "description"] and item["additionalProperties"] is False


@pytest.mark.parametrize(("max_items", "min_items"), [(1, 1), (2, 2), (3, 2), (16, 2)])
def test_factors_schema_min_items_is_two_or_max_items_if_smaller(max_items, min_items):
    factors = FactorsReply.bounded(max_items=max_items, max_chars=60).json_schema()["properties"]["factors"]
    assert factors["minItems"] == min_items
    assert factors["minItems"] <= factors["maxItems"]


def test_children_schema_bounds_the_list_and_each_name():
    schema = ChildrenReply.bounded(max_items=6, max_chars=60).json_schema()
    assert schema == {
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 60},
                                    "minItems": 0, "maxItems": 6}},
        "required": ["children"],
        "additionalProperties": False,
    }


def test_critic_schema_bounds_edits_and_children():
    schema = CriticReply.bounded(max_items=7, max_chars=30).json_schema()
    props = schema["properties"]
    assert schema["required"] == ["edits", "children"] and schema["additionalProperties"] is False
    assert props["children"]["maxItems"] == 7
    assert props["children"]["items"]["maxLength"] == 30
    assert props["edits"]["maxItems"] == 7
    edit = props["edits"]["items"]
    assert edit["properties"]["action"]["enum"] == ["add", "remove", "merge", "rename"]
    assert edit["properties"]["target"]["maxLength"] == 60
    assert edit["properties"]["result"]["maxLength"] == 30
    assert edit["properties"]["reason"]["maxLength"] == 160
    assert edit["required"] == ["action", "target", "result", "reason"] and edit["additionalProperties"] is False


def test_plan_schema_bounds_the_plan_text():
    assert PlanReply.bounded(max_chars=500).json_schema() == {
        "type": "object",
        "properties": {"plan": {"type": "string", "minLength": 1, "maxLength": 500}},
        "required": ["plan"],
        "additionalProperties": False,
    }


def test_list_fields_name_the_field_a_bare_json_list_is_wrapped_into():
    assert FactorsReply.list_field == "factors"
    assert ChildrenReply.list_field == "children"
    assert CriticReply.list_field is None
    assert PlanReply.list_field is None


def test_replies_validate_typed_values():
    factors = FactorsReply.model_validate({"factors": [{"name": "Topic"}, {"name": "Style", "description": "How"}]})
    assert [(f.name, f.description) for f in factors.factors] == [("Topic", ""), ("Style", "How")]
    critic = CriticReply.model_validate({"children": ["A"], "edits": [{"action": "keep", "target": "A"}]})
    assert critic.edits[0].action == "keep" and critic.children == ["A"]
    assert CriticReply.model_validate({"children": []}).edits == []


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (FactorsReply, {"factors": []}),
        (FactorsReply, {"factors": [{"name": "A", "extra": 1}]}),
        (ChildrenReply, {"children": ["A"], "extra": 1}),
        (ChildrenReply, {"children": ["x"] * 129}),
        (CriticReply, {"children": ["A"], "edits": [{"action": "split"}]}),
        (CriticReply, {"edits": []}),
        (PlanReply, {"plan": ""}),
        (PlanReply, {"plan": "x" * 4001}),
    ],
)
def test_replies_reject_out_of_bounds_or_unknown_content(model, data):
    with pytest.raises(ValidationError):
        model.model_validate(data)


def test_a_bounded_reply_validates_exactly_what_its_schema_allows():
    bounded = ChildrenReply.bounded(max_items=2, max_chars=10)
    for data in ({"children": ["a", "b"]}, {"children": ["a", "b", "c"]}, {"children": ["x" * 11]}, {"children": [""]},
                 {"children": []}, {"children": ["a"], "extra": 1}):
        assert schema_agrees(bounded, data), data


def test_every_call_sites_schema_is_strict_for_constrained_decoders():
    from seedless.core.calls import CALL_SITES

    def objects(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                yield node
            for value in node.values():
                yield from objects(value)
        elif isinstance(node, list):
            for value in node:
                yield from objects(value)

    for site in CALL_SITES.values():
        if site.reply is None:
            continue
        schema = site.reply.json_schema()
        assert "$defs" not in str(schema) and "title" not in schema, site.name
        for obj in objects(schema):
            assert obj["required"] == list(obj["properties"]) and obj["additionalProperties"] is False, site.name
