"""Contracts of the requirement critic step: repairs with the explanation, bounded, then rejection."""

from __future__ import annotations

import json

from conftest import user_text
from datapoint_harness import asked, make

from seedless.core.dataset.record import Record, Rejection


def test_a_failed_requirement_is_repaired_with_the_explanation_then_accepted(tmp_path, scripted):
    verdicts = iter(["fail", "pass"])
    scripted.overrides["critic_requirements"] = lambda r: json.dumps(
        {"explanation": "the question never mentions halves", "verdict": next(verdicts)})
    scripted.overrides["repair_datapoint"] = lambda r: json.dumps({"question": "What is half of 8?", "answer": 4})
    record, client = make(tmp_path, scripted)
    assert isinstance(record, Record)
    assert record.data == {"question": "What is half of 8?", "answer": 4}
    assert [r.reason for r in record.lineage.repairs] == ["the question never mentions halves"]
    assert [(v.passed, v.attempt) for v in record.lineage.verdicts if v.critic == "requirements"] == [
        (False, 0), (True, 1)]
    assert "A reviewer found this problem: the question never mentions halves" in user_text(
        asked(client, "repair_datapoint")[0])

def test_repairs_are_bounded_then_the_datapoint_is_rejected(tmp_path, scripted):
    scripted.overrides["critic_requirements"] = lambda r: json.dumps({"explanation": "wrong", "verdict": "fail"})
    rejection, client = make(tmp_path, scripted, extra="generation: {max_repairs: 2}\n")
    assert isinstance(rejection, Rejection) and rejection.stage == "requirements"
    assert rejection.reason == "failed the requirement critic after 2 repair(s): wrong"
    assert len(asked(client, "repair_datapoint")) == 2
    assert len(asked(client, "critic_requirements")) == 3
    assert rejection.data is not None and rejection.id == "s000004-a0"
