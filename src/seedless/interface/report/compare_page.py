"""The comparison of several datasets (`seedless compare`) as one self-contained HTML page, the figures side by side
in the style of the Simula paper's ablations: coverage per level as grouped bars, diversity bars, complexity from
the joint Elo pool as overlaid histograms and box plots; the shared assets of the run report (page.py)."""

from __future__ import annotations

from typing import Any

from seedless.core.measures.comparison import Comparison
from seedless.interface.report.page import render_page


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """What the page's script reads: the table, and per dataset its pooled coverage per level, diversity and its
    complexity (summary and histogram over the pool's shared edges)."""
    header, rows = comparison.table()
    datasets = []
    for d in comparison.datasets:
        cx = d.complexity
        s = cx.summary_ if cx is not None else None
        datasets.append({
            "name": d.name, "source": d.source, "items": d.items,
            "coverage": [d.level_ratio(level) for level in range(1, comparison.levels + 1)],
            "diversity": None if d.diversity is None else {"global": d.diversity.global_, "local": d.diversity.local},
            "complexity": None if cx is None else {
                "items": cx.items, "histogram": cx.histogram,
                "box": None if s is None else [s.min, s.q1, s.median, s.q3, s.max], "mean": None if s is None else s.mean},
        })
    pool = comparison.pool
    return {"levels": comparison.levels, "taxonomy": comparison.taxonomy_description, "embedder": comparison.embedder,
            "judge": comparison.judge, "notes": comparison.notes, "header": ["dataset", *header],
            "rows": [[r.name, *r.cells] for r in rows], "datasets": datasets,
            "pool": None if pool is None else {"edges": pool.edges, "items": pool.items, "batches": pool.batches,
                                               "mixed": pool.mixed_batches, "comparisons": pool.comparisons}}


def render_comparison(comparison: Comparison, version: str = "") -> str:
    """The comparison page as HTML text."""
    names = ", ".join(d.name for d in comparison.datasets)
    return render_page("compare.html.j2", "Comparison: " + names, comparison.taxonomy_description, version,
                       comparison_json(comparison), "compare.js")
