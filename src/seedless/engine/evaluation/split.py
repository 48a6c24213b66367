"""`seedless split`: complexity tiers computed within each taxonomy node, from an eval report, one file a tier."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from seedless.core.measures.elo import tiers
from seedless.core.measures.report import EvalReport
from seedless.engine.evaluation.items import DataError, Item, load_items
from seedless.engine.evaluation.registry import plugin_sections
from seedless.engine.store.rundir import RunDir

NO_GROUP = "(no node)"


@dataclass(frozen=True)
class SplitResult:
    files: list[Path]
    counts: list[int]
    groups: int
    factor: str | None


def node_groups(report: EvalReport, items: list[Item], factor: str | None) -> tuple[list[str], str | None]:
    """Each item's node: its coverage assignment in the report for `factor` (default: the first taxonomy), or,
    without coverage, its lineage mix when the data is a seedless run."""
    cov = report.coverage
    factors = [t.factor for t in cov.taxonomies] if cov is not None else []
    if cov is None or not factors:
        mixes = [i.mix for i in items]
        if any(mixes):
            factor = factor or next(iter(next(m for m in mixes if m)))
            return [" > ".join((m or {}).get(factor, [])) or NO_GROUP for m in mixes], factor
        if factor:
            raise DataError(f"the report has no coverage and the data no lineage: cannot group by {factor!r}")
        return [NO_GROUP] * len(items), None
    factor = factor or factors[0]
    if factor not in factors:
        raise DataError(f"no taxonomy {factor!r} in the report (it has {', '.join(factors)})")
    assigned = cov.assignments
    return [" > ".join(assigned.get(i.id, {}).get(factor, [])) or NO_GROUP for i in items], factor


def read_report(path: Path) -> EvalReport:
    """An eval report file, typed (plugin measures' sections by their registered types); JSONDecodeError when it
    is not JSON, DataError naming the file and the first problem when it is not a report."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    try:
        return EvalReport.read(raw, plugins=plugin_sections())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the report"
        raise DataError(f"{path}: not a seedless eval report ({where}: {first['msg']}; "
                        f"{exc.error_count()} problem(s))") from None


def split_by_complexity(data: Path, report_path: Path, out: Path, *, n_tiers: int = 3,
                        factor: str | None = None) -> SplitResult:
    """OUT/tier_1.jsonl (easiest) .. tier_N.jsonl, each holding the data's own objects; ranks are taken within
    each node, so a node with only easy items still has its hardest ones in the top tier."""
    report = read_report(report_path)
    ratings = report.complexity.ratings if report.complexity else None
    if not ratings:
        raise DataError(f"{report_path}: no complexity ratings (run seedless eval with --metrics complexity)")
    items = load_items(data)
    missing = [i.id for i in items if i.id not in ratings]
    if missing:
        raise DataError(f"{report_path}: no rating for item(s) {', '.join(missing[:5])} of {data}; "
                        "was the report made from this data?")
    groups, factor = node_groups(report, items, factor)
    tier_of = tiers([ratings[i.id] for i in items], groups, n_tiers)
    out.mkdir(parents=True, exist_ok=True)
    files = [out / f"tier_{t + 1}.jsonl" for t in range(n_tiers)]
    counts = Counter(tier_of)
    with RunDir.replacing(*files) as handles:
        streams = [h.open("w", encoding="utf-8") for h in handles]
        try:
            for item, tier, group in zip(items, tier_of, groups):
                row = {"id": item.id, "tier": tier + 1, "rating": ratings[item.id], "node": group, "data": item.data}
                streams[tier].write(json.dumps(row, ensure_ascii=False) + "\n")
        finally:
            for s in streams:
                s.close()
    return SplitResult(files, [counts.get(t, 0) for t in range(n_tiers)], len(set(groups)), factor)
