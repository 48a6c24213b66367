"""Contracts of the datapoint steps run by DatapointMaker: meta-prompt choice and history, complexification, repairs, the double critic."""

from __future__ import annotations

import asyncio
import json

import pytest

from conftest import SPEC, user_text
from seedless.core.plan.mix import Mix
from seedless.core.dataset.record import Record, Rejection
from seedless.engine.llm.bindings import Endpoints
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.clients.fake import FakeClient
from seedless.engine.stages.datapoint import DatapointMaker, Job, choose_meta_prompt
from seedless.engine.store.calls import Store
from seedless.spec import parse_spec

OUTPUT = """
output:
  kind: fields
  fields: [{name: question}, {name: answer, type: integer}]
  answer_field: answer
"""
MIX = Mix("all factors", (("Topic", "Fractions", "Halves"), ("Format", "Shopping")))


def make(tmp_path, model, job=None, extra=""):
    spec = parse_spec(SPEC + OUTPUT + extra)
    client = FakeClient("scripted", 16, responder=model)
    caller = Caller(Store(tmp_path / "s.db"), Endpoints(spec.models, clients={"fake": client}).bindings(), seed=0,
                    max_repairs=1)
    result = asyncio.run(DatapointMaker(spec, caller).make(job or Job(4, 0, MIX, complexify=False)))
    return result, client


def asked(client, name):
    return [r for r in client.requests if r.schema_name == name]


def test_a_datapoint_passes_every_stage_and_keeps_its_lineage(tmp_path, scripted):
    record, client = make(tmp_path, scripted)
    assert isinstance(record, Record) and record.id == "s000004"
    assert set(record.data) == {"question", "answer"} and isinstance(record.data["answer"], int)
    lineage = record.lineage
    assert lineage.mix == {"Topic": ["Topic", "Fractions", "Halves"], "Format": ["Format", "Shopping"]}
    assert lineage.meta_prompt == "A scenario about Halves and Shopping."
    assert lineage.complexified is False and lineage.original_meta_prompt is None
    assert lineage.model == "fake:scripted"
    assert [(v.critic, v.passed) for v in lineage.verdicts] == [
        ("requirements", True), ("double_correct", True), ("double_incorrect", True)]
    assert [r.schema_name for r in client.requests].count("generate") == 1
    assert "A scenario about Halves and Shopping." in user_text(asked(client, "generate")[0])


def test_the_kept_meta_prompt_names_the_most_mix_nodes_then_differs_most_from_history():
    candidates = ["A story at the shop.", "Halves of a pizza while shopping.", "Halves while Shopping today."]
    assert choose_meta_prompt(candidates, MIX, ()) == "Halves of a pizza while shopping."
    history = ("Halves of a pizza while shopping.",)
    assert choose_meta_prompt(candidates, MIX, history) == "Halves while Shopping today."


def test_earlier_meta_prompts_of_the_same_mix_are_in_context(tmp_path, scripted):
    _, client = make(tmp_path, scripted, Job(9, 0, MIX, False, history=("First idea.", "Second idea.")))
    text = user_text(asked(client, "meta_prompt")[0])
    assert "Scenarios already written for these same requirements" in text
    assert "- First idea.\n- Second idea." in text


def test_a_complexified_datapoint_keeps_the_original_meta_prompt(tmp_path, scripted):
    record, client = make(tmp_path, scripted, Job(1, 0, MIX, complexify=True))
    assert record.lineage.complexified is True
    assert record.lineage.original_meta_prompt == "A scenario about Halves and Shopping."
    assert record.lineage.meta_prompt == "HARDER: A scenario about Halves and Shopping."
    assert "Fractions > Halves" in user_text(asked(client, "complexify")[0])


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


def test_no_answer_field_means_no_double_critic(tmp_path, scripted):
    spec_extra = "generation: {double_critic: true}\n"
    spec = parse_spec(SPEC + "output: {kind: text}\n" + spec_extra)
    client = FakeClient("scripted", 16, responder=scripted)
    caller = Caller(Store(tmp_path / "s.db"), Endpoints(spec.models, clients={"fake": client}).bindings(), seed=0,
                    max_repairs=1)
    record = asyncio.run(DatapointMaker(spec, caller).make(Job(0, 0, MIX, False)))
    assert isinstance(record, Record) and set(record.data) == {"text"}
    assert not asked(client, "judge_correct")


def test_an_invalid_datapoint_is_rejected_with_the_reason(tmp_path, scripted):
    scripted.overrides["generate"] = lambda r: json.dumps({"question": "Q?", "answer": "many"})
    rejection, client = make(tmp_path, scripted)
    assert rejection.stage == "generate"
    assert "answer: 'many' is not of type 'integer'" in rejection.reason
    assert len(asked(client, "generate")) == 2  # one repair of the reply (caller max_repairs=1)


def test_the_baseline_makes_one_call_per_datapoint(tmp_path, scripted):
    baseline = "generation: {meta_prompt: false, requirement_critic: false, double_critic: false}\n"
    record, client = make(tmp_path, scripted, extra=baseline)
    assert [r.schema_name for r in client.requests] == ["generate"]
    assert record.lineage.meta_prompt == "Write a datapoint with: Topic: Fractions > Halves; Format: Shopping."
