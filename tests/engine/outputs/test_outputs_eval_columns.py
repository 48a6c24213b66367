"""Contracts of joining an eval report to an export: columns by datapoint id (coverage path, Elo, the tier `split`
gives, duplicate group), nulls for datapoints the report does not know, refusals that say why."""

from __future__ import annotations

import json

import pytest

from run_files import FIELDS_OUTPUT, make_run, mcq, read_lines, record
from seedless.core.measures.report import (
    ComplexitySection,
    CoverageSection,
    DiversitySection,
    DuplicatesSection,
    EvalReport,
)
from seedless.core.measures.report import FactorCoverage as Factor
from seedless.engine.evaluation.split import split_by_complexity
from seedless.engine.outputs.export import ExportError, export

RATINGS = {"dp-0000": 1400.0, "dp-0001": 1650.5, "dp-0002": 1500.0, "dp-0003": 1580.0, "dp-0004": 1300.0}
NODES = {"dp-0000": ["Topic", "Fractions"], "dp-0001": ["Topic", "Fractions"], "dp-0002": ["Topic", "Fractions"],
         "dp-0003": ["Topic", "Decimals"], "dp-0004": ["Topic", "Decimals"]}


def report(ids=RATINGS, **sections) -> EvalReport:
    defaults = dict(
        coverage=CoverageSection(mode="model: whole taxonomy in context",
                                 taxonomies=[Factor(factor="Topic", levels=[], hits=[], unassigned=0, failures=[])],
                                 assignments={i: {"Topic": NODES[i]} for i in ids if i in NODES}),
        complexity=ComplexitySection(method="batch", batch=5, per_item=5, batches=1, comparisons=10, summary=None,
                                     ratings={i: r for i, r in ids.items()}, failures=[]),
        duplicates=DuplicatesSection(threshold=0.95, pairs=1, groups=[["dp-0001", "dp-0003"]], items_in_groups=2,
                                     redundant=1, contamination=[]))
    return EvalReport(data="run", items=len(ids), settings={}, **{**defaults, **sections})


def setup(tmp_path, rep: EvalReport, n: int = 6):
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, [record(i, mcq(i)) for i in range(n)])
    path = tmp_path / "eval.json"
    path.write_text(json.dumps(rep.as_dict()), encoding="utf-8")
    return run, path


def test_jsonl_export_joins_the_scores_by_id_and_gives_nulls_to_unscored_datapoints(tmp_path):
    run, path = setup(tmp_path, report())  # six datapoints, five scored
    result = export(run, "jsonl", with_eval=path)
    assert result.eval_columns == ("eval_coverage", "eval_complexity_elo", "eval_complexity_tier",
                                   "eval_duplicate_group") and result.eval_matched == 5
    lines = read_lines(result.path)
    assert lines[1] == {**mcq(1), "eval_coverage": {"Topic": ["Topic", "Fractions"]}, "eval_complexity_elo": 1650.5,
                        "eval_complexity_tier": 3, "eval_duplicate_group": 0}
    assert lines[5] == {**mcq(5), "eval_coverage": None, "eval_complexity_elo": None, "eval_complexity_tier": None,
                        "eval_duplicate_group": None}


def test_the_joined_tier_is_the_one_split_gives_within_each_node(tmp_path):
    run, path = setup(tmp_path, report(), n=5)
    lines = read_lines(export(run, "jsonl", with_eval=path, tiers=2).path)
    split = split_by_complexity(run, path, tmp_path / "tiers", n_tiers=2)
    by_split = {json.loads(line)["id"]: t + 1 for t, f in enumerate(split.files)
                for line in f.read_text().splitlines()}
    assert {f"dp-{i:04d}": line["eval_complexity_tier"] for i, line in enumerate(lines)} == by_split
    assert by_split["dp-0004"] == 1 and by_split["dp-0003"] == 2  # ranked among Decimals only


def test_hf_export_adds_typed_eval_columns(tmp_path):
    datasets = pytest.importorskip("datasets")
    run, path = setup(tmp_path, report())
    result = export(run, "hf", with_eval=path)
    loaded = datasets.load_from_disk(str(result.path))
    assert loaded.column_names[-4:] == ["eval_coverage", "eval_complexity_elo", "eval_complexity_tier",
                                        "eval_duplicate_group"]
    assert str(loaded.features["eval_complexity_tier"].dtype) == "int64"
    assert loaded[3]["eval_coverage"] == [{"factor": "Topic", "path": ["Topic", "Decimals"]}]
    assert (loaded[3]["eval_complexity_elo"], loaded[3]["eval_duplicate_group"]) == (1580.0, 0)
    assert loaded[5]["eval_complexity_elo"] is None and loaded[0]["eval_duplicate_group"] is None
    card = (result.path / "README.md").read_text(encoding="utf-8")
    assert "| `eval_complexity_tier` | int64 | eval: complexity tier 1 (easiest) to 3, ranked within each node of " \
           "Topic |" in card and "## Evaluation" in card


def test_only_the_measures_the_report_holds_give_columns(tmp_path):
    run, path = setup(tmp_path, report(coverage=None, complexity=None))
    result = export(run, "jsonl", with_eval=path)
    assert result.eval_columns == ("eval_duplicate_group",) and result.eval_matched is None


def test_a_report_that_cannot_be_joined_is_refused_with_the_reason(tmp_path):
    run, path = setup(tmp_path, report(ids={"other-1": 1500.0}))
    with pytest.raises(ExportError, match="scores none of this run's 6 datapoints"):
        export(run, "jsonl", with_eval=path)
    run, path = setup(tmp_path, report(coverage=None, complexity=None, duplicates=None,
                                       diversity=DiversitySection(embedder="static", k=5, **{"global": 0.5},
                                                                  local=0.5)))
    with pytest.raises(ExportError, match="no per-item scores to join"):
        export(run, "jsonl", with_eval=path)
    with pytest.raises(ExportError, match="no such eval report"):
        export(run, "jsonl", with_eval=tmp_path / "missing.json")
    with pytest.raises(ExportError, match=r"apply to the jsonl and hf formats only"):
        export(run, "chat", with_eval=path)
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ExportError, match="bad.json: not a readable eval report"):
        export(run, "jsonl", with_eval=tmp_path / "bad.json")
