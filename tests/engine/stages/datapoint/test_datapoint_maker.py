"""Contracts of DatapointMaker: the enabled steps in order, the lineage of an accepted datapoint, steps switched off."""

from __future__ import annotations

import asyncio

from conftest import SPEC, user_text
from datapoint_harness import MIX, asked, make

from seedless.core.dataset.record import Record
from seedless.engine.llm.bindings import Endpoints
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.clients.fake import FakeClient
from seedless.engine.stages.datapoint import DatapointMaker, Job
from seedless.engine.store.calls import Store
from seedless.spec import parse_spec


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
        ("requirements", True), ("blind_solve", True), ("double_correct", True), ("double_incorrect", True)]
    assert [r.schema_name for r in client.requests].count("generate") == 1
    assert "A scenario about Halves and Shopping." in user_text(asked(client, "generate")[0])

def test_no_answer_field_means_no_double_critic(tmp_path, scripted):
    spec_extra = "generation: {double_critic: true}\n"
    spec = parse_spec(SPEC + "output: {kind: text}\n" + spec_extra)
    client = FakeClient("scripted", 16, responder=scripted)
    caller = Caller(Store(tmp_path / "s.db"), Endpoints(spec.models, clients={"fake": client}).bindings(), seed=0,
                    max_repairs=1)
    record = asyncio.run(DatapointMaker(spec, caller).make(Job(0, 0, MIX, False)))
    assert isinstance(record, Record) and set(record.data) == {"text"}
    assert not asked(client, "judge_correct")

def test_the_baseline_makes_one_call_per_datapoint(tmp_path, scripted):
    baseline = "generation: {meta_prompt: false, requirement_critic: false, double_critic: false}\n"
    record, client = make(tmp_path, scripted, extra=baseline)
    assert [r.schema_name for r in client.requests] == ["generate"]
    assert record.lineage.meta_prompt == "Write a datapoint with: Topic: Fractions > Halves; Format: Shopping."
