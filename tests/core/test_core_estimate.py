"""Contracts of the estimate arithmetic: tree sizes from the children midpoint, tries scaled by acceptance and capped
by the attempt bound, repairs and double-critic calls per try, stages that are off cost nothing, prices."""

from __future__ import annotations

import pytest

from conftest import SPEC
from seedless.core.estimate import Assumptions, SiteCost, StepLoad, estimate, expected_calls, expanded_nodes, per_try
from seedless.engine.commands.estimate import step_loads
from seedless.spec import parse_spec
from seedless.spec.models import Price

OUTPUT = "output: {kind: fields, fields: [{name: question}, {name: answer, type: integer}], answer_field: answer}\n"


def calls(spec, acceptance=1.0):
    return {s.prompt: s.calls for s in expected_calls(spec, Assumptions(acceptance), step_loads(spec))}


def tries(spec, acceptance):
    return calls(spec, acceptance)["generate"].expected


def test_a_try_reaches_each_step_with_the_chance_that_every_earlier_step_passed():
    loads = [StepLoad("a", {"x": 1.0}, 0.5), StepLoad("b", {"y": 2.0}, 0.5), StepLoad("c", {"x": 1.0}, 1.0)]
    assert per_try(loads) == ({"x": 1.25, "y": 1.0}, 0.25)
    assert per_try(loads, reach_every_step=True) == ({"x": 2.0, "y": 2.0}, 0.25)


def test_a_tree_expands_the_root_and_every_node_above_the_leaves():
    assert expanded_nodes(1, 2.5) == 1 and expanded_nodes(3, 2) == 1 + 2 + 4


def test_taxonomy_calls_follow_proposals_critic_and_level_plans():
    got = calls(parse_spec(SPEC + OUTPUT))  # Topic depth 2, Format depth 1, children 1..4 -> midpoint 2.5
    assert got["taxonomy_propose"].expected == 3 * (1 + 2.5 + 1)
    assert got["taxonomy_critic"].expected == 1 + 2.5 + 1 and got["level_plan"].expected == 1
    assert "factors" not in got and got["strategies"].expected == 1


def test_when_every_check_passes_each_try_makes_one_datapoint():
    got = calls(parse_spec(SPEC + OUTPUT + "size: 20\n"))
    assert got["generate"].expected == 20 and got["meta_prompt"].expected == 20
    assert got["complexify"].expected == 10 and got["critic_requirements"].expected == 20
    assert "repair_datapoint" in got and got["repair_datapoint"].expected == 0
    assert got["judge_correct"].expected == 20 and got["judge_incorrect"].expected == 20
    assert got["judge_solve"].expected == 20  # a numeric answer: the blind solve first


def test_the_blind_solve_is_counted_only_for_a_numeric_answer_field_with_the_setting_on():
    text_answer = OUTPUT.replace("{name: answer, type: integer}", "{name: answer}")
    assert "judge_solve" not in calls(parse_spec(SPEC + text_answer + "size: 20\n"))
    assert "judge_solve" not in calls(parse_spec(SPEC + OUTPUT + "size: 20\ngeneration: {blind_solve: false}\n"))
    checked = parse_spec(SPEC + OUTPUT + "size: 20\nsamples: [{question: 'How much is 2 + 2?', answer: 4}]\n")
    got = calls(checked)["judge_solve"]  # the judge check's item: once (its corrupted copy reuses it), at most twice
    assert (got.expected, got.high - 80) == (21, 2)


def test_lower_acceptance_means_more_tries_and_repairs_but_never_past_the_attempt_bound():
    spec = parse_spec(SPEC + OUTPUT + "size: 20\ngeneration: {max_repairs: 1}\n")
    # a requirement round passes with 0.5, one repair: P(pass) = 0.75; then the double critic: 0.375
    assert tries(spec, 0.5) == pytest.approx(20 / 0.375)
    got = calls(spec, 0.5)
    assert got["repair_datapoint"].expected == pytest.approx(20 / 0.375 * 0.5)
    assert tries(spec, 0.05) == 80 and got["generate"].high == 80


def test_switched_off_stages_have_no_calls():
    spec = parse_spec(SPEC + "size: 10\ntaxonomy: {critic: false, level_plan: false}\nstrategy: {write: false}\n"
                      "generation: {meta_prompt: false, complexify: 0, requirement_critic: false}\n")
    assert set(calls(spec)) == {"taxonomy_propose", "generate"}


def test_proposed_factors_cost_one_call_and_assume_max_factors_taxonomies():
    spec = parse_spec("description: Short stories for children.\ntaxonomy: {depth: 1, max_factors: 3, proposals: 2}\n")
    got = calls(spec)
    assert got["factors"].expected == 1 and got["taxonomy_propose"].expected == 6
    assert got["taxonomy_propose"].low == 4


def test_cost_is_tokens_times_the_price_per_million():
    spec = parse_spec(SPEC + "size: 10\ngeneration: {meta_prompt: false, complexify: 0, requirement_critic: false}\n"
                      "taxonomy: {critic: false, level_plan: false}\nstrategy: {write: false}\n")
    stages = [s for s in expected_calls(spec, Assumptions(), step_loads(spec)) if s.stage == "generate"]
    site = SiteCost("fake", "fake:fake", 100, 1000, Price(input_per_million=1.0, output_per_million=2.0))
    result = estimate(stages, {"generate": site}, Assumptions(completion_fraction=0.5))
    # 10 calls x (100 prompt x 1 + 500 completion x 2) per million
    assert result.total("cost").expected == pytest.approx(10 * (100 + 1000) / 1e6)
    # high: the attempt bound (4 x size) at max_tokens
    assert result.total("cost").high == pytest.approx(40 * (100 + 2000) / 1e6) and result.unpriced == []
