"""Contracts of the Python API: the same run, eval, estimate and validation as the CLI, typed results back."""

from __future__ import annotations

import json
import sqlite3

import pytest

import seedless
from conftest import SPEC, ScriptedModel, fake_clients
from seedless.core.dataset.record import Record
from seedless.engine.llm.clients.fake import FakeClient
from seedless.engine.store.rundir import RunDirError

OUTPUT = """
size: 6
output:
  kind: fields
  fields: [{name: question}, {name: answer, type: integer}]
  answer_field: answer
"""


def test_the_api_runs_a_spec_given_as_text_and_returns_typed_records(tmp_path):
    clients, client = fake_clients(ScriptedModel())
    outcome = seedless.run(SPEC + OUTPUT, tmp_path, clients=clients)
    assert outcome.complete and outcome.files.accepted == 6
    got = list(seedless.records(tmp_path))
    assert len(got) == 6 and all(isinstance(r, Record) for r in got)
    assert got[0].lineage.verdicts[0].critic == "requirements"
    assert list(seedless.rejections(tmp_path)) == []


def test_the_api_loads_a_spec_file_and_resumes_with_no_call(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC + OUTPUT)
    seedless.run(path, tmp_path / "run", clients=fake_clients(ScriptedModel())[0])
    clients, client = fake_clients(ScriptedModel())
    outcome = seedless.run(str(path), tmp_path / "run", clients=clients)
    assert client.requests == [] and outcome.files.accepted == 6


def test_a_client_given_by_name_needs_no_declared_endpoint_and_without_it_the_spec_is_refused(tmp_path):
    text = (SPEC + OUTPUT).replace("  default: fake\n", "  default: mine\n")
    mine = FakeClient("mine", max_concurrency=4, responder=ScriptedModel())
    outcome = seedless.run(text, tmp_path / "run", clients={"mine": mine})
    assert outcome.complete and outcome.files.accepted == 6 and mine.requests
    with sqlite3.connect(tmp_path / "run" / "seedless.db") as db:
        assert {model for (model,) in db.execute("SELECT DISTINCT model FROM calls")} == {"fake:mine"}
    with pytest.raises(seedless.SpecError) as refused:
        seedless.run(text, tmp_path / "other")
    assert str(refused.value) == "<spec>:9: models.default: names no endpoint (known: fake)"
    estimated = seedless.estimate(text, clients={"mine": mine})
    assert {(s.site.endpoint, s.site.model) for s in estimated.stages} == {("mine", "fake:mine")}
    assert estimated.total("calls").expected > 0 and estimated.unpriced


def test_base_url_and_model_go_together():
    with pytest.raises(ValueError, match="go together"):
        seedless.spec_of(SPEC, base_url="http://x/v1")


def test_the_api_exports_chat_messages(tmp_path):
    seedless.run(SPEC + OUTPUT, tmp_path, clients=fake_clients(ScriptedModel())[0])
    result = seedless.export(tmp_path, "chat")
    rows = [json.loads(line) for line in result.path.read_text().splitlines()]
    assert result.count == 6 and [m["role"] for m in rows[0]["messages"]] == ["user", "assistant"]


def test_the_api_refuses_a_directory_seedless_did_not_write_unless_forced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(RunDirError, match="not a seedless run directory and not empty"):
        seedless.run(SPEC + OUTPUT, tmp_path, clients=fake_clients(ScriptedModel())[0])
    outcome = seedless.run(SPEC + OUTPUT, tmp_path, force=True, clients=fake_clients(ScriptedModel())[0])
    assert outcome.complete and (tmp_path / "notes.txt").read_text() == "mine"


def test_records_refuse_dataset_files_from_two_writes(tmp_path):
    seedless.run(SPEC + OUTPUT, tmp_path, clients=fake_clients(ScriptedModel())[0])
    (tmp_path / "dataset.parquet").write_bytes(b"not the parquet of this set")
    with pytest.raises(RunDirError, match="dataset.parquet: does not match dataset.manifest.json"):
        seedless.records(tmp_path)


FAKE = {"endpoints": {"fake": {"kind": "fake"}}, "default": "fake"}


