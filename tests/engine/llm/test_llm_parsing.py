"""From model text to typed replies: JSON extraction, tolerant coercion, validation with field-path reasons."""

from __future__ import annotations

import pytest

from seedless.core.replies import ChildrenReply, CriticReply, FactorsReply, PlanReply, ProposedFactor
from seedless.engine.llm.parsing import coerce, extract_json, parse_reply

# ----- extract_json ------------------------------------------------------------------------------------------


def test_extract_json_plain_object():
    assert extract_json('{"children": ["a", "b"]}') == {"children": ["a", "b"]}


def test_extract_json_plain_object_with_surrounding_whitespace():
    assert extract_json('\n   {"plan": "x"}  \n') == {"plan": "x"}


def test_extract_json_plain_list_and_scalars():
    assert extract_json("[1, 2, 3]") == [1, 2, 3]
    assert extract_json('"just a string"') == "just a string"


def test_extract_json_fenced_json_block():
    text = 'Here you go:\n```json\n{"children": ["x", "y"]}\n```\nHope that helps.'
    assert extract_json(text) == {"children": ["x", "y"]}


def test_extract_json_fenced_block_without_language():
    text = 'Sure!\n```\n["p", "q"]\n```'
    assert extract_json(text) == ["p", "q"]


def test_extract_json_fenced_block_uppercase_language():
    assert extract_json('```JSON\n{"a": 1}\n```') == {"a": 1}


def test_extract_json_first_valid_fence_wins():
    text = '```json\nnot json at all\n```\nthen\n```json\n{"second": true}\n```'
    assert extract_json(text) == {"second": True}


def test_extract_json_embedded_in_prose():
    text = 'I think the answer is {"children": ["North", "South"]} and that is final.'
    assert extract_json(text) == {"children": ["North", "South"]}


def test_extract_json_embedded_list_in_prose():
    assert extract_json('The list: ["a", "b"]. Done.') == ["a", "b"]


def test_extract_json_skips_unbalanced_brace_before_real_value():
    text = 'note {this is not json} but this is: {"plan": "ok"}'
    assert extract_json(text) == {"plan": "ok"}


def test_extract_json_nested_value_is_taken_whole():
    text = 'prefix {"edits": [{"action": "add"}], "children": ["c"]} suffix'
    assert extract_json(text) == {"edits": [{"action": "add"}], "children": ["c"]}


@pytest.mark.parametrize("text", ["", "no json here", "{not: valid", "```json\n{broken\n```", "only ] and }"])
def test_extract_json_without_json_raises_value_error(text):
    with pytest.raises(ValueError, match="no JSON value found"):
        extract_json(text)


# ----- coerce ------------------------------------------------------------------------------------------------


def test_coerce_wraps_bare_list_into_list_field():
    assert coerce(["a", "b"], ChildrenReply) == {"children": ["a", "b"]}


def test_coerce_wraps_bare_list_for_factors():
    data = [{"name": "topic", "description": "what it is about"}]
    assert coerce(data, FactorsReply) == {"factors": [{"name": "topic", "description": "what it is about"}]}


def test_coerce_leaves_bare_list_when_reply_has_no_list_field():
    assert coerce(["a"], CriticReply) == ["a"]
    assert coerce(["a"], PlanReply) == ["a"]


def test_coerce_leaves_non_dict_scalars_alone():
    assert coerce("hello", PlanReply) == "hello"
    assert coerce(5, ChildrenReply) == 5


def test_coerce_drops_unknown_keys():
    out = coerce({"children": ["a"], "reasoning": "because", "extra": 1}, ChildrenReply)
    assert out == {"children": ["a"]}


def test_coerce_drops_unknown_keys_for_critic():
    out = coerce({"edits": [], "children": ["a"], "notes": "x"}, CriticReply)
    assert out == {"edits": [], "children": ["a"]}


def test_coerce_turns_name_objects_into_strings():
    out = coerce({"children": [{"name": "Alpha"}, {"name": "Beta", "why": "x"}, "Gamma"]}, ChildrenReply)
    assert out == {"children": ["Alpha", "Beta", "Gamma"]}


def test_coerce_name_objects_inside_bare_list():
    assert coerce([{"name": "One"}, {"name": "Two"}], ChildrenReply) == {"children": ["One", "Two"]}


def test_coerce_does_not_flatten_factor_objects():
    data = {"factors": [{"name": "style", "description": "d"}]}
    assert coerce(data, FactorsReply) == data


def test_coerce_splits_comma_string():
    out = coerce({"children": "Red, Green, Blue"}, ChildrenReply)
    assert [c.strip() for c in out["children"]] == ["Red", "Green", "Blue"]
    assert len(out["children"]) == 3


def test_coerce_splits_newline_and_semicolon_string_and_drops_blanks():
    out = coerce({"children": "Red\n\nGreen;Blue,\n ,"}, ChildrenReply)
    assert out["children"] == ["Red", "Green", "Blue"]


def test_coerce_splits_string_for_critic_children_only():
    out = coerce({"edits": [], "children": "a,b"}, CriticReply)
    assert out == {"edits": [], "children": ["a", "b"]}


def test_coerce_does_not_split_plain_string_fields():
    assert coerce({"plan": "first, second\nthird"}, PlanReply) == {"plan": "first, second\nthird"}


