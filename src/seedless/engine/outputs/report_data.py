"""What `seedless report` shows, gathered into typed view models: the run's card facts (reused), taxonomy trees with
tries, rejections and eval coverage per node, the eval report's figures, and the datapoints (compact rows for all,
full lineage for a bounded sample); the HTML itself is the interface's (interface/report/)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from seedless.core.dataset.card_facts import CardFacts, StageLine, UsageLine
from seedless.core.dataset.record import JudgeFigures, Lineage, Record, Rejection
from seedless.core.dataset.rejection_stats import MIN_NODE_TRIES, WARN_NODE, RejectionStats
from seedless.core.measures.elo import RatingSummary, rating_summary
from seedless.core.measures.report import CoverageLevel, EvalReport
from seedless.core.taxonomy.file import TaxonomyFileError, read_taxonomies
from seedless.core.taxonomy.tree import Node, TaxonomySet
from seedless.core.text import clip
from seedless.engine.outputs.card import minimal_facts, stored_facts
from seedless.engine.outputs.dataset_reader import ExportError, dataset_file
from seedless.engine.outputs.eval_columns import EvalColumns, eval_columns, open_eval_report
from seedless.engine.stages.catalogue import stage_usage
from seedless.engine.stages.datapoint.registry import step_names
from seedless.engine.store.calls import read_usage_by_prompt
from seedless.engine.store.jsonl import read_objects
from seedless.engine.store.rundir import RunDir, RunDirError, RunLock
from seedless.spec.secrets import mask_urls

DETAIL_LIMIT = 2_000  # datapoints whose whole lineage is embedded (an even sample beyond it)
SNIPPET = 90  # characters of a datapoint's text in its browser row
BINS = 20  # bars of the complexity histogram
ACCEPTED = "accepted"


class ReportError(Exception):
    """What stops a report (no run directory, no dataset, a bad line or eval report); says which file and why."""


class _View(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TreeNode(_View):
    """One taxonomy node with what happened under it (a try counts at every node of its mix path)."""

    name: str
    path: list[str]
    description: str = ""
    tries: int = 0
    rejected: int = 0
    accepted: int = 0  # datapoints of the dataset under it
    covered: int | None = None  # eval items assigned at or under it (None: no coverage measured)
    hard: bool = False  # rejected at least WARN_NODE of at least MIN_NODE_TRIES tries
    children: list[TreeNode] = Field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.rejected / self.tries if self.tries else 0.0


class NodeTiers(_View):
    node: str  # "Factor > ... > Node", the group tiers were cut within
    counts: list[int]  # datapoints per tier, tier 1 (easiest) first


class Complexity(_View):
    summary: RatingSummary | None
    edges: list[float]  # BINS + 1 bin edges on the Elo scale
    plain: list[int]  # datapoints per bin, not complexified
    complexified: list[int]
    tier_factor: str | None
    tiers: list[NodeTiers]


class Diversity(_View):
    embedder: str
    k: int
    global_: float = Field(alias="global")
    local: float


class EvalView(_View):
    report: str
    items: int
    coverage: dict[str, list[CoverageLevel]] = Field(default_factory=dict)  # factor -> levels
    diversity: Diversity | None = None
    duplicates: str | None = None  # the section's summary line
    complexity: Complexity | None = None
    lines: list[str] = Field(default_factory=list)  # every section's summary line


class Row(_View):
    """A datapoint (or rejected try) in the browser: enough to filter and list it."""

    id: str
    nodes: list[int]  # indices into ReportData.node_paths: each mix path and its ancestors
    complexified: bool
    status: int  # index into ReportData.statuses
    elo: float | None = None
    tier: int | None = None
    text: str


class Detail(_View):
    """The whole of a datapoint or rejected try, for its lineage panel."""

    data: dict[str, object] | None
    lineage: Lineage
    stage: str | None = None
    reason: str | None = None


class ReportData(_View):
    title: str
    description: str
    run_dir: str
    seedless_version: str
    facts: CardFacts
    judge: JudgeFigures | None = None
    judge_skipped: str | None = None
    stages: list[StageLine]
    usage: list[UsageLine]
    trees: list[TreeNode]
    eval: EvalView | None = None
    datapoints: int
    rejected: int
    node_paths: list[str]
    statuses: list[str]  # "accepted", then "rejected: STAGE" per stage seen
    rows: list[Row]
    details: dict[str, Detail]
    sampled: bool  # details hold a sample, not every row


def _records(run: RunDir) -> tuple[list[Record], list[Rejection]]:
    try:
        path = dataset_file(run.root)
    except ExportError as exc:
        raise ReportError(str(exc)) from None
    accepted, rejected = [], []
    for target, model, file in ((accepted, Record, path), (rejected, Rejection, run.rejected)):
        if not file.is_file():
            continue
        for number, raw in read_objects(file, ReportError):
            try:
                target.append(model.model_validate(raw))
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "line"
                raise ReportError(f"{file}:{number}: {where}: {first['msg']}") from None
    return accepted, rejected


def _prefixes(mix: dict[str, list[str]]) -> list[tuple[str, ...]]:
    return [tuple(path[:i]) for path in mix.values() for i in range(1, len(path) + 1)]


def _text(data: dict[str, object] | None) -> str:
    if not data:
        return ""
    first = next(iter(data.values()))
    return clip(" ".join(str(first).split()), SNIPPET)


def _tree(node: Node, path: tuple[str, ...], tries: Counter, rejected: Counter, accepted: Counter,
          covered: Counter | None) -> TreeNode:
    here = (*path, node.name)
    n, r = tries[here], rejected[here]
    return TreeNode(name=node.name, path=list(here), description=node.description, tries=n, rejected=r,
                    accepted=accepted[here], covered=None if covered is None else covered[here],
                    hard=n >= MIN_NODE_TRIES and r / n >= WARN_NODE,
                    children=[_tree(c, here, tries, rejected, accepted, covered) for c in node.children])


def _taxonomies(run: RunDir) -> TaxonomySet:
    if not run.taxonomy.is_file():
        return TaxonomySet()
    try:
        return read_taxonomies(run.taxonomy)
    except TaxonomyFileError as exc:
        raise ReportError(f"{run.taxonomy} cannot be read:\n{exc}") from None


def _judge(run: RunDir, facts: CardFacts) -> JudgeFigures | None:
    if facts.run is not None and facts.run.judge is not None:
        return facts.run.judge
    if run.judge_check.is_file():
        try:
            raw = json.loads(run.judge_check.read_text(encoding="utf-8"))
            return JudgeFigures.model_validate({k: raw[k] for k in JudgeFigures.model_fields if k in raw})
        except (OSError, ValueError, KeyError, ValidationError):
            return None
    return None


def _complexity(report: EvalReport, columns: EvalColumns, records: list[Record], n_tiers: int) -> Complexity | None:
    cx = report.complexity
    if cx is None or not cx.ratings:
        return None
    flags = {r.id: r.lineage.complexified for r in records}
    mixes = {r.id: r.lineage.mix for r in records}
    values = list(cx.ratings.values())
    low, high = min(values), max(values)
    width = (high - low) / BINS or 1.0
    edges = [round(low + i * width, 2) for i in range(BINS + 1)]
    plain, hard = [0] * BINS, [0] * BINS
    for ident, rating in cx.ratings.items():
        slot = min(int((rating - low) / width), BINS - 1)
        (hard if flags.get(ident) else plain)[slot] += 1
    groups: dict[str, list[int]] = {}
    for ident, tier in columns.tier.items():
        groups.setdefault(_node_of(columns, ident, mixes), [0] * n_tiers)[tier - 1] += 1
    return Complexity(summary=cx.summary_ or rating_summary(values), edges=edges, plain=plain, complexified=hard,
                      tier_factor=columns.tier_factor,
                      tiers=[NodeTiers(node=k, counts=v) for k, v in sorted(groups.items())])


def _node_of(columns: EvalColumns, ident: str, mixes: dict[str, dict[str, list[str]]]) -> str:
    """The group an item's tier was cut within: its coverage node of the tier factor, else its mix's."""
    factor = columns.tier_factor
    if factor is None:
        return "(all)"
    if columns.assignments is not None and ident in columns.assignments:
        return " > ".join(columns.assignments[ident].get(factor, [])) or "(no node)"
    return " > ".join(mixes.get(ident, {}).get(factor, [])) or "(no node)"


def _eval(path: Path, records: list[Record], n_tiers: int) -> tuple[EvalView, EvalColumns | None]:
    try:
        report = open_eval_report(path)
    except ExportError as exc:
        raise ReportError(str(exc)) from None
    columns = None
    if report.coverage is not None or report.complexity is not None or report.duplicates is not None:
        try:
            columns = eval_columns(path, [(r.id, r.lineage.mix) for r in records], n_tiers, report=report)
        except ExportError as exc:
            raise ReportError(str(exc)) from None
    view = EvalView(report=str(path), items=report.items, lines=[f"{n}: {s.summary()}" for n, s in report.sections()])
    if report.coverage is not None:
        view.coverage = {t.factor: t.levels for t in report.coverage.taxonomies}
    if report.diversity is not None:
        d = report.diversity
        view.diversity = Diversity.model_validate({"embedder": d.embedder, "k": d.k, "global": d.global_,
                                                   "local": d.local})
    if report.duplicates is not None:
        view.duplicates = report.duplicates.summary()
    if columns is not None:
        view.complexity = _complexity(report, columns, records, n_tiers)
    return view, columns


def report_data(run_dir: Path, eval_report: Path | None = None, *, n_tiers: int = 3,
                detail_limit: int = DETAIL_LIMIT) -> ReportData:
    """Everything the report of RUN_DIR shows. The eval report is `eval_report`, else RUN_DIR/eval.json when it is
    there; a missing run directory or dataset, a bad line, or a file that is not an eval report is a ReportError."""
    run = RunDir(Path(run_dir))
    if not run.root.is_dir():
        raise ReportError(f"{run_dir}: no such run directory")
    try:
        lock = RunLock.shared(run)  # no command writes the run while it is read
    except RunDirError as exc:
        raise ReportError(str(exc)) from None
    try:
        return _gather(run, eval_report, n_tiers, detail_limit)
    finally:
        lock.release()


def _gather(run: RunDir, eval_report: Path | None, n_tiers: int, detail_limit: int) -> ReportData:
    records, rejections = _records(run)
    facts = stored_facts(run) or minimal_facts(run, len(records))
    taxonomies = _taxonomies(run)
    view, columns = None, None
    path = eval_report or (run.eval_report if run.eval_report.is_file() else None)
    if path is not None:
        view, columns = _eval(Path(path), records, n_tiers)

    stats = RejectionStats(step_names())
    tries, rejected, accepted = Counter(), Counter(), Counter()
    for item, ok in [*((r, True) for r in records), *((r, False) for r in rejections)]:
        mix = item.lineage.mix
        stats.add(tuple(tuple(p) for p in mix.values()), item.lineage.complexified, ok,
                  None if ok else item.stage)  # type: ignore[union-attr]
        for prefix in _prefixes(mix):
            tries[prefix] += 1
            rejected[prefix] += not ok
            accepted[prefix] += ok
    covered = None
    if columns is not None and columns.assignments is not None:
        covered = Counter(p for assigned in columns.assignments.values() for p in _prefixes(assigned))
    trees = [_tree(t.root, (), tries, rejected, accepted, covered) for t in taxonomies.taxonomies]
    shown = {s.stage for s in facts.run.stages} if facts.run is not None else None
    stages = [StageLine(stage=s.stage, reached=s.reached, rejected=s.rejected) for s in stats.stages()
              if shown is None or s.stage in shown or s.rejected]

    node_index: dict[tuple[str, ...], int] = {}
    statuses = [ACCEPTED]
    rows: list[Row] = []
    everything = [(r, None) for r in records] + [(r, r.stage) for r in rejections]
    for item, stage in everything:
        label = ACCEPTED if stage is None else f"rejected: {stage}"
        if label not in statuses:
            statuses.append(label)
        nodes = [node_index.setdefault(p, len(node_index)) for p in _prefixes(item.lineage.mix)]
        elo = tier = None
        if columns is not None and stage is None:
            elo = columns.ratings.get(item.id) if columns.ratings else None
            tier = columns.tier.get(item.id)
        rows.append(Row(id=item.id, nodes=nodes, complexified=item.lineage.complexified,
                        status=statuses.index(label), elo=elo, tier=tier, text=_text(item.data)))
    step = max(1, -(-len(everything) // detail_limit)) if detail_limit else 0
    details = {}
    for i, (item, stage) in enumerate(everything):
        if step and i % step == 0 and len(details) < detail_limit:
            details[item.id] = Detail(data=item.data, lineage=item.lineage, stage=stage,
                                      reason=getattr(item, "reason", None))
    judge = _judge(run, facts)
    return ReportData(
        title=facts.name or run.root.name, description=facts.description, run_dir=str(run.root),
        seedless_version=facts.seedless_version, facts=facts, judge=judge,
        judge_skipped=facts.run.judge_skipped if facts.run is not None else None, stages=stages,
        usage=facts.run.usage if facts.run is not None else _stored_usage(run), trees=trees, eval=view,
        datapoints=len(records), rejected=len(rejections),
        node_paths=[" > ".join(p) for p in node_index], statuses=statuses, rows=rows, details=details,
        sampled=len(details) < len(everything))


def _stored_usage(run: RunDir) -> list[UsageLine]:
    """Usage per stage from the calls in the store, for a run made before its facts were kept (no price known)."""
    return [UsageLine(stage=r.role, model=mask_urls(r.model), calls=r.calls, prompt_tokens=r.prompt_tokens,
                      completion_tokens=r.completion_tokens) for r in stage_usage(read_usage_by_prompt(run.db))]