def write_items(tmp_path, n=6):
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"id": f"q{i}", "question": f"Question {i}: " + "word " * i}) + "\n"
                            for i in range(n)))
    (tmp_path / "tax.yaml").write_text("factors:\n- name: Topic\n  children: [Fractions, Geometry, Algebra]\n")
    return data


def test_evaluate_on_a_jsonl_with_the_fake_model_writes_the_report_and_a_second_call_sends_nothing(tmp_path):
    data = write_items(tmp_path)
    out = tmp_path / "reports" / "r.json"
    report = seedless.evaluate(data, out, taxonomy=tmp_path / "tax.yaml", models=FAKE)
    assert isinstance(report, seedless.EvalReport) and report.items == 6 and report.calls_sent > 0
    written = json.loads(out.read_text())
    assert written == json.loads(json.dumps(report.as_dict()))
    assert set(written["complexity"]["ratings"]) == {f"q{i}" for i in range(6)}
    assert written["coverage"]["taxonomies"][0]["factor"] == "Topic" and written["diversity"]["k"] == 10
    again = seedless.evaluate(str(data), str(out), taxonomy=str(tmp_path / "tax.yaml"), models=FAKE)
    assert again.calls_sent == 0 and again.calls_reused == report.calls_sent
    tiers = seedless.split(data, out, tmp_path / "tiers", tiers=2)
    assert sum(tiers.counts) == 6 and [p.name for p in tiers.files] == ["tier_1.jsonl", "tier_2.jsonl"]


def test_evaluate_takes_eval_settings_with_keywords_set_over_them(tmp_path):
    data = write_items(tmp_path, 3)
    base = seedless.EvalSettings(metrics=["coverage"], neighbours=2)
    report = seedless.evaluate(data, tmp_path / "r.json", settings=base, metrics=["diversity"], fields=["question"])
    assert report.settings["metrics"] == ["diversity"] and report.settings["neighbours"] == 2
    assert report.settings["fields"] == ["question"] and report.calls_sent == 0
    with pytest.raises(ValueError, match="metrics"):
        seedless.evaluate(data, tmp_path / "r.json", metrics=["no such measure"])


def test_estimate_returns_per_stage_figures_and_sends_no_call(tmp_path, monkeypatch):
    def no_client(endpoint):
        raise AssertionError(f"estimate made a client for {endpoint}")

    monkeypatch.setattr("seedless.engine.llm.bindings.make_client", no_client)
    result = seedless.estimate(SPEC + OUTPUT, base_url="http://127.0.0.1:9/v1", model="m")
    assert isinstance(result, seedless.Estimate) and result.stages
    assert {s.site.endpoint for s in result.stages} == {"cli"}
    assert all(s.calls.calls.low <= s.calls.calls.expected <= s.calls.calls.high for s in result.stages)
    assert result.total("calls").expected == sum(s.calls.calls.expected for s in result.stages) > 0
    assert seedless.estimate(SPEC + OUTPUT, acceptance=0.5).total("calls").expected > result.total("calls").expected


def test_validate_raises_spec_error_naming_file_and_line_of_every_problem(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text("description: Word problems.\nsize: many\ntaxonomy: {depth: 2, bogus: 1}\n")
    with pytest.raises(seedless.SpecError) as caught:
        seedless.validate(path)
    assert [(p.file, p.line) for p in caught.value.problems] == [(str(path), 2), (str(path), 3)]
    assert f"{path}:2: size" in str(caught.value) and f"{path}:3: taxonomy.bogus" in str(caught.value)


def test_validate_returns_the_spec_of_yaml_text():
    spec = seedless.validate(SPEC + OUTPUT)
    assert isinstance(spec, seedless.Spec) and spec.size == 6


def test_records_name_file_and_line_of_a_line_that_is_not_json(tmp_path):
    (tmp_path / "dataset.jsonl").write_text("\nnot json\n")  # no manifest: files seedless did not write
    with pytest.raises(RunDirError, match=r"dataset.jsonl:2: not JSON"):
        list(seedless.records(tmp_path))
