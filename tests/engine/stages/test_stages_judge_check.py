"""Contracts of the judge check: p and q on known-correct datapoints and corrupted copies, before generation;
the stop (or warning) when the judge cannot tell them apart; the figures in judge_check.json and the lineage."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from conftest import fake_clients, user_text

from seedless.engine.commands.plan import build_plan
from seedless.engine.commands.run import run_dataset
from seedless.engine.stages.factors import StageError
from seedless.engine.stages.judge_check import JudgeCheckFailed
from seedless.spec import load_spec, parse_spec

SPEC = """
description: Word problems in arithmetic for primary school pupils.
factors:
  - {name: Topic, description: the maths topic, depth: 1}
taxonomy: {depth: 1, proposals: 1, min_children: 1, max_children: 4, critic: false, level_plan: false}
samples:
  - {question: "Tom has 3 apples and buys 4 more. How many apples does he have?", answer: 7}
  - {question: "A box holds 6 eggs. How many eggs are in 2 boxes?", answer: 12}
  - {question: "Sam had 10 sweets and ate 3. How many are left?", answer: 7}
  - "a text sample without an answer is not a known-correct datapoint"
size: 2
generation: {candidates: 1, complexify: 0, requirement_critic: false}
output:
  kind: fields
  fields:
    - {name: question, description: the problem}
    - {name: answer, type: number, description: the answer}
  answer_field: answer
models:
  endpoints: {fake: {kind: fake}}
  default: fake
