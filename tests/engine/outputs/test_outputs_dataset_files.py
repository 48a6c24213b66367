"""Contracts of what `run` leaves in its directory: one datapoint per slot whatever the store holds, dataset files
and the spec snapshot never rewritten by a run that stopped on its inputs, the three files written as one set."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest

from conftest import SPEC, ScriptedModel, fake_clients
from seedless.core.plan.mix import MixError, MixSampler
from seedless.engine.store.rundir import RunDir
from seedless.engine.commands.run import run_dataset
from seedless.spec import SpecError, parse_spec

OUTPUT = """
output:
  kind: fields
  fields: [{name: question}, {name: answer, type: integer}]
  answer_field: answer
"""


def spec_of(size: int = 12, extra: str = ""):
    return parse_spec(SPEC + OUTPUT + f"size: {size}\n" + extra)


def run(spec, out):
    clients, client = fake_clients(ScriptedModel())
    return asyncio.run(run_dataset(spec, out, clients=clients)), client


def ids(path):
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def test_a_store_with_two_accepted_tries_for_one_slot_still_yields_one_datapoint_per_slot(tmp_path):
    outcome, _ = run(spec_of(), tmp_path)
    before = (tmp_path / "dataset.jsonl").read_text()
    db = sqlite3.connect(tmp_path / "seedless.db")
    slot, attempt = db.execute("SELECT slot, attempt FROM records WHERE accepted = 1 ORDER BY slot LIMIT 1").fetchone()
    # what two commands on one directory used to leave: a second accepted try of an accepted slot
    db.execute("INSERT INTO records SELECT slot, basis, mix_id, attempt + 1, mix, complexify, accepted, stage, "
               "meta_prompt, body, invocation, created + 1 FROM records WHERE slot = ? AND attempt = ?",
               (slot, attempt))
    db.commit()
    db.close()
    again, client = run(spec_of(), tmp_path)
    assert client.requests == [] and (tmp_path / "dataset.jsonl").read_text() == before
    assert len(set(ids(tmp_path / "dataset.jsonl"))) == again.files.accepted == 12
    assert (again.stats.tries, again.stats.accepted) == (outcome.stats.tries, outcome.stats.accepted)


def test_a_run_that_stops_before_generation_starts_leaves_the_dataset_files_as_they_were(tmp_path, monkeypatch):
    run(spec_of(), tmp_path)
    files = {p: p.read_bytes() for p in (tmp_path / "dataset.jsonl", tmp_path / "rejected.jsonl",
                                          tmp_path / "dataset.parquet")}

    def impossible(self, index):
        raise MixError("strategy 'Everything': no allowed mix in 1000 draws; check its exclusions")

    monkeypatch.setattr(MixSampler, "allows", lambda self, mix: False)  # an exclusion that excludes every mix
    monkeypatch.setattr(MixSampler, "sample", impossible)
    with pytest.raises(MixError):
        run(spec_of(), tmp_path)
    assert all(path.read_bytes() == data for path, data in files.items())
    assert RunDir(tmp_path).dataset_mismatch() is None


def test_a_run_that_fails_on_its_inputs_leaves_the_spec_snapshot_as_it_was(tmp_path):
    run(spec_of(), tmp_path)
    snapshot = (tmp_path / "spec.yaml").read_text()
    strategies = tmp_path / "strategies.yaml"
    strategies.write_text(strategies.read_text().replace("weight: 3.0", "weight: heavy"))
    with pytest.raises(SpecError):
        run(spec_of(size=15), tmp_path)
    assert (tmp_path / "spec.yaml").read_text() == snapshot


def test_a_spec_yaml_that_seedless_did_not_write_is_never_replaced(tmp_path):
    run(spec_of(), tmp_path)
    mine = "# my own notes on this run\n" + SPEC + OUTPUT + "size: 12\n"
    (tmp_path / "spec.yaml").write_text(mine)
    outcome, _ = run(spec_of(), tmp_path)
    assert outcome.complete and (tmp_path / "spec.yaml").read_text() == mine


def test_the_dataset_files_are_written_with_a_manifest_of_the_set(tmp_path):
    run(spec_of(), tmp_path)
    run_dir = RunDir(tmp_path)
    manifest = json.loads(run_dir.manifest.read_text())
    assert set(manifest["files"]) == {"dataset.jsonl", "rejected.jsonl", "dataset.parquet"}
    assert manifest["accepted"] == 12 and run_dir.dataset_mismatch() is None
    assert not [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name]
