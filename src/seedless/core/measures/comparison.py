"""The result of `seedless compare` as typed models: each dataset measured on the same ground (one taxonomy, one embedder, one Elo pool), and its table rows."""

# The comparison file (compare.json) is this model dumped; the HTML page (interface/report/compare_page.py) reads it
# through these types, so field names are stable. Coverage and diversity reuse the eval report's section types: a
# dataset's coverage reads exactly like an eval's, only the taxonomy is the shared one. Complexity has its own type:
# ratings from the joint pool are comparable across datasets (one fit, one centre), an eval's are not.

from __future__ import annotations

import bisect
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from seedless.core.measures.elo import RatingSummary
from seedless.core.measures.report import CoverageSection, DiversitySection
from seedless.spec.compare_settings import COMPARE_METRICS

_STRICT = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)


class _Part(BaseModel):
    model_config = _STRICT


class ComparedSettings(_Part):
    """The settings every dataset was measured under (the same for all)."""

    metrics: list[str] = Field(description="The measures made, of coverage, diversity, complexity.")
    fields: list[str] = Field(description="Data fields that make an item's text (empty: the default rule).")
    max_chars: int = Field(description="An item's text is cut to this many characters in model prompts.")
    coverage_mode: str = Field(description="model (the assigner) or embedding (nearest node by cosine).")
    coverage_assignment: str = Field(description="auto, tree or descent (coverage_mode model).")
    neighbours: int = Field(description="k of local diversity.")
    complexity_items: int = Field(description="The most items of each dataset sampled into the joint Elo pool.")
    complexity_batch: int = Field(description="B: items scored together in one rater call.")
    complexity_per_item: int = Field(description="K: batches each pooled item appears in.")
    histogram_bins: int = Field(description="Bins of the complexity histograms (shared edges).")
    seed: int = Field(description="Seed of the pool's samples and its batch schedule.")


class ComplexityPool(_Part):
    """The one Elo pool: every dataset's sampled items, batches that mix them, one Bradley-Terry fit."""

    method: str = Field(description="How ratings were made (the fit and its scale).")
    items: int = Field(description="Items in the pool (all datasets together).")
    batches: int = Field(description="Rater batches scheduled over the pool.")
    mixed_batches: int = Field(description="Batches holding items of more than one dataset.")
    comparisons: int = Field(description="Pairwise results the fit used.")
    summary_: RatingSummary | None = Field(alias="summary", description="The pool's ratings (mean 1500 by "
                                           "construction); None when nothing was rated.")
    edges: list[float] = Field(description="Shared histogram bin edges (len = bins + 1); every dataset's "
                               "`histogram` counts into these bins.")
    failures: list[str] = Field(description="Rater batches that gave no usable reply.")


class DatasetComplexity(_Part):
    """One dataset's items in the joint pool: ratings on the pool's scale, comparable across datasets."""

    items: int = Field(description="This dataset's items in the pool (a seeded sample of at most complexity_items).")
    summary_: RatingSummary | None = Field(alias="summary", description="Mean, std, min, quartiles, max of its "
                                           "ratings; None when it has no rated item.")
    histogram: list[int] = Field(description="Its items per bin of ComplexityPool.edges.")
    ratings: dict[str, float] = Field(description="Item id -> Elo rating in the joint pool, rounded to 2 places.")


class DatasetComparison(_Part):
    """One compared dataset; a measure not made (not selected, or skipped) is None."""

    name: str = Field(description="Its label (--name, else the run directory's or file's name).")
    source: str = Field(description="The path it was read from (JSONL, Parquet or a run directory).")
    items: int = Field(description="Its items (all of them: coverage and diversity use every item).")
    coverage: CoverageSection | None = Field(None, description="Coverage against the shared taxonomy, as eval "
                                             "reports it (per factor: levels with ratio, hits per node, "
                                             "assignments per item).")
    diversity: DiversitySection | None = Field(None, description="Global and local diversity with the shared "
                                               "embedder.")
    complexity: DatasetComplexity | None = Field(None, description="Its share of the joint Elo pool.")

    def level_ratio(self, level: int) -> float | None:
        """Coverage at `level` over every factor of the shared taxonomy together (hit nodes / nodes at that level);
        None without coverage or when no factor has that level."""
        if self.coverage is None:
            return None
        found = [lv for t in self.coverage.taxonomies for lv in t.levels if lv.level == level]
        nodes = sum(lv.nodes for lv in found)
        return sum(lv.hit for lv in found) / nodes if nodes else None

    def summary(self) -> str:
        parts = [f"{self.name}: {self.items} item(s)"]
        if self.coverage is not None:
            parts.append(self.coverage.summary())
        if self.diversity is not None:
            parts.append(f"diversity global {self.diversity.global_:.4f}, local {self.diversity.local:.4f}")
        if self.complexity is not None and self.complexity.summary_ is not None:
            s = self.complexity.summary_
            parts.append(f"complexity mean {s.mean:.0f}, median {s.median:.0f} ({self.complexity.items} rated)")
        return "; ".join(parts)


