"""Contracts of seedless.core.replies: typed replies and the bounded JSON schemas sent as response_format."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from seedless.core.replies import ChildrenReply, CriticReply, FactorsReply, PlanReply


def test_factors_schema_is_bounded_by_the_given_limits():
    schema = FactorsReply.schema_for(max_items=5, max_chars=40)
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
    factors = FactorsReply.schema_for(max_items=max_items, max_chars=60)["properties"]["factors"]
    assert factors["minItems"] == min_items
    assert factors["minItems"] <= factors["maxItems"]


def test_children_schema_bounds_the_list_and_each_name():
    schema = ChildrenReply.schema_for(max_items=6, max_chars=60)
    assert schema == {
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 60},
                                    "maxItems": 6}},
        "required": ["children"],
        "additionalProperties": False,
    }


def test_critic_schema_bounds_edits_and_children():
    schema = CriticReply.schema_for(max_items=7, max_chars=30)
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
    assert PlanReply.schema_for(max_chars=500) == {
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
