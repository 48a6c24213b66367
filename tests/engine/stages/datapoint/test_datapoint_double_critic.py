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
