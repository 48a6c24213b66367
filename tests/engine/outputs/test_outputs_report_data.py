"""report_data: the report's figures agree with the run's files (dataset.jsonl, rejected.jsonl, eval.json)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2]))
from report_run import make_report_run  # noqa: E402

from seedless.engine.outputs.report_data import ReportError, report_data  # noqa: E402


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return make_report_run(tmp_path_factory.mktemp("report"))


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_report_data_counts_every_datapoint_and_rejected_try_with_its_stage(run):
    data = report_data(run)
    accepted, rejected = _lines(run / "dataset.jsonl"), _lines(run / "rejected.jsonl")
    assert (data.datapoints, data.rejected, len(data.rows)) == (len(accepted), len(rejected), len(accepted) + len(rejected))
    by_stage = {s.stage: s.rejected for s in data.stages}
    for stage in {r["stage"] for r in rejected}:
        assert by_stage[stage] == sum(r["stage"] == stage for r in rejected)
    assert {data.statuses[r.status] for r in data.rows} == {"accepted", *(f"rejected: {r['stage']}" for r in rejected)}


def test_report_data_tree_counts_tries_at_each_node_and_its_ancestors(run):
    data = report_data(run)
    everything = _lines(run / "dataset.jsonl") + _lines(run / "rejected.jsonl")
    for tree in data.trees:
        assert tree.tries == sum(tree.name in r["lineage"]["mix"] for r in everything)
        for child in tree.children:
            tries = sum(r["lineage"]["mix"].get(tree.name, [])[:2] == child.path for r in everything)
            assert child.tries == tries
            assert child.hard == (child.tries >= 3 and child.rejected / child.tries >= 0.6)


def test_report_data_takes_the_eval_reports_complexity_coverage_and_diversity(run):
    data = report_data(run)
    report = json.loads((run / "eval.json").read_text())
    assert data.eval is not None and data.eval.diversity.global_ == report["diversity"]["global"]
    assert sum(data.eval.complexity.plain) + sum(data.eval.complexity.complexified) == len(report["complexity"]["ratings"])
    assert set(data.eval.coverage) == {t["factor"] for t in report["coverage"]["taxonomies"]}
    rated = {r.id: r.elo for r in data.rows if r.elo is not None}
    assert rated == pytest.approx(report["complexity"]["ratings"])


def test_report_data_embeds_a_bounded_even_sample_of_lineages(run):
    data = report_data(run, detail_limit=5)
    assert len(data.details) == 5 and data.sampled
    assert report_data(run).sampled is False


def test_report_data_without_a_dataset_or_with_a_bad_eval_report_says_which_file(run, tmp_path):
    with pytest.raises(ReportError, match="dataset.jsonl not found"):
        report_data(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ReportError, match="bad.json"):
        report_data(run, bad)


def test_report_data_of_a_run_without_stored_facts_takes_usage_from_the_stored_calls(run, tmp_path):
    import shutil
    import sqlite3

    from seedless.engine.outputs.card import CARD_FACTS

    older = tmp_path / "older"
    shutil.copytree(run, older)
    with sqlite3.connect(older / "seedless.db") as db:  # a run made before its facts were kept
        db.execute("DELETE FROM artifacts WHERE key = ?", (CARD_FACTS,))
        calls = db.execute("SELECT COUNT(*), SUM(prompt_tokens) FROM calls").fetchone()
    assert calls[0] > 0
    usage = report_data(older).usage
    assert (sum(u.calls for u in usage), sum(u.prompt_tokens for u in usage)) == calls
    assert all(u.cost is None for u in usage)