"""
TRUE = {7, 12}
ANSWER = re.compile(r"Proposed answer: (.*)")
CORRECT = re.compile(r"Correct answer: (.*)")


def spec_with(extra: str = "", text: str = SPEC):
    return parse_spec(text + extra)


def discerning(scripted, sees_truth: bool = True):
    """Corruptions add 1; a discerning judge accepts exactly the true answers (or, blind, everything)."""
    scripted.overrides["corrupt_answer"] = lambda r: json.dumps(
        {"change": "off by one", "answer": float(CORRECT.search(user_text(r)).group(1)) + 1})
    scripted.overrides["generate"] = lambda r: json.dumps({"question": "How much is 3 + 4?", "answer": 7})

    def judge(correct_side: bool):
        def reply(request):
            right = float(ANSWER.search(user_text(request)).group(1)) in TRUE or not sees_truth
            says = "yes" if right == correct_side else "no"
            return json.dumps({"explanation": "worked it out", "answer": says})
        return reply

    scripted.overrides["judge_correct"] = judge(True)
    scripted.overrides["judge_incorrect"] = judge(False)


def plan(spec, out, scripted):
    clients, client = fake_clients(scripted)
    return asyncio.run(build_plan(spec, out, clients=clients)), client


def test_a_judge_that_tells_right_from_wrong_passes_with_p_1_and_q_0(scripted, tmp_path):
    discerning(scripted)
    outcome, client = plan(spec_with(), tmp_path, scripted)
    figures = outcome.judge.figures
    assert (figures.p, figures.q, figures.correct, figures.corrupted, figures.passed) == (1.0, 0.0, 3, 3, True)
    assert figures.model == "fake:scripted"
    saved = json.loads((tmp_path / "judge_check.json").read_text())
    assert saved["p"] == 1.0 and saved["q"] == 0.0 and len(saved["items"]) == 3
    assert saved["items"][0]["corrupted_answer"] == 8.0
    # One blind solve per item (the corrupted copy has the same task, so it reuses the original's), both
    # double-critic questions on each original and each corrupted copy, one corruption each.
    assert sum(r.schema_name == "corrupt_answer" for r in client.requests) == 3
    assert sum(r.schema_name == "judge_solve" for r in client.requests) == 3
    assert sum(r.schema_name in ("judge_correct", "judge_incorrect") for r in client.requests) == 12


SOLVED = {"Tom has 3 apples": "7", "A box holds 6 eggs": "12", "Sam had 10 sweets": "7"}


def blind_solver(scripted):
    """A judge that, shown only the task, works out the true result."""
    def reply(request):
        text = user_text(request).split("Task:")[-1]
        found = next(result for start, result in SOLVED.items() if start in text)
        return json.dumps({"work": "worked it out", "result": found})
    scripted.overrides["judge_solve"] = reply


def test_a_blind_solve_rejects_corrupted_copies_before_the_two_questions_even_when_the_judge_says_yes(
        scripted, tmp_path):
    discerning(scripted, sees_truth=False)  # 'correct?' yes and 'incorrect?' no to everything
    blind_solver(scripted)
    outcome, client = plan(spec_with(), tmp_path, scripted)
    figures = outcome.judge.figures
    assert (figures.p, figures.q, figures.passed) == (1.0, 0.0, True)
    # Only the originals reach the two questions: each corrupted copy ends at its blind solve.
    assert sum(r.schema_name in ("judge_correct", "judge_incorrect") for r in client.requests) == 6
    for request in (r for r in client.requests if r.schema_name == "judge_solve"):
        task = json.loads(user_text(request).split("Task:")[-1].strip().splitlines()[0])
        assert "Proposed answer" not in user_text(request) and list(task) == ["question"]


def test_without_the_blind_solve_the_same_judge_accepts_every_corruption(scripted, tmp_path):
    discerning(scripted, sees_truth=False)
    blind_solver(scripted)
    with pytest.raises(JudgeCheckFailed):
        plan(spec_with(text=SPEC.replace("requirement_critic: false}", "requirement_critic: false, blind_solve: false}")),
             tmp_path, scripted)
    assert scripted.calls["judge_solve"] == 0


def test_a_judge_that_accepts_everything_stops_the_plan_naming_the_judge_role(scripted, tmp_path):
    discerning(scripted, sees_truth=False)
    with pytest.raises(JudgeCheckFailed) as caught:
        plan(spec_with(), tmp_path, scripted)
    message = str(caught.value)
    assert "p = 1.00 (3/3)" in message and "q = 1.00 (3/3)" in message
    assert "role 'judge'" in message and "on_fail: warn" in message
    assert json.loads((tmp_path / "judge_check.json").read_text())["passed"] is False


def test_the_run_stops_before_any_datapoint_when_the_check_fails(scripted, tmp_path):
    discerning(scripted, sees_truth=False)
    clients, client = fake_clients(scripted)
    with pytest.raises(JudgeCheckFailed):
        asyncio.run(run_dataset(spec_with(), tmp_path, clients=clients))
    assert not any(r.schema_name == "generate" for r in client.requests)


def test_on_fail_warn_generates_anyway_and_every_lineage_keeps_the_figures(scripted, tmp_path):
    discerning(scripted, sees_truth=False)
    spec = spec_with(text=SPEC.replace("complexify: 0,", "complexify: 0, judge_check: {on_fail: warn},"))
    clients, _ = fake_clients(scripted)
    outcome = asyncio.run(run_dataset(spec, tmp_path, clients=clients))
    assert outcome.judge.figures.passed is False
    lines = [json.loads(line) for line in (tmp_path / "dataset.jsonl").read_text().splitlines()]
    assert lines and all(line["lineage"]["judge_check"]["q"] == 1.0 for line in lines)


def test_size_bounds_the_items_and_a_rerun_sends_no_check_call(scripted, tmp_path):
    discerning(scripted)
    spec = spec_with(text=SPEC.replace("complexify: 0,", "complexify: 0, judge_check: {size: 2},"))
    first, _ = plan(spec, tmp_path, scripted)
    assert first.judge.figures.correct == 2
    again, client = plan(spec, tmp_path, scripted)
    assert again.judge.figures == first.judge.figures and client.requests == []


def test_without_known_correct_datapoints_the_check_is_skipped_with_the_reason(scripted, tmp_path):
    text = re.sub(r"samples:\n(  - .*\n)+", "", SPEC)
    outcome, client = plan(parse_spec(text), tmp_path, scripted)
    assert outcome.judge.figures is None
    assert "no known-correct datapoints" in outcome.judge.message and "judge_check.items" in outcome.judge.message
    assert not any(r.schema_name == "corrupt_answer" for r in client.requests)


def test_items_from_a_file_are_checked_against_the_output_format_by_line(scripted, tmp_path):
    discerning(scripted)
    items = tmp_path / "known.jsonl"
    items.write_text('{"question": "How much is 5 + 2?", "answer": 7}\n{"question": "No answer here"}\n')
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(SPEC.replace("complexify: 0,", "complexify: 0, judge_check: {items: known.jsonl},"))
    with pytest.raises(StageError, match=r"known.jsonl:2: not a datapoint"):
        plan(load_spec(spec_file), tmp_path / "run", scripted)
    items.write_text('{"question": "How much is 5 + 2?", "answer": 7}\n')
    outcome, _ = plan(load_spec(spec_file), tmp_path / "run", scripted)
    assert outcome.judge.figures.correct == 1 and outcome.judge.figures.passed


def test_the_estimate_counts_the_checks_corruptions_and_judgements():
    from seedless.core.estimate import Assumptions, expected_calls
    from seedless.engine.commands.estimate import step_loads

    def counts(spec):
        return {c.site.name: c.calls for c in expected_calls(spec, Assumptions(), step_loads(spec))}

    spec = spec_with()
    without = counts(spec_with(text=SPEC.replace("complexify: 0,", "complexify: 0, judge_check: {enabled: false},")))
    with_check = counts(spec)
    assert with_check["corrupt_answer"].low == 3 and "corrupt_answer" not in without
    assert with_check["judge_correct"].low == without["judge_correct"].low + 6


def test_a_corrupter_that_repeats_a_numeric_answer_is_replaced_by_a_numeric_slip(scripted, tmp_path):
    discerning(scripted)
    scripted.overrides["corrupt_answer"] = lambda r: json.dumps(  # the first ask's answer, also on the retry
        {"change": "none", "answer": float(CORRECT.findall(" ".join(c for _, c in r.messages))[-1])})
    outcome, _ = plan(spec_with(), tmp_path, scripted)
    items = outcome.judge.check.items
    assert [i.corrupted_answer for i in items] == [8, 11, 17]  # 7 + 1, 12 - 1, 7 + 10 (slips by item index)
    assert all(i.retried and i.dropped is None and "numeric slip" in i.change for i in items)
    assert (outcome.judge.figures.p, outcome.judge.figures.q, outcome.judge.figures.corrupted) == (1.0, 0.0, 3)


def test_a_judge_that_cannot_solve_the_tasks_blind_is_told_so_in_the_stop_message(scripted, tmp_path):
    discerning(scripted)
    scripted.overrides["judge_solve"] = lambda r: json.dumps({"work": "guessed", "result": "99"})
    with pytest.raises(JudgeCheckFailed) as caught:
        plan(spec_with(), tmp_path, scripted)
    message = " ".join(str(caught.value).split())
    assert "p = 0.00 (0/3)" in message
    assert "Its blind solve missed 3 of the 3 known-correct answers" in message
    assert "generation.blind_solve: false" in message and "role 'judge'" in message
