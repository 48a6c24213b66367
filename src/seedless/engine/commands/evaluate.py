"""`seedless eval`: every selected measure of the registry (engine/evaluation/registry.py) into one typed report."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from pathlib import Path

from seedless.core.measures.report import EvalReport
from seedless.core.taxonomy.file import read_taxonomies
from seedless.core.taxonomy.tree import TaxonomySet
from seedless.engine.evaluation.embedding import make_eval_embedder
from seedless.engine.evaluation.items import DataError, load_items
from seedless.engine.evaluation.judges import judging_models
from seedless.engine.evaluation.measure import Measure, MeasureContext
from seedless.engine.evaluation.registry import selected
from seedless.engine.events import EventSink, Notice, ignore
from seedless.engine.llm.clients import ModelClient
from seedless.engine.session import ModelSession
from seedless.engine.store.rundir import RunDir
from seedless.engine.tasks import together
from seedless.spec.eval_settings import EvalSettings
from seedless.spec.secrets import public_dump


def store_path(report: Path) -> Path:
    """Model calls of an eval are stored beside its report, so an interrupted eval resumes."""
    return report.with_name(report.stem + ".seedless.db")


def _taxonomies(data: Path | None, given: Path | None) -> tuple[TaxonomySet | None, Path | None]:
    run_file = RunDir(data).taxonomy if data is not None and data.is_dir() else None
    path = given or (run_file if run_file is not None and run_file.is_file() else None)
    return (read_taxonomies(path) if path else None), path


def write_report(report: EvalReport, path: Path) -> None:
    """The report as JSON at `path`, written atomically (the file `seedless eval --out` and the API write)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    RunDir.write_atomic(path, json.dumps(report.as_dict(), indent=1, ensure_ascii=False))


def _missing(measure: Measure, context: MeasureContext) -> str | None:
    """Why a measure cannot run on what was given (its declared needs), or None."""
    needs = measure.needs
    if needs.taxonomy is not None and context.taxonomies is None:
        return needs.taxonomy
    if needs.expert is not None and context.experts is None:
        return needs.expert
    if needs.answer_field and not context.settings.answer_field:
        return "no answer_field (pass --answer-field)"
    return None


async def evaluate(data: Path | None, settings: EvalSettings, report_path: Path, *, taxonomy: Path | None = None,
                   expert: Path | None = None, events: EventSink = ignore,
                   clients: dict[str, ModelClient] | None = None) -> EvalReport:
    """Every selected measure of `data` (JSONL, Parquet or a run directory). Model calls go through the store
    beside the report, so running the same eval again sends no finished call. Items are read only for the
    measures that need them: taxonomy_quality alone reads no data (`data` may be None, or a run directory
    whose taxonomy.yaml is the generated taxonomy). Unless `settings.models` was given, the measures judge
    with the strongest packaged model that is installed (`judging_models`)."""
    settings = judging_models(settings)
    wanted = selected(list(settings.metrics))
    need_items = sorted(m.name for m in wanted if m.needs.items)
    if need_items and data is None:
        raise DataError(f"{', '.join(need_items)} need DATA (a JSONL, Parquet or run directory)")
    items = load_items(data, settings.fields) if data is not None and need_items else []
    taxonomies, tax_path = _taxonomies(data, taxonomy)
    report = EvalReport(data=str(data) if data is not None else None, items=len(items),
                        settings=public_dump(settings, exclude={"models"}),
                        taxonomy=str(tax_path) if tax_path else None, expert=str(expert) if expert else None)
    wants_expert = any(m.needs.expert is not None for m in wanted)
    context = MeasureContext(data, settings, items, taxonomies,
                             read_taxonomies(expert) if expert is not None and wants_expert else None,
                             report.taxonomy, report.expert)
    runnable = []
    for measure in wanted:
        why = _missing(measure, context)
        if why is None:
            runnable.append(measure)
            continue
        report.notes.append(f"{measure.name} skipped: {why}")
        events(Notice(report.notes[-1], warning=True))
    if any(m.needs.embeddings(settings) for m in runnable):
        context.embedder = make_eval_embedder(settings)
        context.vectors = await asyncio.to_thread(context.embedder.embed, [i.text for i in items])
    for measure in runnable:  # no model call: before the store opens
        if not measure.calls:
            report.put(measure.name, await measure.run(context))
    await _run_with_models([m for m in runnable if m.calls], context, settings, report_path, report, events,
                           clients)
    return report


async def _run_with_models(measures: list[Measure], context: MeasureContext, settings: EvalSettings,
                           report_path: Path, report: EvalReport, events: EventSink,
                           clients: dict[str, ModelClient] | None) -> None:
    """The measures that call a model, run together in one session on the store beside the report (so the
    budget, models.budget, applies to eval too); the store's usage and the calls sent and reused go into the
    report."""
    async with ModelSession(settings.models, settings.seed, store_path(report_path), "eval", events=events,
                            clients=clients) as session:
        context.model = session.caller
        sections = await together(m.run(context) for m in measures)  # a fatal model error stops them all
        for measure, section in zip(measures, sections):
            report.put(measure.name, section)
        report.usage = [asdict(u) for u in session.store.usage()]
        report.calls_sent, report.calls_reused = session.caller.sent, session.caller.reused


__all__ = ["DataError", "EvalReport", "evaluate", "store_path", "write_report"]
