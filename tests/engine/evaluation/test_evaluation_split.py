"""Contracts of `seedless split`: tiers ranked within each taxonomy node, one file a tier, clear errors."""

from __future__ import annotations

import json

import pytest

from seedless.core.measures.report import (
    ComplexitySection,
    CoverageSection,
    EvalReport,
    FactorCoverage,
)
from seedless.engine.commands.evaluate import write_report
from seedless.engine.evaluation.items import DataError
from seedless.engine.evaluation.split import split_by_complexity


def setup(tmp_path, ratings, assignments):
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"id": k, "q": k}) + "\n" for k in ratings))
    report = tmp_path / "r.json"
    coverage = CoverageSection(mode="model", taxonomies=[FactorCoverage(factor="Topic", levels=[], hits=[],
                                                                        unassigned=0, failures=[])],
                               assignments={k: {"Topic": v} for k, v in assignments.items()})
    complexity = ComplexitySection(method="m", batch=2, per_item=1, batches=1, comparisons=1, summary=None,
                                   ratings=ratings, failures=[])
    write_report(EvalReport(data=str(data), items=len(ratings), settings={}, coverage=coverage,
                            complexity=complexity), report)
    return data, report


def test_tiers_are_ranked_within_each_node(tmp_path):
    # node A holds easy items only, node B hard ones only: each still fills every tier
    ratings = {"a1": 1000, "a2": 1100, "a3": 1200, "b1": 1800, "b2": 1900, "b3": 2000}
    assignments = {k: ["Topic", k[0].upper()] for k in ratings}
    data, report = setup(tmp_path, ratings, assignments)
    result = split_by_complexity(data, report, tmp_path / "out", n_tiers=3)
    tiers = [[json.loads(line)["id"] for line in f.read_text().splitlines()] for f in result.files]
    assert tiers == [["a1", "b1"], ["a2", "b2"], ["a3", "b3"]]
    assert result.counts == [2, 2, 2] and result.groups == 2 and result.factor == "Topic"
    first = json.loads(result.files[0].read_text().splitlines()[0])
    assert first["node"] == "Topic > A" and first["data"] == {"id": "a1", "q": "a1"}


def test_a_report_without_ratings_for_the_data_is_an_error(tmp_path):
    data, report = setup(tmp_path, {"a": 1500}, {"a": ["Topic"]})
    data.write_text(data.read_text() + json.dumps({"id": "zz", "q": "new"}) + "\n")
    with pytest.raises(DataError, match="no rating for item"):
        split_by_complexity(data, report, tmp_path / "out")


def test_a_report_of_an_earlier_version_reads_back_and_a_file_that_is_no_report_is_a_data_error(tmp_path):
    data, report = setup(tmp_path, {"a": 1000.0, "b": 2000.0}, {"a": ["Topic", "A"], "b": ["Topic", "A"]})
    earlier = json.loads(report.read_text())
    for key in ("expert", "taxonomy_quality", "critic"):  # keys added after the first eval reports
        del earlier[key]
    report.write_text(json.dumps(earlier))
    assert split_by_complexity(data, report, tmp_path / "out", n_tiers=2).counts == [1, 1]
    report.write_text(json.dumps(earlier | {"complexity": {"ratings": {"a": 1}}}))
    with pytest.raises(DataError, match=r"r\.json: not a seedless eval report \(complexity\.method: Field required"):
        split_by_complexity(data, report, tmp_path / "out")
