"""The run command: taxonomies, strategies, coverage budget, then datapoints until the target, then the files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from seedless.core.basis import basis
from seedless.core.dataset.rejection_stats import RejectionStats
from seedless.core.plan.mix import CoverageBudget
from seedless.core.plan.strategy import Strategy
from seedless.engine.events import EventSink, Notice, ignore
from seedless.engine.llm.clients import ModelClient
from seedless.engine.outputs.card import CARD_FACTS, run_card, run_card_facts, seedless_version, write_card
from seedless.engine.outputs.dataset_files import DatasetFiles, write_dataset_files
from seedless.engine.session import Session, snapshot_text
from seedless.engine.stages.catalogue import stage_usage
from seedless.engine.stages.datapoint.registry import STEPS
from seedless.engine.stages.generation import Generation
from seedless.engine.stages.judge_check import JudgeCheckOutcome, judge_check_step
from seedless.engine.stages.strategy_stage import (
    degraded,
    sampler_and_budget,
    strategy_step,
)
from seedless.engine.stages.taxonomy_stage import TaxonomyOutcome, taxonomy_step
from seedless.engine.store.calls import UsageRow
from seedless.engine.store.rundir import storage_full
from seedless.spec.models import Spec


@dataclass
class RunOutcome:
    taxonomy: TaxonomyOutcome
    strategies: list[Strategy]
    budget: CoverageBudget
    target: int
    files: DatasetFiles
    stats: RejectionStats
    critics_on: dict[str, bool]
    complete: bool
    stopped_at_bound: bool
    attempt_bound: int
    tries_this_run: int
    regenerated: int  # accepted datapoints dropped because an edit changed their mix
    warnings: list[str] = field(default_factory=list)
    usage: list[UsageRow] = field(default_factory=list)
    usage_total: list[UsageRow] = field(default_factory=list)
    usage_stages: list[UsageRow] = field(default_factory=list)  # every stored call, per stage and model
    calls_sent: int = 0
    calls_reused: int = 0
    degraded: list[str] = field(default_factory=list)  # what failed calls left undone (the command exits non-zero)
    judge: JudgeCheckOutcome | None = None
    card: Path | None = None  # RUN_DIR/README.md when this run wrote it (None: kept as someone edited it)


def critics_on(spec: Spec) -> dict[str, bool]:
    """Which datapoint steps may reject under `spec` (the others are left out of the rejection table)."""
    return {step.name: step.can_reject(spec) for step in STEPS}


def _write_files(session: Session, generation: Generation) -> DatasetFiles:
    session.write_snapshot()
    return write_dataset_files(session.run, generation.records, generation.current, generation.targets,
                               session.spec.output, dataset_metadata(session.spec))


def dataset_metadata(spec: Spec) -> dict[str, str]:
    """What the Parquet copy says about where it comes from: the spec's name, the seedless version and the resolved
    spec's content hash (two files with equal hashes were made from the same settings)."""
    return {"seedless.spec_name": spec.name or "", "seedless.version": seedless_version(),
            "seedless.spec_basis": basis({"spec": snapshot_text(spec)})}


async def run_dataset(spec: Spec, out: Path, *, events: EventSink = ignore, from_scratch: bool = False,
                      clients: dict[str, ModelClient] | None = None) -> RunOutcome:
    """Everything `seedless run` does, in run directory `out`. Resumable at any point: the store holds every
    finished call and every finished try, and the files are rewritten from it (also when the run fails once
    generation has started; never from a run that stopped before, so a bad input cannot empty them). The spec
    snapshot is written with the files. Call `RunDir(out).claim(force=...)` first to use a foreign directory."""
    async with Session(spec, out, "run", events=events, clients=clients) as session:
        taxonomy = await taxonomy_step(session, from_scratch=from_scratch)
        strategies, source, _ = await strategy_step(session, taxonomy.taxonomies, from_scratch=from_scratch)
        sampler, budget = sampler_and_budget(spec, taxonomy.taxonomies, strategies)
        events(Notice(f"coverage budget: {budget.meaning()}"))
        judge = await judge_check_step(session)  # stops here (JudgeCheckFailed) when the judge cannot judge
        events(Notice(judge.message))
        generation = Generation(session, sampler, events, judge.figures)
        try:
            await generation.run()
        except BaseException as exc:  # the files from what is stored, on the way out; not onto a full disk
            if generation.started and storage_full(exc, session.run.db) is None:
                _write_files(session, generation)
            raise
        files = _write_files(session, generation)
        if generation.regenerated:
            events(Notice(f"{generation.regenerated} datapoint(s) were made again: an edit changed their mix"))
        on = critics_on(spec)
        store, caller = session.store, session.caller
        outcome = RunOutcome(taxonomy, strategies, budget, spec.size, files, generation.stats, on,
                             generation.complete, generation.stopped_at_bound, generation.bound,
                             generation.tries_sent, generation.regenerated, generation.stats.warnings(critics_on=on),
                             store.usage(this_invocation_only=True), store.usage(),
                             stage_usage(store.usage_by_prompt()), caller.sent, caller.reused,
                             degraded(taxonomy, source), judge)
        outcome.card = _write_card(session, outcome)
        return outcome


def _write_card(session: Session, outcome: RunOutcome) -> Path | None:
    """RUN_DIR/README.md from the run's facts, which the store keeps for `export`; an edited card is kept as it is,
    with a notice. The card's path, or None when it was kept."""
    spec, run = session.spec, session.run
    facts = run_card_facts(spec, outcome.taxonomy.taxonomies, outcome.strategies, outcome.budget, outcome.stats,
                           outcome.critics_on, outcome.judge, outcome.usage_total, outcome.usage_stages,
                           rows=outcome.files.accepted, rejected=outcome.files.rejections, complete=outcome.complete,
                           warnings=outcome.taxonomy.warnings)
    session.store.set_artifact(CARD_FACTS, facts.model_dump(mode="json"))
    if write_card(run.card, run_card(run, facts, spec.output)):
        return run.card
    session.events(Notice(f"{run.card} was edited (or not written by seedless): kept as it is; the dataset card is "
                          "not rewritten there (delete it to get a fresh one)", warning=True))
    return None
