"""Contracts of the double critic step: accepted only on correct? yes and incorrect? no."""

from __future__ import annotations

import json

import pytest
from conftest import user_text
from datapoint_harness import asked, make

from seedless.core.dataset.record import Record


@pytest.mark.parametrize("correct,incorrect,accepted", [
    ("yes", "no", True), ("yes", "yes", False), ("no", "no", False), ("no", "yes", False)])
def test_the_double_critic_accepts_only_correct_yes_and_incorrect_no(tmp_path, scripted, correct, incorrect,
                                                                      accepted):
    scripted.overrides["judge_correct"] = lambda r: json.dumps({"explanation": "", "answer": correct})
    scripted.overrides["judge_incorrect"] = lambda r: json.dumps({"explanation": "", "answer": incorrect})
    result, client = make(tmp_path, scripted)
    assert isinstance(result, Record) is accepted
    if not accepted:
        assert result.stage == "double_critic"
        assert result.reason == f"double critic: 'is it correct?' {correct}, 'is it incorrect?' {incorrect}"
    judged = asked(client, "judge_correct")[0]
    assert "Proposed answer:" in user_text(judged) and '"answer"' not in user_text(judged).split("Task:")[1][:40]


def _proposed(request) -> int:
    return int(json.loads(user_text(request).rsplit("Proposed answer:", 1)[1].split("\n", 1)[0]))


def test_a_judge_whose_own_result_differs_from_the_answer_rejects_it_whatever_its_yes_or_no(tmp_path, scripted):
    """The 1.5B's failure read call by call: it computes the right result, then agrees with a wrong answer."""
    def says(word):
        return lambda r: json.dumps({"explanation": f"I worked it out. My result: {_proposed(r) + 1}.", "answer": word})

    scripted.overrides["judge_correct"] = says("yes")
    scripted.overrides["judge_incorrect"] = says("no")
    result, _ = make(tmp_path, scripted)
    assert not isinstance(result, Record) and result.stage == "double_critic"
    assert result.reason == "double critic: 'is it correct?' no, 'is it incorrect?' yes"
    read = [v.explanation for v in result.lineage.verdicts if v.critic.startswith("double")]
    assert read and all("[read: the judge's own result" in e and "is not the proposed answer" in e for e in read)


def test_a_judge_whose_own_result_is_the_answer_accepts_it_and_words_without_a_result_stand(tmp_path, scripted):
    scripted.overrides["judge_correct"] = lambda r: json.dumps(
        {"explanation": f"My result: {_proposed(r)}. Same.", "answer": "no"})
    scripted.overrides["judge_incorrect"] = lambda r: json.dumps({"explanation": "Looks fine.", "answer": "no"})
    result, _ = make(tmp_path, scripted)
    assert isinstance(result, Record)
    assert "is the proposed answer" in result.lineage.verdicts[-2].explanation


def test_a_judge_that_says_the_task_cannot_be_solved_rejects_the_answer(tmp_path, scripted):
    scripted.overrides["judge_correct"] = lambda r: json.dumps(
        {"explanation": "No numbers are given. My result: cannot be determined.", "answer": "yes"})
    scripted.overrides["judge_incorrect"] = lambda r: json.dumps({"explanation": "", "answer": "no"})
    result, _ = make(tmp_path, scripted)
    assert not isinstance(result, Record) and result.reason.startswith("double critic: 'is it correct?' no")


def _fixed(scripted, answer=7):
    scripted.overrides["generate"] = lambda r: json.dumps({"question": "How much is 3 + 4?", "answer": answer})
    scripted.overrides["judge_correct"] = lambda r: json.dumps({"explanation": "fine", "answer": "yes"})
    scripted.overrides["judge_incorrect"] = lambda r: json.dumps({"explanation": "fine", "answer": "no"})


def _solves(scripted, result):
    scripted.overrides["judge_solve"] = lambda r: json.dumps({"work": "3 + 4", "result": result})


@pytest.mark.parametrize("result", ["8", "cannot be determined", "Not enough information"])
def test_a_blind_result_other_than_the_answer_rejects_before_the_two_questions_are_asked(tmp_path, scripted, result):
    _fixed(scripted)
    _solves(scripted, result)
    rejected, client = make(tmp_path, scripted)
    assert not isinstance(rejected, Record) and rejected.stage == "double_critic"
    assert rejected.reason == f"double critic: the blind solve found {result!r}, not the proposed answer"
    assert asked(client, "judge_correct") == asked(client, "judge_incorrect") == []
    (verdict,) = [v for v in rejected.lineage.verdicts if v.critic == "blind_solve"]
    assert not verdict.passed and f"Blind result: {result!r}, not the proposed answer" in verdict.explanation
    solve = asked(client, "judge_solve")[0]
    assert "Proposed answer" not in user_text(solve)
    assert json.loads(user_text(solve).rsplit("Task:", 1)[1].strip().splitlines()[0]) == {
        "question": "How much is 3 + 4?"}


@pytest.mark.parametrize("result,compared", [("7", True), ("7 apples", True), ("seven", False), ("7 or 8", False)])
def test_a_blind_result_equal_to_the_answer_or_not_comparable_goes_on_to_the_two_questions(
        tmp_path, scripted, result, compared):
    _fixed(scripted)
    _solves(scripted, result)
    accepted, client = make(tmp_path, scripted)
    assert isinstance(accepted, Record)
    assert [v.critic for v in accepted.lineage.verdicts][-3:] == ["blind_solve", "double_correct", "double_incorrect"]
    shown = accepted.lineage.verdicts[-3].explanation
    assert ("the same as the proposed answer" in shown) is compared and ("not compared" in shown) is not compared
    assert len(asked(client, "judge_correct")) == 1


def test_no_blind_solve_for_an_answer_that_is_not_one_number_or_when_it_is_turned_off(tmp_path, scripted):
    _fixed(scripted, answer="seven")
    _solves(scripted, "8")
    text_answer = "output:\n  kind: fields\n  fields: [{name: question}, {name: answer}]\n  answer_field: answer\n"
    accepted, client = make(tmp_path / "a", scripted, extra=text_answer)
    assert isinstance(accepted, Record) and asked(client, "judge_solve") == []
    _fixed(scripted)
    accepted, client = make(tmp_path / "b", scripted, extra="generation: {blind_solve: false}\n")
    assert isinstance(accepted, Record) and asked(client, "judge_solve") == []
    assert "blind_solve" not in [v.critic for v in accepted.lineage.verdicts]


def test_a_judge_given_more_tokens_gets_room_for_longer_explanations_in_the_schema(tmp_path, scripted):
    _fixed(scripted)
    _solves(scripted, "7")
    more = "models:\n  endpoints: {fake: {kind: fake}}\n  default: fake\n  roles: {judge: {max_tokens: 1200}}\n"
    caps = {}
    for name, extra in (("default", ""), ("more", more)):
        _, client = make(tmp_path / name, scripted, extra=extra)
        sent = asked(client, "judge_correct")[0].json_schema["properties"]["explanation"]["maxLength"]
        solve = asked(client, "judge_solve")[0].json_schema["properties"]["work"]["maxLength"]
        caps[name] = (sent, solve)
    assert caps == {"default": (400, 400), "more": (1600, 1600)}  # 400 at the judge's default 300 tokens
