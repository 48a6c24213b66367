"""Contracts of the critic measure on the fake model: p and q from scripted double-critic answers, a corruption that
repeats the original retried once then dropped from q (a numeric one gets a numeric slip), a corrupted answer kept in the original's format, resume."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from conftest import ScriptedModel, fake_clients, user_text

from seedless.core.eval_replies import answer_problem, answer_schema, same_answer
from seedless.engine.commands.evaluate import evaluate
from seedless.engine.evaluation.items import DataError
from seedless.spec.eval_settings import EvalSettings
from seedless.spec.models import FakeEndpoint, ModelsSettings

ITEMS = [("q0", "2+2", 4), ("q1", "3+3", 6), ("q2", "5+5", 10), ("q3", "'a'+'b'", "ab")]
CORRUPT = {"2+2": [5], "3+3": [7], "5+5": [10, 11], "'a'+'b'": ["ab", "AB"], "1+1": [2, 2]}  # first try, retry
TASK = re.compile(r'^Task: (\{.*\})$', re.M)
PROPOSED = re.compile(r"^Proposed answer: (.*)$", re.M)


def question(request) -> str:
    tasks = [TASK.findall(c) for r, c in request.messages if r == "user"]
    return json.loads(tasks[-1][-1] if tasks[-1] else [t for t in tasks if t][-1][-1])["question"]


def corrupt(request):
    retry = "is the same as the correct answer" in user_text(request)
    return json.dumps({"change": "off by one", "answer": CORRUPT[question(request)][1 if retry else 0]})


def verdict(request, which):
    """Right about every answer, except: it always doubts 3+3, and 5 for 2+2 fools both questions."""
    q, answer = question(request), json.loads(PROPOSED.search(user_text(request)).group(1))
    right = answer == eval(q)
    fooled = (q, answer) == ("2+2", 5)
    said_correct = (right or fooled) and q != "3+3"
    said_incorrect = not (right or fooled)
    return json.dumps({"explanation": "checked", "answer": "yes" if (said_correct if which == "correct"
                                                                     else said_incorrect) else "no"})


@pytest.fixture
def model():
    m = ScriptedModel()
    m.overrides["corrupt_answer"] = corrupt
    m.overrides["judge_correct"] = lambda r: verdict(r, "correct")
    m.overrides["judge_incorrect"] = lambda r: verdict(r, "incorrect")
    return m


def run(tmp_path, model, items=ITEMS, **kw):
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"id": i, "question": q, "answer": a}) + "\n" for i, q, a in items))
    clients, client = fake_clients(model)
    kw.setdefault("answer_field", "answer")
    settings = EvalSettings(models=ModelsSettings(endpoints={"fake": FakeEndpoint()}, default="fake"),
                            metrics=["critic"], **kw)
    return asyncio.run(evaluate(data, settings, tmp_path / "r.json", clients=clients)), client


def test_p_q_rejection_rate_and_lift_follow_the_critics_answers(tmp_path, model):
    report, _ = run(tmp_path, model)
    c = report.as_dict()["critic"]
    # originals: q1 doubted -> p = 3/4; corrupted: 5 (for 2+2) fooled it, 7 and 11 caught, q3 dropped -> q = 1/3
    assert (c["p"], c["q"], c["rejection_rate"]) == (0.75, 0.3333, 0.4286)  # (1 + 2) / 7
    assert c["counts"] == {"correct": 4, "correct_accepted": 3, "corrupted": 3, "corrupted_accepted": 1,
                                "identical_dropped": 1, "retried": 2, "corruption_failed": 0, "critic_failed": 0}
    # mu = 0.5: A = 0.375 + 0.5/3 = 0.5417; accuracy 0.375 / A = 0.6923
    assert [f["mu"] for f in c["filtering"]] == [0.5, 0.7, 0.9] and c["generator_accuracy"] == 0.5
    assert (c["filtering"][0]["accepted"], c["filtering"][0]["accuracy"], c["filtering"][0]["lift"]) == (
        0.5417, 0.6923, 0.1923)
    assert c["separates"] is True


def test_each_item_reports_both_verdicts_and_its_corruption(tmp_path, model):
    report, client = run(tmp_path, model)
    results = {r["id"]: r for r in report.as_dict()["critic"]["results"]}
    assert results["q0"]["original"]["accepted"] and results["q0"]["corrupted_answer"] == 5
    assert results["q0"]["corrupted"]["accepted"] is True and results["q0"]["change"] == "off by one"
    assert results["q1"]["original"] | {"explanations": []} == {
        "accepted": False, "blind_result": "as the task says", "correct?": "no", "incorrect?": "no",
        "explanations": []}
    assert results["q2"]["retried"] and results["q2"]["corrupted_answer"] == 11 and results["q2"]["dropped"] is None
    assert results["q3"]["dropped"].startswith("the corruption repeated") and results["q3"]["corrupted"] is None
    # the task shown to the critic and the corrupter is the datapoint without its answer (and without its id)
    asked = next(r for r in client.requests if r.schema_name == "corrupt_answer")
    assert '"answer"' not in TASK.findall(user_text(asked))[-1] and '"id"' not in TASK.findall(user_text(asked))[-1]
    # 4 originals + 3 corrupted copies, two questions each; 4 corruptions + 2 retries; a blind solve for each
    # numeric task (not 'a'+'b'), sent once: the corrupted copy has the same task and reuses it
    names = [r.schema_name for r in client.requests]
    assert names.count("judge_correct") == names.count("judge_incorrect") == 7 and names.count("corrupt_answer") == 6
    assert names.count("judge_solve") == 3


def test_no_blind_solve_when_it_is_turned_off(tmp_path, model):
    report, client = run(tmp_path, model, blind_solve=False)
    assert not any(r.schema_name == "judge_solve" for r in client.requests)
    assert all(r["original"]["blind_result"] is None for r in report.as_dict()["critic"]["results"])


def test_a_blind_result_that_differs_from_the_answer_rejects_without_the_two_questions(tmp_path, model):
    model.overrides["judge_solve"] = lambda r: json.dumps({"work": "added", "result": str(eval(question(r)))})
    report, client = run(tmp_path, model, items=ITEMS[:1])
    result = report.as_dict()["critic"]["results"][0]
    assert result["original"]["accepted"] and result["original"]["blind_result"] == "4"
    # 2+2 = 5 fools both questions (see verdict), but the blind result 4 is not 5
    assert result["corrupted_answer"] == 5 and result["corrupted"]["accepted"] is False
    assert result["corrupted"]["correct?"] == result["corrupted"]["incorrect?"] == "not asked"
    names = [r.schema_name for r in client.requests]
    assert names.count("judge_correct") == 1 and names.count("judge_solve") == 1


def test_a_numeric_answer_the_corrupter_repeats_twice_gets_a_numeric_slip(tmp_path, model):
    report, _ = run(tmp_path, model, items=ITEMS[:3] + [("q3", "1+1", 2)])
    q3 = {r["id"]: r for r in report.as_dict()["critic"]["results"]}["q3"]
    assert q3["retried"] and q3["dropped"] is None and q3["corrupted_answer"] == 4  # slip 3 of SLIPS: doubled
    assert "numeric slip" in q3["change"] and q3["corrupted"]["accepted"] is False


def test_a_chosen_generator_accuracy_is_reported_beside_the_fixed_ones(tmp_path, model):
    report, _ = run(tmp_path, model, generator_accuracy=0.8)
    assert [f["mu"] for f in report.as_dict()["critic"]["filtering"]] == [0.5, 0.7, 0.8, 0.9]


def test_a_corruption_in_another_format_is_repaired(tmp_path, model):
    model.overrides["corrupt_answer"] = lambda r: (
        corrupt(r) if "could not be used" in user_text(r) else json.dumps({"change": "x", "answer": "five"}))
    report, client = run(tmp_path, model, items=ITEMS[:1])
    assert report.as_dict()["critic"]["results"][0]["corrupted_answer"] == 5
    repair = [r for r in client.requests if r.schema_name == "corrupt_answer"][-1]
    assert "keep the format of the correct answer" in user_text(repair)


def test_the_critic_run_again_sends_no_call(tmp_path, model):
    first, _ = run(tmp_path, model)
    again, client = run(tmp_path, model)
    assert first.calls_sent == 23 and client.requests == []  # 20 + 3 blind solves and again.critic == first.critic


def test_an_item_without_the_answer_field_is_a_data_error_before_any_call(tmp_path, model):
    with pytest.raises(DataError, match="no field 'solution' .* in item\\(s\\) q0, q1, q2, q3"):
        run(tmp_path, model, answer_field="solution")
    assert not model.calls


def test_the_critic_measure_needs_an_answer_field():
    with pytest.raises(ValueError, match="answer_field"):
        EvalSettings(metrics=["critic"])


def test_a_corrupted_answer_keeps_the_shape_of_the_original():
    original = {"choice": "B", "steps": ["a", "b"], "value": 3}
    assert answer_schema(original)["required"] == ["choice", "steps", "value"]
    assert answer_problem(original, {"choice": "C", "steps": ["x"], "value": 4}) is None
    assert "is not of type 'integer'" in answer_problem(original, {"choice": "C", "steps": [], "value": "4"})
    assert answer_problem(True, 1) is not None and answer_problem(4, 5.0) is None
    assert same_answer(" Paris ", "paris") and same_answer(3, 3.0) and not same_answer("B", "C")
