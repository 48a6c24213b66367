"""Contracts of the estimate arithmetic: tree sizes from the children midpoint, tries scaled by acceptance and capped
by the attempt bound, repairs and double-critic calls per try, stages that are off cost nothing, prices."""

from __future__ import annotations

import pytest

from conftest import SPEC
from seedless.core.estimate import Assumptions, CallSite, estimate, expected_calls, expanded_nodes, tries
from seedless.spec import parse_spec
from seedless.spec.models import Price

OUTPUT = "output: {kind: fields, fields: [{name: question}, {name: answer, type: integer}], answer_field: answer}\n"


def calls(spec, acceptance=1.0):
    return {s.stage: s.calls for s in expected_calls(spec, Assumptions(acceptance))}


def test_a_tree_expands_the_root_and_every_node_above_the_leaves():
    assert expanded_nodes(1, 2.5) == 1 and expanded_nodes(3, 2) == 1 + 2 + 4


def test_taxonomy_calls_follow_proposals_critic_and_level_plans():
    got = calls(parse_spec(SPEC + OUTPUT))  # Topic depth 2, Format depth 1, children 1..4 -> midpoint 2.5
    assert got["taxonomy proposals"].expected == 3 * (1 + 2.5 + 1)
    assert got["taxonomy critic"].expected == 1 + 2.5 + 1 and got["level plans"].expected == 1
    assert "factors" not in got and got["strategies"].expected == 1


def test_when_every_check_passes_each_try_makes_one_datapoint():
    got = calls(parse_spec(SPEC + OUTPUT + "size: 20\n"))
    assert got["generation"].expected == 20 and got["meta-prompts"].expected == 20
    assert got["complexification"].expected == 10 and got["requirement critic"].expected == 20
    assert got["repairs"].expected == 0 and got["double critic"].expected == 40


def test_lower_acceptance_means_more_tries_and_repairs_but_never_past_the_attempt_bound():
    spec = parse_spec(SPEC + OUTPUT + "size: 20\ngeneration: {max_repairs: 1}\n")
    # a requirement round passes with 0.5, one repair: P(pass) = 0.75; then the double critic: 0.375
    assert tries(spec, 0.5) == pytest.approx(20 / 0.375)
    got = calls(spec, 0.5)
    assert got["repairs"].expected == pytest.approx(20 / 0.375 * 0.5)
    assert tries(spec, 0.05) == 80 and got["generation"].high == 80


def test_switched_off_stages_have_no_calls():
    spec = parse_spec(SPEC + "size: 10\ntaxonomy: {critic: false, level_plan: false}\nstrategy: {write: false}\n"
                      "generation: {meta_prompt: false, complexify: 0, requirement_critic: false}\n")
    assert set(calls(spec)) == {"taxonomy proposals", "generation"}


def test_proposed_factors_cost_one_call_and_assume_max_factors_taxonomies():
    spec = parse_spec("description: Short stories for children.\ntaxonomy: {depth: 1, max_factors: 3, proposals: 2}\n")
    got = calls(spec)
    assert got["factors"].expected == 1 and got["taxonomy proposals"].expected == 6
    assert got["taxonomy proposals"].low == 4


def test_cost_is_tokens_times_the_price_per_million():
    spec = parse_spec(SPEC + "size: 10\ngeneration: {meta_prompt: false, complexify: 0, requirement_critic: false}\n"
                      "taxonomy: {critic: false, level_plan: false}\nstrategy: {write: false}\n")
    stages = [s for s in expected_calls(spec, Assumptions()) if s.stage == "generation"]
    site = CallSite("fake", "fake:fake", 100, 1000, Price(input_per_million=1.0, output_per_million=2.0))
    result = estimate(stages, {"generate": site}, Assumptions(completion_fraction=0.5))
    # 10 calls x (100 prompt x 1 + 500 completion x 2) per million
    assert result.total("cost").expected == pytest.approx(10 * (100 + 1000) / 1e6)
    # high: the attempt bound (4 x size) at max_tokens
    assert result.total("cost").high == pytest.approx(40 * (100 + 2000) / 1e6) and result.unpriced == []
