"""Calibrated complexity: items scored relative to each other in scheduled batches, fitted into Elo ratings."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from seedless.core.eval_replies import ComplexityReply
from seedless.core.measures.elo import Comparison, batch_schedule, fit_ratings, pairwise_from_scores
from seedless.engine.evaluation.items import Item
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.prompts import PromptName
from seedless.spec.models import Role


@dataclass
class Complexity:
    ratings: list[float]
    batches: int
    comparisons: int
    failures: list[str] = field(default_factory=list)


async def rate_complexity(caller: Caller, items: list[Item], *, description: str, per_item: int, batch: int,
                          max_chars: int, seed: int) -> Complexity:
    """Every item appears in about `per_item` batches of `batch`; each batch's scores become pairwise results
    (higher score wins, equal scores draw), and all results are fitted at once (order-independent)."""
    schedule = batch_schedule(len(items), per_item=per_item, batch_size=batch, seed=seed)

    async def one(index: int, members: tuple[int, ...]) -> tuple[list[Comparison], str | None]:
        variables = {"description": description,
                     "items": [" ".join(items[i].text.split())[:max_chars] for i in members]}
        result = await caller.structured(Role.rater, PromptName.complexity_batch, variables, ComplexityReply,
                                         ComplexityReply.schema_for(items=len(members)), sample=index)
        if result.value is None:
            return [], f"batch {index}: " + "; ".join(result.failures)[:300]
        scores: dict[int, float] = {}
        for s in result.value.scores:
            if 1 <= s.item <= len(members):
                scores.setdefault(members[s.item - 1], float(s.score))
        return pairwise_from_scores(members, scores), None

    results = await asyncio.gather(*(one(i, b) for i, b in enumerate(schedule)))
    comparisons = [c for made, _ in results for c in made]
    ratings = fit_ratings(len(items), comparisons) if items else []
    return Complexity(ratings, len(schedule), len(comparisons), [f for _, f in results if f])
