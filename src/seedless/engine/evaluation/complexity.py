"""Calibrated complexity: items scored relative to each other in scheduled batches, fitted into Elo ratings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from seedless.core.calls import COMPLEXITY_BATCH
from seedless.core.eval_replies import ComplexityReply
from seedless.core.measures.elo import (
    Comparison,
    batch_schedule,
    fit_ratings,
    pairwise_from_scores,
    rating_summary,
)
from seedless.core.measures.report import ComplexitySection
from seedless.core.text import clip
from seedless.engine.evaluation.items import Item
from seedless.engine.evaluation.measure import MeasureContext
from seedless.engine.llm.caller import Caller
from seedless.engine.store.rundir import RunDir
from seedless.engine.tasks import together
from seedless.spec.loader import SpecError, load_spec

NO_DESCRIPTION = "the items below"
METHOD = "Bradley-Terry fit of batch-relative scores, on the Elo scale (mean 1500)"


@dataclass
class Complexity:
    ratings: list[float]
    batches: int
    comparisons: int
    failures: list[str] = field(default_factory=list)
    schedule: list[tuple[int, ...]] = field(default_factory=list)  # the batches, as indices into the items


async def rate_complexity(caller: Caller, items: list[Item], *, description: str, per_item: int, batch: int,
                          max_chars: int, seed: int) -> Complexity:
    """Every item appears in about `per_item` batches of `batch`; each batch's scores become pairwise results
    (higher score wins, equal scores draw), and all results are fitted at once (order-independent)."""
    schedule = batch_schedule(len(items), per_item=per_item, batch_size=batch, seed=seed)

    async def one(index: int, members: tuple[int, ...]) -> tuple[list[Comparison], str | None]:
        variables = {"description": description,
                     "items": [" ".join(items[i].text.split())[:max_chars] for i in members]}
        result = await caller.ask(COMPLEXITY_BATCH, variables, ComplexityReply.bounded(count=len(members)),
                                  sample=index)
        if result.value is None:
            return [], f"batch {index}: " + clip("; ".join(result.failures), 300)
        scores: dict[int, float] = {}
        for s in result.value.scores:
            if 1 <= s.item <= len(members):
                scores.setdefault(members[s.item - 1], float(s.score))
        return pairwise_from_scores(members, scores), None

    results = await together(one(i, b) for i, b in enumerate(schedule))
    comparisons = [c for made, _ in results for c in made]
    ratings = fit_ratings(len(items), comparisons) if items else []
    return Complexity(ratings, len(schedule), len(comparisons), [f for _, f in results if f], schedule)


def description(data: Path | None) -> str:
    """The run's description (its spec.yaml, read like every spec), or NO_DESCRIPTION for other data."""
    spec = RunDir(data).spec if data is not None and data.is_dir() else None
    if spec and spec.is_file():
        try:
            return " ".join(load_spec(spec).description.split())
        except SpecError:
            return NO_DESCRIPTION
    return NO_DESCRIPTION


async def run_complexity(context: MeasureContext) -> ComplexitySection:
    """Elo ratings of the items from the rater's batch scores, with their population summary."""
    settings, items = context.settings, context.items
    rated = await rate_complexity(context.caller, items, description=description(context.data),
                                  per_item=settings.complexity_per_item, batch=settings.complexity_batch,
                                  max_chars=settings.max_chars, seed=settings.seed)
    summary = rating_summary(rated.ratings) if rated.ratings else None
    return ComplexitySection(method=METHOD, batch=settings.complexity_batch, per_item=settings.complexity_per_item,
                             batches=rated.batches, comparisons=rated.comparisons, summary=summary,
                             ratings={i.id: round(r, 2) for i, r in zip(items, rated.ratings)},
                             failures=rated.failures)