def test_coerce_does_not_mutate_input():
    data = {"children": [{"name": "A"}], "junk": 1}
    coerce(data, ChildrenReply)
    assert data == {"children": [{"name": "A"}], "junk": 1}


# ----- parse_reply -------------------------------------------------------------------------------------------


def test_parse_reply_children_valid():
    value, reason = parse_reply('{"children": ["Mammals", "Birds"]}', ChildrenReply)
    assert reason is None
    assert isinstance(value, ChildrenReply)
    assert value.children == ["Mammals", "Birds"]


def test_parse_reply_children_valid_from_fenced_bare_list_of_names():
    value, reason = parse_reply('```json\n[{"name": "A"}, {"name": "B"}]\n```', ChildrenReply)
    assert reason is None
    assert value is not None and value.children == ["A", "B"]


def test_parse_reply_children_invalid_item_type_names_the_path():
    value, reason = parse_reply('{"children": ["ok", 7]}', ChildrenReply)
    assert value is None
    assert reason is not None
    assert reason.startswith("children.1:")
    assert "string" in reason


def test_parse_reply_children_missing_field():
    value, reason = parse_reply('{"other": 1}', ChildrenReply)
    assert value is None
    assert reason == "children: Field required"


def test_parse_reply_children_too_many_items():
    value, reason = parse_reply('{"children": %s}' % str([f"c{i}" for i in range(129)]).replace("'", '"'),
                                ChildrenReply)
    assert value is None
    assert reason is not None and reason.startswith("children:")
    assert "128" in reason


def test_parse_reply_top_level_wrong_type_uses_reply_as_path():
    value, reason = parse_reply('"just text"', ChildrenReply)
    assert value is None
    assert reason is not None and reason.startswith("reply:")


def test_parse_reply_no_json_gives_reason():
    value, reason = parse_reply("I cannot help with that.", ChildrenReply)
    assert value is None
    assert reason == "no JSON value found in the reply"


def test_parse_reply_critic_valid():
    text = ('{"edits": [{"action": "merge", "target": "A, B", "result": "AB", "reason": "overlap"}],'
            ' "children": ["AB", "C"]}')
    value, reason = parse_reply(text, CriticReply)
    assert reason is None
    assert isinstance(value, CriticReply)
    assert value.children == ["AB", "C"]
    assert len(value.edits) == 1
    assert value.edits[0].action == "merge"
    assert value.edits[0].target == "A, B"
    assert value.edits[0].result == "AB"


def test_parse_reply_critic_edits_default_to_empty():
    value, reason = parse_reply('{"children": ["x"]}', CriticReply)
    assert reason is None
    assert value is not None and value.edits == [] and value.children == ["x"]


def test_parse_reply_critic_bad_action_names_the_path():
    value, reason = parse_reply('{"edits": [{"action": "explode"}], "children": ["a"]}', CriticReply)
    assert value is None
    assert reason is not None and reason.startswith("edits.0.action:")


def test_parse_reply_critic_unknown_key_inside_edit_is_rejected():
    value, reason = parse_reply('{"edits": [{"action": "add", "bogus": 1}], "children": ["a"]}', CriticReply)
    assert value is None
    assert reason is not None and "edits.0.bogus" in reason


def test_parse_reply_critic_bare_list_is_invalid():
    value, reason = parse_reply('["a", "b"]', CriticReply)
    assert value is None
    assert reason is not None and reason.startswith("reply:")


def test_parse_reply_plan_valid():
    value, reason = parse_reply('Plan: {"plan": "Split by continent.", "extra": true}', PlanReply)
    assert reason is None
    assert isinstance(value, PlanReply)
    assert value.plan == "Split by continent."


def test_parse_reply_plan_empty_is_invalid():
    value, reason = parse_reply('{"plan": ""}', PlanReply)
    assert value is None
    assert reason is not None and reason.startswith("plan:")
    assert "at least 1" in reason


def test_parse_reply_plan_wrong_type_is_invalid():
    value, reason = parse_reply('{"plan": ["a", "b"]}', PlanReply)
    assert value is None
    assert reason is not None and reason.startswith("plan:")


def test_parse_reply_factors_valid_from_bare_list():
    value, reason = parse_reply('[{"name": "genre", "description": "kind of text"}, {"name": "tone"}]',
                                FactorsReply)
    assert reason is None
    assert isinstance(value, FactorsReply)
    assert value.factors == [ProposedFactor(name="genre", description="kind of text"),
                             ProposedFactor(name="tone", description="")]


def test_parse_reply_factors_empty_list_is_invalid():
    value, reason = parse_reply('{"factors": []}', FactorsReply)
    assert value is None
    assert reason is not None and reason.startswith("factors:")
    assert "at least 1" in reason


def test_parse_reply_factors_missing_name_names_the_path():
    value, reason = parse_reply('{"factors": [{"name": "ok"}, {"description": "no name"}]}', FactorsReply)
    assert value is None
    assert reason == "factors.1.name: Field required"


def test_parse_reply_reports_at_most_three_errors_and_counts_the_rest():
    value, reason = parse_reply('{"children": [1, 2, 3, 4, 5]}', ChildrenReply)
    assert value is None
    assert reason is not None
    assert reason.count(";") == 2  # three reasons joined
    assert reason.startswith("children.0:")
    assert "children.2:" in reason
    assert "children.3:" not in reason
    assert reason.endswith("(+2 more)")
