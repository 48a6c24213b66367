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
