"""`seedless eval`: coverage, complexity, embedding, taxonomy-quality and critic measures, into one report."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from seedless.core.measures.coverage import TaxonomyCoverage, coverage
from seedless.core.measures.elo import rating_summary
from seedless.core.taxonomy.file import read_taxonomies
from seedless.core.taxonomy.tree import TaxonomySet
from seedless.engine.evaluation.complexity import rate_complexity
from seedless.engine.evaluation.coverage import Placement, assign_by_embedding, assign_by_model
from seedless.engine.evaluation.critic import check_critic, critic_section
from seedless.engine.evaluation.embedding import embedding_measures, make_eval_embedder
from seedless.engine.evaluation.items import DataError, Item, load_items
from seedless.engine.evaluation.taxonomy_quality import judge_taxonomies, quality_section
from seedless.engine.events import CallRetry, EventSink, Notice, ignore
from seedless.engine.llm.bindings import Endpoints
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.clients import ModelClient
from seedless.engine.store.calls import Store
from seedless.engine.store.rundir import RunDir
from seedless.spec.eval_settings import ITEM_METRICS, LIFT_AT, EvalSettings
from seedless.spec.loader import SpecError, load_spec
from seedless.spec.secrets import public_dump

NO_DESCRIPTION = "the items below"


@dataclass
class EvalReport:
    data: str | None
    items: int
    settings: dict[str, Any]
    taxonomy: str | None = None
    expert: str | None = None
    coverage: dict[str, Any] | None = None
    complexity: dict[str, Any] | None = None
    diversity: dict[str, Any] | None = None
    duplicates: dict[str, Any] | None = None
    taxonomy_quality: dict[str, Any] | None = None
    critic: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    usage: list[dict[str, Any]] = field(default_factory=list)
    calls_sent: int = 0
    calls_reused: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def store_path(report: Path) -> Path:
    """Model calls of an eval are stored beside its report, so an interrupted eval resumes."""
    return report.with_name(report.stem + ".seedless.db")


def _taxonomies(data: Path | None, given: Path | None) -> tuple[TaxonomySet | None, Path | None]:
    run_file = data / "taxonomy.yaml" if data is not None and data.is_dir() else None
    path = given or (run_file if run_file is not None and run_file.is_file() else None)
    return (read_taxonomies(path) if path else None), path


def write_report(report: EvalReport, path: Path) -> None:
    """The report as JSON at `path`, written atomically (the file `seedless eval --out` and the API write)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    RunDir.write_atomic(path, json.dumps(report.as_dict(), indent=1, ensure_ascii=False))


def _description(data: Path | None) -> str:
    """The run's description (its spec.yaml, read like every spec), or NO_DESCRIPTION for other data."""
    spec = RunDir(data).spec if data is not None and data.is_dir() else None
    if spec and spec.is_file():
        try:
            return " ".join(load_spec(spec).description.split())
        except SpecError:
            return NO_DESCRIPTION
    return NO_DESCRIPTION


def _coverage_section(results: list[tuple[TaxonomyCoverage, Placement]], items: list[Item], mode: str) -> dict:
    taxonomies = []
    for cov, placement in results:
        taxonomies.append({
            "factor": cov.factor,
            "levels": [{"level": lv.level, "nodes": lv.nodes, "hit": lv.hit, "ratio": round(lv.ratio, 4),
                        "uncovered": [list(p) for p in lv.uncovered]} for lv in cov.levels],
            "hits": [{"path": list(h.path), "items": h.items} for h in cov.nodes],
            "unassigned": len(cov.unassigned), "failures": placement.failures})
    assignments = {i.id: {cov.factor: list(p.paths[i.id]) for cov, p in results if i.id in p.paths} for i in items}
    label = "model" if mode == "model" else "embedding (an approximation: nearest node by cosine similarity)"
    return {"mode": label, "taxonomies": taxonomies, "assignments": assignments}


