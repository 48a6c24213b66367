"""The plan command: taxonomies, sampling strategies, the coverage budget N/V and the judge check, before generation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from seedless.core.plan.mix import CoverageBudget, Mix
from seedless.core.plan.strategy import Strategy
from seedless.engine.events import EventSink, ignore
from seedless.engine.llm.clients import ModelClient
from seedless.engine.session import Session
from seedless.engine.stages.judge_check import JudgeCheckOutcome, judge_check_step
from seedless.engine.stages.strategy_stage import (
    degraded,
    sampler_and_budget,
    strategy_step,
)
from seedless.engine.stages.taxonomy_stage import TaxonomyOutcome, taxonomy_step
from seedless.engine.store.calls import UsageRow
from seedless.spec.models import Spec

SAMPLE_MIXES = 5


@dataclass
class PlanOutcome:
    taxonomy: TaxonomyOutcome
    strategies: list[Strategy]
    source: str  # spec | file | model | default
    path: Path
    budget: CoverageBudget
    samples: list[Mix]
    notes: list[str] = field(default_factory=list)
    degraded: list[str] = field(default_factory=list)  # what failed calls left undone (the command exits non-zero)
    usage: list[UsageRow] = field(default_factory=list)
    usage_total: list[UsageRow] = field(default_factory=list)
    calls_sent: int = 0
    calls_reused: int = 0
    judge: JudgeCheckOutcome | None = None


async def build_plan(spec: Spec, out: Path, *, events: EventSink = ignore, from_scratch: bool = False,
                     clients: dict[str, ModelClient] | None = None) -> PlanOutcome:
    """Taxonomies and strategies in run directory `out`, with the coverage budget, a few sample mixes and the judge
    check (JudgeCheckFailed when the judge cannot tell right from wrong and the spec says stop)."""
    async with Session(spec, out, "plan", events=events, clients=clients) as session:
        taxonomy = await taxonomy_step(session, from_scratch=from_scratch)
        strategies, source, notes = await strategy_step(session, taxonomy.taxonomies, from_scratch=from_scratch)
        sampler, budget = sampler_and_budget(spec, taxonomy.taxonomies, strategies)
        judge = await judge_check_step(session)
        store, caller = session.store, session.caller
        return PlanOutcome(taxonomy, strategies, source, session.run.strategies, budget,
                           [sampler.sample(i) for i in range(min(SAMPLE_MIXES, spec.size))], notes,
                           degraded(taxonomy, source), store.usage(this_invocation_only=True), store.usage(),
                           caller.sent, caller.reused, judge)
