"""Contracts of the comparison result (core/measures/comparison.py): shared histogram edges and counts, coverage per
level pooled over factors, the table's rows, and the JSON form read back unchanged."""

from __future__ import annotations

import json

import pytest

from seedless.core.measures.comparison import (
    ComparedSettings,
    Comparison,
    ComplexityPool,
    DatasetComparison,
    DatasetComplexity,
    histogram,
    shared_edges,
)
from seedless.core.measures.elo import rating_summary
from seedless.core.measures.report import CoverageLevel, CoverageSection, DiversitySection, FactorCoverage


def test_shared_edges_span_every_rating_in_equal_bins():
    assert shared_edges([1400.0, 1600.0, 1500.0], 4) == [1400.0, 1450.0, 1500.0, 1550.0, 1600.0]
    assert shared_edges([1500.0], 2) == [1499.5, 1500.0, 1500.5]  # one rating: a bin of width 1 around it
    assert shared_edges([], 3) == []
    with pytest.raises(ValueError):
        shared_edges([1.0], 0)


def test_histogram_counts_half_open_bins_with_the_last_closed():
    edges = [1400.0, 1450.0, 1500.0, 1550.0, 1600.0]
    assert histogram([1400.0, 1449.9, 1450.0, 1600.0, 1599.0], edges) == [2, 1, 0, 2]
    assert histogram([1300.0, 1700.0], edges) == [1, 0, 0, 1]  # outside: the nearest end bin
    assert histogram([1.0], []) == []


def _coverage(levels_by_factor):
    return CoverageSection(mode="model", assignments={}, taxonomies=[
        FactorCoverage(factor=f, hits=[], unassigned=0, failures=[], levels=[
            CoverageLevel(level=i + 1, nodes=n, hit=h, ratio=round(h / n, 4), uncovered=[])
            for i, (n, h) in enumerate(levels)]) for f, levels in levels_by_factor.items()])


def _comparison():
    settings = ComparedSettings(metrics=["coverage", "diversity", "complexity"], fields=[], max_chars=1200,
                                coverage_mode="model", coverage_assignment="auto", neighbours=10,
                                complexity_items=200, complexity_batch=5, complexity_per_item=5,
                                histogram_bins=2, seed=0)
    easy, hard = [1400.0, 1450.0], [1550.0, 1600.0]
    edges = shared_edges(easy + hard, 2)
    pool = ComplexityPool(method="m", items=4, batches=4, mixed_batches=3, comparisons=40,
                          summary=rating_summary(easy + hard), edges=edges, failures=[])
    return Comparison(
        taxonomy="out/taxonomy.yaml", taxonomy_description="the union", levels=2, embedder="minilm", judge="fake",
        settings=settings, pool=pool, datasets=[
            DatasetComparison(name="baseline", source="a.jsonl", items=2,
                              coverage=_coverage({"Topic": [(3, 3), (6, 0)], "Format": [(2, 1)]}),
                              diversity=DiversitySection(embedder="minilm", k=10, global_=0.3, local=0.2),
                              complexity=DatasetComplexity(items=2, summary=rating_summary(easy),
                                                           histogram=histogram(easy, edges),
                                                           ratings={"a0": 1400.0, "a1": 1450.0})),
            DatasetComparison(name="full", source="run", items=2,
                              coverage=_coverage({"Topic": [(3, 3), (6, 3)], "Format": [(2, 2)]}),
                              complexity=DatasetComplexity(items=2, summary=rating_summary(hard),
                                                           histogram=histogram(hard, edges),
                                                           ratings={"b0": 1550.0, "b1": 1600.0}))])


def test_coverage_per_level_pools_the_nodes_of_every_factor_that_has_the_level():
    baseline, full = _comparison().datasets
    assert baseline.level_ratio(1) == pytest.approx(4 / 5)  # (3 + 1) of (3 + 2) level-1 nodes
    assert baseline.level_ratio(2) == 0.0 and full.level_ratio(2) == pytest.approx(0.5)  # Format has no level 2
    assert baseline.level_ratio(3) is None
    assert DatasetComparison(name="x", source="x", items=1).level_ratio(1) is None


def test_the_table_has_a_row_per_dataset_and_a_dash_for_a_measure_a_dataset_lacks():
    header, rows = _comparison().table()
    assert header == ["items", "cov. L1", "cov. L2", "div. global", "div. local", "Elo mean", "Elo median",
                      "Elo q1-q3"]
    assert [r.name for r in rows] == ["baseline", "full"]
    assert rows[0].cells == ["2", "80%", "0%", "0.3000", "0.2000", "1425", "1425", "1412-1438"]
    assert rows[1].cells[3:5] == ["-", "-"] and rows[1].cells[5] == "1575"


def test_a_histogram_counts_into_the_pools_shared_bins():
    comparison = _comparison()
    assert [d.complexity.histogram for d in comparison.datasets] == [[2, 0], [0, 2]]
    assert len(comparison.pool.edges) == comparison.settings.histogram_bins + 1


def test_the_json_form_reads_back_unchanged_with_the_files_key_names():
    comparison = _comparison()
    dumped = json.loads(json.dumps(comparison.as_dict()))
    assert Comparison.model_validate(dumped) == comparison
    assert "summary" in dumped["pool"] and "global" in dumped["datasets"][0]["diversity"]
    assert dumped["datasets"][1]["diversity"] is None
