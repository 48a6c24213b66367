"""Per-item scores of an eval report joined to a run's datapoints by id: coverage node paths, complexity Elo and tier
(within each node, as `seedless split` cuts them), near-duplicate group; the columns an export adds."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedless.core.dataset.card_facts import Column
from seedless.core.measures.elo import tiers
from seedless.core.measures.report import EvalReport
from seedless.engine.evaluation.items import DataError, Item
from seedless.engine.evaluation.split import node_groups, read_report
from seedless.engine.outputs.dataset_reader import ExportError

COVERAGE, ELO, TIER, GROUP = "eval_coverage", "eval_complexity_elo", "eval_complexity_tier", "eval_duplicate_group"


@dataclass(frozen=True)
class EvalColumns:
    """The scores of one report for the datapoints of one run, keyed by datapoint id. Only the measures the report
    holds give columns; a datapoint the report does not know gets nulls."""

    report: Path
    n_tiers: int
    factors: list[str] = field(default_factory=list)  # coverage's taxonomies, in report order
    assignments: dict[str, dict[str, list[str]]] | None = None
    ratings: dict[str, float] | None = None
    tier: dict[str, int] = field(default_factory=dict)  # 1 (easiest) .. n_tiers
    tier_factor: str | None = None  # the factor whose nodes the tiers were cut within (coverage's, else the mix's)
    group: dict[str, int] | None = None  # id -> position of its group in the report's duplicates.groups
    matched: int | None = None  # datapoints given a coverage path or a rating (None: the report has neither)

    def columns(self) -> list[Column]:
        """What each column holds, in column order (the card's table reads these too)."""
        out = []
        if self.assignments is not None:
            out.append(Column(name=COVERAGE, type="list<struct<factor: string, path: list<string>>>",
                              description="eval: the taxonomy node the datapoint was placed at (coverage), per factor"))
        if self.ratings is not None:
            within = f"each node of {self.tier_factor}" if self.tier_factor else "all rated datapoints"
            out += [Column(name=ELO, type="float64", description="eval: calibrated complexity (Elo scale, mean 1500)"),
                    Column(name=TIER, type="int64", description=f"eval: complexity tier 1 (easiest) to {self.n_tiers}, "
                                                                f"ranked within {within}")]
        if self.group is not None:
            out.append(Column(name=GROUP, type="int64", description="eval: the near-duplicate group (its position "
                                                                    "in the report's duplicates.groups); null: none"))
        return out

    def names(self) -> list[str]:
        return [c.name for c in self.columns()]

    def flat(self, ident: str) -> dict[str, Any]:
        """The JSONL form: coverage as {factor: path}, like a record's lineage mix."""
        out: dict[str, Any] = {}
        if self.assignments is not None:
            assigned = self.assignments.get(ident)
            out[COVERAGE] = None if assigned is None else {f: assigned[f] for f in self.factors if f in assigned}
        if self.ratings is not None:
            out[ELO] = self.ratings.get(ident)
            out[TIER] = self.tier.get(ident)
        if self.group is not None:
            out[GROUP] = self.group.get(ident)
        return out

    def typed(self, ident: str) -> dict[str, Any]:
        """The Arrow form: coverage as a list of {factor, path}, like the Parquet lineage's mix."""
        out = self.flat(ident)
        if COVERAGE in out and out[COVERAGE] is not None:
            out[COVERAGE] = [{"factor": f, "path": p} for f, p in out[COVERAGE].items()]
        return out

    def arrow_fields(self) -> list[Any]:
        """The columns as pyarrow fields (pyarrow loaded here only)."""
        import pyarrow as pa

        types = {COVERAGE: pa.list_(pa.struct([("factor", pa.string()), ("path", pa.list_(pa.string()))])),
                 ELO: pa.float64(), TIER: pa.int64(), GROUP: pa.int64()}
        return [pa.field(name, types[name]) for name in self.names()]


def _scored_ids(report: EvalReport) -> set[str]:
    ids: set[str] = set()
    if report.coverage is not None:
        ids |= set(report.coverage.assignments)
    if report.complexity is not None:
        ids |= set(report.complexity.ratings)
    return ids


def open_eval_report(path: Path) -> EvalReport:
    """The eval report at `path`; a missing, unreadable or malformed one is an ExportError saying which."""
    try:
        return read_report(path)
    except FileNotFoundError:
        raise ExportError(f"{path}: no such eval report (make one with `seedless eval RUN_DIR`)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportError(f"{path}: not a readable eval report ({exc})") from None
    except DataError as exc:
        raise ExportError(str(exc)) from None


def eval_columns(report_path: Path, rows: list[tuple[str, dict[str, list[str]] | None]], n_tiers: int = 3,
                 factor: str | None = None, report: EvalReport | None = None) -> EvalColumns:
    """The report at `report_path` (or `report`, already read from there) joined to `rows` (each datapoint's id and
    lineage mix, in dataset order). No report, one that is not a report, one without per-item scores, or one that
    scores none of these datapoints is an ExportError saying which."""
    report = report if report is not None else open_eval_report(report_path)
    cov, cx, dup = report.coverage, report.complexity, report.duplicates
    if cov is None and cx is None and dup is None:
        raise ExportError(f"{report_path}: no per-item scores to join (it has no coverage, complexity or duplicates "
                          "section; run seedless eval with those measures)")
    ids = [ident for ident, _ in rows]
    scored = _scored_ids(report)
    matched = sum(1 for i in ids if i in scored)
    if scored and not matched:
        raise ExportError(f"{report_path}: scores none of this run's {len(ids)} datapoints (its items have other "
                          "ids): was it made from this run's data?")
    ratings = cx.ratings if cx is not None else None
    tier: dict[str, int] = {}
    tier_factor = None
    if ratings:
        rated = [Item(ident, "", {}, mix) for ident, mix in rows if ident in ratings]
        try:
            groups, tier_factor = node_groups(report, rated, factor)
        except DataError as exc:
            raise ExportError(f"{report_path}: {exc}") from None
        cut = tiers([ratings[i.id] for i in rated], groups, n_tiers)
        tier = {item.id: t + 1 for item, t in zip(rated, cut)}
    group = None if dup is None else {ident: g for g, members in enumerate(dup.groups) for ident in members}
    return EvalColumns(report_path, n_tiers, [t.factor for t in cov.taxonomies] if cov is not None else [],
                       cov.assignments if cov is not None else None, ratings, tier, tier_factor, group,
                       matched if scored else None)