class TableRow(_Part):
    """One dataset's line of the comparison table, values formatted for people."""

    name: str = Field(description="The dataset's label.")
    cells: list[str] = Field(description="One value per column of Comparison.table()'s header after the name.")


class Comparison(BaseModel):
    """What `seedless compare` measured: the datasets in the order given, on one taxonomy, one embedder and one
    Elo pool."""

    model_config = _STRICT

    taxonomy: str | None = Field(description="The shared taxonomy's source: the --taxonomy path, or the written "
                                 "union (DIR/taxonomy.yaml); None without coverage.")
    taxonomy_description: str = Field(description="How the shared taxonomy was made, in one line.")
    levels: int = Field(description="The deepest level of the shared taxonomy (0 without one).")
    embedder: str | None = Field(description="The one embedder's identity (diversity, embedding coverage); None "
                                 "when none was needed.")
    judge: str | None = Field(description="The model(s) that assigned and rated (role=model, ...); None when no "
                              "model was called.")
    settings: ComparedSettings = Field(description="The settings every dataset was measured under.")
    pool: ComplexityPool | None = Field(None, description="The joint Elo pool; None without complexity.")
    datasets: list[DatasetComparison] = Field(description="The datasets, in the order given.")
    notes: list[str] = Field(default_factory=list, description="Measures skipped and why, and other remarks.")
    calls_sent: int = Field(0, description="Model calls sent by this comparison.")
    calls_reused: int = Field(0, description="Model calls answered from the store (DIR/seedless.db).")

    def table(self) -> tuple[list[str], list[TableRow]]:
        """The comparison table: header (after 'dataset') and one row per dataset. Coverage per level pools every
        factor (hit nodes / nodes at that level)."""
        header = ["items"]
        covered = any(d.coverage is not None for d in self.datasets)
        if covered:
            header += [f"cov. L{level}" for level in range(1, self.levels + 1)]
        diverse = any(d.diversity is not None for d in self.datasets)
        if diverse:
            header += ["div. global", "div. local"]
        if self.pool is not None:
            header += ["Elo mean", "Elo median", "Elo q1-q3"]
        rows = []
        for d in self.datasets:
            cells = [str(d.items)]
            if covered:
                cells += [_share(d.level_ratio(level)) for level in range(1, self.levels + 1)]
            if diverse:
                cells += ([f"{d.diversity.global_:.4f}", f"{d.diversity.local:.4f}"] if d.diversity
                          else ["-", "-"])
            if self.pool is not None:
                s = d.complexity.summary_ if d.complexity else None
                cells += [f"{s.mean:.0f}", f"{s.median:.0f}", f"{s.q1:.0f}-{s.q3:.0f}"] if s else ["-"] * 3
            rows.append(TableRow(name=d.name, cells=cells))
        return header, rows

    def as_dict(self) -> dict[str, object]:
        """The comparison as written to compare.json."""
        return self.model_dump()


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def shared_edges(ratings: Sequence[float], bins: int) -> list[float]:
    """`bins` equal-width bins spanning every rating of the pool (len bins + 1, rounded to 2 places); one rating, or
    all equal: a bin of width 1 around it; none: []."""
    if bins < 1:
        raise ValueError("bins must be at least 1")
    if not ratings:
        return []
    low, high = min(ratings), max(ratings)
    if high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    step = (high - low) / bins
    return [round(low + i * step, 2) for i in range(bins)] + [round(high, 2)]


def histogram(ratings: Sequence[float], edges: Sequence[float]) -> list[int]:
    """Counts of `ratings` per bin of `edges`; bins are [e_i, e_i+1), the last one closed; a rating outside falls in
    the nearest end bin."""
    if len(edges) < 2:
        return []
    counts = [0] * (len(edges) - 1)
    for rating in ratings:
        index = bisect.bisect_right(edges, rating) - 1
        counts[min(max(index, 0), len(counts) - 1)] += 1
    return counts


__all__ = ["COMPARE_METRICS", "ComparedSettings", "Comparison", "ComplexityPool", "DatasetComparison",
           "DatasetComplexity", "TableRow", "histogram", "shared_edges"]
