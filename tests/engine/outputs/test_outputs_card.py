"""Contracts of the run's dataset card: README.md written with every run from the run's own figures, an edited card
kept, the facts kept in the store for the hf export, whose folder carries the card (with the eval summary)."""

from __future__ import annotations

import asyncio
import json

import pytest
import yaml

from conftest import SPEC, ScriptedModel, fake_clients
from seedless.core.measures.report import DiversitySection, EvalReport
from seedless.engine.commands.run import run_dataset
from seedless.engine.events import Notice
from seedless.engine.outputs.card import stored_facts
from seedless.engine.outputs.export import export
from seedless.engine.store.rundir import RunDir
from seedless.spec import parse_spec

OUTPUT = """
output:
  kind: fields
  fields: [{name: question, description: the word problem}, {name: answer, type: integer}]
  answer_field: answer
size: 6
"""


def make(out, events=None):
    clients, _ = fake_clients(ScriptedModel())
    kwargs = {"events": events} if events is not None else {}
    return asyncio.run(run_dataset(parse_spec(SPEC + OUTPUT), out, clients=clients, **kwargs))


def split(text: str) -> tuple[dict, str]:
    head, _, body = text[4:].partition("\n---\n")
    return yaml.safe_load(head), body


def write_eval(run: RunDir, items: int) -> None:
    report = EvalReport(data=str(run.root), items=items, settings={},
                        diversity=DiversitySection(embedder="static", k=10, **{"global": 0.5}, local=0.25))
    run.eval_report.write_text(json.dumps(report.as_dict()), encoding="utf-8")


def test_run_writes_a_card_whose_figures_are_the_runs_own(tmp_path):
    outcome = make(tmp_path)
    run = RunDir(tmp_path)
    assert outcome.card == run.card
    meta, body = split(run.card.read_text(encoding="utf-8"))
    assert meta["configs"][0]["data_files"][0]["path"] == "dataset.parquet"
    assert (run.root / meta["configs"][0]["data_files"][0]["path"]).is_file()
    assert f"{outcome.files.accepted} rows, one split" in body
    b = outcome.budget
    assert f"N = {b.target} datapoints over V = {'' if b.exact else 'about '}{b.reachable} reachable mixes" in body
    stats = outcome.stats
    assert f"{stats.tries} tries, {stats.accepted} accepted, {stats.rejected} rejected" in body
    for s in stats.stages(critics_on=outcome.critics_on):
        assert f"| {s.reached} | {s.rejected} | {100 * s.rate:.0f}% |" in body
    assert "| `question` | string | the word problem |" in body and "| `lineage` | struct |" in body
    facts = stored_facts(run)
    assert facts is not None and facts.run is not None and facts.run.tries == stats.tries
    calls = sum(r.calls for r in outcome.usage_stages)
    assert f"| total |  | {calls} |" in body


def test_an_edited_card_is_kept_by_the_next_run_and_a_deleted_one_comes_back(tmp_path):
    make(tmp_path)
    run = RunDir(tmp_path)
    edited = run.card.read_text(encoding="utf-8").replace("license: unknown", "license: cc-by-4.0")
    run.card.write_text(edited, encoding="utf-8")
    notices = []
    outcome = make(tmp_path, events=lambda e: notices.append(e) if isinstance(e, Notice) else None)
    assert outcome.card is None and run.card.read_text(encoding="utf-8") == edited
    assert any("README.md was edited" in n.message and n.warning for n in notices)
    run.card.unlink()
    assert make(tmp_path).card == run.card and "license: unknown" in run.card.read_text(encoding="utf-8")


def test_the_card_shows_the_run_directorys_eval_report_only_when_it_measured_this_dataset(tmp_path):
    outcome = make(tmp_path)
    run = RunDir(tmp_path)
    write_eval(run, outcome.files.accepted + 1)  # a report of another version of the dataset
    make(tmp_path)
    assert "## Evaluation" not in run.card.read_text(encoding="utf-8")
    write_eval(run, outcome.files.accepted)
    make(tmp_path)
    assert "- diversity: global 0.5000, local 0.2500 (k=10, static)" in run.card.read_text(encoding="utf-8")


def test_hf_export_carries_the_card_or_the_users_own_edit_of_it(tmp_path):
    pytest.importorskip("datasets")
    outcome = make(tmp_path)
    run = RunDir(tmp_path)
    folder = export(tmp_path, "hf").path
    exported = (folder / "README.md").read_text(encoding="utf-8")
    meta, body = split(exported)
    assert meta["configs"][0]["data_files"][0]["path"] == "dataset.parquet"
    assert f"{outcome.stats.tries} tries" in body  # the run's facts, read from the store
    mine = "---\nlicense: mit\n---\n\n# My arithmetic set\n\nHand-written.\n"
    run.card.write_text(mine, encoding="utf-8")
    assert (export(tmp_path, "hf").path / "README.md").read_text(encoding="utf-8") == mine