async def evaluate(data: Path | None, settings: EvalSettings, report_path: Path, *, taxonomy: Path | None = None,
                   expert: Path | None = None, events: EventSink = ignore,
                   clients: dict[str, ModelClient] | None = None) -> EvalReport:
    """Every selected measure of `data` (JSONL, Parquet or a run directory). Model calls go through the store
    beside the report, so running the same eval again sends no finished call. Items are read only for the
    measures that need them: taxonomy_quality alone reads no data (`data` may be None, or a run directory
    whose taxonomy.yaml is the generated taxonomy)."""
    wanted = set(settings.metrics)
    if wanted & ITEM_METRICS and data is None:
        raise DataError(f"{', '.join(sorted(wanted & ITEM_METRICS))} need DATA (a JSONL, Parquet or run directory)")
    items = load_items(data, settings.fields) if data is not None and wanted & ITEM_METRICS else []
    taxonomies, tax_path = _taxonomies(data, taxonomy)
    report = EvalReport(str(data) if data is not None else None, len(items),
                        public_dump(settings, exclude={"models"}), str(tax_path) if tax_path else None,
                        str(expert) if expert else None)
    experts = read_taxonomies(expert) if expert is not None and "taxonomy_quality" in wanted else None

    def skip(metric: str, why: str) -> None:
        report.notes.append(f"{metric} skipped: {why}")
        events(Notice(report.notes[-1], warning=True))
        wanted.discard(metric)

    if "coverage" in wanted and taxonomies is None:
        skip("coverage", "no taxonomy (pass --taxonomy, or evaluate a run directory)")
    if "taxonomy_quality" in wanted and taxonomies is None:
        skip("taxonomy_quality", "no generated taxonomy (pass --taxonomy, or a run directory as DATA)")
    if "taxonomy_quality" in wanted and experts is None:
        skip("taxonomy_quality", "no expert taxonomy (pass --expert)")
    embedder = make_eval_embedder(settings) if wanted & {"diversity", "duplicates"} or (
        "coverage" in wanted and settings.coverage_mode == "embedding") else None
    vectors = await asyncio.to_thread(embedder.embed, [i.text for i in items]) if embedder else None
    if embedder is not None and vectors is not None:
        diversity, duplicates = await asyncio.to_thread(embedding_measures, items, vectors, embedder, settings,
                                                        wanted)
        report.diversity, report.duplicates = diversity, duplicates
    store = Store(store_path(report_path), command="eval")
    status = "failed"
    try:
        endpoints = Endpoints(settings, on_retry=lambda reason, delay: events(CallRetry(reason, delay)),  # type: ignore[arg-type]
                              clients=clients)
        caller = Caller(store, endpoints.bindings(), seed=settings.seed, max_repairs=settings.models.max_repairs,
                        events=events, max_consecutive_failures=settings.models.max_consecutive_failures)
        try:
            tasks = []
            if "coverage" in wanted and taxonomies is not None:
                tasks.append(_coverage(caller, taxonomies, items, vectors, embedder, settings, report))
            if "complexity" in wanted:
                tasks.append(_complexity(caller, items, _description(data), settings, report))
            if "taxonomy_quality" in wanted and taxonomies is not None and experts is not None:
                tasks.append(_taxonomy_quality(caller, taxonomies, experts, settings, report))
            if "critic" in wanted:
                tasks.append(_critic(caller, items, settings, report))
            await asyncio.gather(*tasks)
        finally:
            await endpoints.aclose()
        report.usage = [asdict(u) for u in store.usage()]
        report.calls_sent, report.calls_reused = caller.sent, caller.reused
        status = "ok"
    finally:
        store.close(status)
    return report


async def _coverage(caller: Caller, taxonomies: TaxonomySet, items: list[Item], vectors, embedder,
                    settings: EvalSettings, report: EvalReport) -> None:
    results = []
    for tax in taxonomies.taxonomies:
        if settings.coverage_mode == "embedding":
            placement = assign_by_embedding(tax, items, vectors, embedder.embed)
        else:
            placement = await assign_by_model(caller, tax, items, batch=settings.coverage_batch,
                                              max_chars=settings.max_chars)
        placed = {i.id: [placement.paths[i.id]] if i.id in placement.paths else [] for i in items}
        results.append((coverage(tax, placed), placement))
    report.coverage = _coverage_section(results, items, settings.coverage_mode)


async def _complexity(caller: Caller, items: list[Item], description: str, settings: EvalSettings,
                      report: EvalReport) -> None:
    rated = await rate_complexity(caller, items, description=description, per_item=settings.complexity_per_item,
                                  batch=settings.complexity_batch, max_chars=settings.max_chars, seed=settings.seed)
    summary = asdict(rating_summary(rated.ratings)) if rated.ratings else None
    report.complexity = {
        "method": "Bradley-Terry fit of batch-relative scores, on the Elo scale (mean 1500)",
        "batch": settings.complexity_batch, "per_item": settings.complexity_per_item, "batches": rated.batches,
        "comparisons": rated.comparisons, "summary": summary,
        "ratings": {i.id: round(r, 2) for i, r in zip(items, rated.ratings)}, "failures": rated.failures}


async def _taxonomy_quality(caller: Caller, generated: TaxonomySet, experts: TaxonomySet, settings: EvalSettings,
                            report: EvalReport) -> None:
    result = await judge_taxonomies(caller, generated, experts, batch=settings.taxonomy_judge_batch)
    report.taxonomy_quality = quality_section(result, report.taxonomy or "", report.expert or "")


async def _critic(caller: Caller, items: list[Item], settings: EvalSettings, report: EvalReport) -> None:
    field = settings.answer_field or ""
    check = await check_critic(caller, items, field)
    mus = sorted({settings.generator_accuracy, *LIFT_AT})
    report.critic = critic_section(check, field, mus, settings.generator_accuracy)


__all__ = ["DataError", "EvalReport", "evaluate", "store_path"]
