"""Contracts of the Python API: the same run as the CLI, typed records and rejections back."""

from __future__ import annotations

import json

import pytest

import seedless
from conftest import SPEC, ScriptedModel, fake_clients
from seedless.core.record import Record

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


def test_base_url_and_model_go_together():
    with pytest.raises(ValueError, match="go together"):
        seedless.spec_of(SPEC, base_url="http://x/v1")


def test_the_api_exports_chat_messages(tmp_path):
    seedless.run(SPEC + OUTPUT, tmp_path, clients=fake_clients(ScriptedModel())[0])
    result = seedless.export(tmp_path, "chat")
    rows = [json.loads(line) for line in result.path.read_text().splitlines()]
    assert result.count == 6 and [m["role"] for m in rows[0]["messages"]] == ["user", "assistant"]


def test_the_api_refuses_a_directory_seedless_did_not_write_unless_forced(tmp_path):
    from seedless.engine.rundir import RunDirError

    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(RunDirError, match="not a seedless run directory and not empty"):
        seedless.run(SPEC + OUTPUT, tmp_path, clients=fake_clients(ScriptedModel())[0])
    outcome = seedless.run(SPEC + OUTPUT, tmp_path, force=True, clients=fake_clients(ScriptedModel())[0])
    assert outcome.complete and (tmp_path / "notes.txt").read_text() == "mine"


def test_records_refuse_dataset_files_from_two_writes(tmp_path):
    from seedless.engine.rundir import RunDirError

    seedless.run(SPEC + OUTPUT, tmp_path, clients=fake_clients(ScriptedModel())[0])
    (tmp_path / "dataset.parquet").write_bytes(b"not the parquet of this set")
    with pytest.raises(RunDirError, match="dataset.parquet: does not match dataset.manifest.json"):
        seedless.records(tmp_path)
