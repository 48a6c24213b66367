"""Complexity of several datasets from one Elo pool: a content-seeded sample of each, batches over the pooled items, one fit."""

# Why one pool: each eval centres its own ratings on 1500, so two evals' ratings say nothing about each other. Here
# every dataset's sampled items are rated together (the batches mix datasets) and fitted at once, so a rating means
# the same thing in every dataset. The pool is built from the items' texts alone: which items are sampled (the
# smallest seeded hashes of their texts), their order in the pool (the same hash) and so the schedule do not depend
# on dataset labels or order, and an item that two datasets share is one member of the pool with one rating.

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from seedless.core.measures.comparison import ComplexityPool, DatasetComplexity, histogram, shared_edges
from seedless.core.measures.elo import rating_summary
from seedless.engine.evaluation.complexity import METHOD, rate_complexity
from seedless.engine.evaluation.items import Item
from seedless.engine.llm.caller import Caller

JOINT_METHOD = METHOD.replace("(mean 1500)", "(mean 1500 over the joint pool of every dataset)")


def pool_text(item: Item) -> str:
    """The text that identifies an item in the pool: its text with runs of whitespace as one space (as the rater
    sees it)."""
    return " ".join(item.text.split())


def _key(seed: int, text: str) -> str:
    return hashlib.sha256(f"{seed}\0{text}".encode()).hexdigest()


def pool_sample(items: Sequence[Item], limit: int, seed: int) -> list[Item]:
    """At most `limit` items, chosen by content: those whose seeded text hash is smallest (in the given order). The
    same item is chosen the same way in every dataset that holds it, whatever the dataset is called."""
    if len(items) <= limit:
        return list(items)
    ranked = sorted(range(len(items)), key=lambda i: (_key(seed, pool_text(items[i])), i))
    kept = set(ranked[:limit])
    return [item for i, item in enumerate(items) if i in kept]


@dataclass(frozen=True)
class JointComplexity:
    pool: ComplexityPool
    datasets: list[DatasetComplexity]  # in the order the datasets were given


async def rate_jointly(caller: Caller, datasets: Sequence[Sequence[Item]], *, description: str, limit: int,
                       per_item: int, batch: int, max_chars: int, seed: int, bins: int) -> JointComplexity:
    """Every dataset's sample (`pool_sample`) pooled (distinct texts, in seeded hash order), scheduled into batches
    of `batch` (each item in about `per_item`), scored by the rater and fitted once; each dataset reads its items'
    ratings from the pool, with a histogram over bins shared by every dataset."""
    samples = [pool_sample(items, limit, seed) for items in datasets]
    holders: dict[str, set[int]] = {}
    for index, sample in enumerate(samples):
        for item in sample:
            holders.setdefault(pool_text(item), set()).add(index)
    texts = sorted(holders, key=lambda t: (_key(seed, t), t))
    members = [Item(f"pool-{i}", text, {}) for i, text in enumerate(texts)]
    rated = await rate_complexity(caller, members, description=description, per_item=per_item, batch=batch,
                                  max_chars=max_chars, seed=seed)
    rating_of = dict(zip(texts, rated.ratings))
    edges = shared_edges(rated.ratings, bins) if rated.ratings else []
    mixed = sum(1 for members_of in rated.schedule
                if not set.intersection(*(holders[texts[i]] for i in members_of)))
    pool = ComplexityPool(method=JOINT_METHOD, items=len(members), batches=rated.batches, mixed_batches=mixed,
                          comparisons=rated.comparisons,
                          summary=rating_summary(rated.ratings) if rated.ratings else None, edges=edges,
                          failures=rated.failures)
    out = []
    for sample in samples:
        ratings = [rating_of[pool_text(item)] for item in sample if pool_text(item) in rating_of]
        out.append(DatasetComplexity(items=len(sample), summary=rating_summary(ratings) if ratings else None,
                                     histogram=histogram(ratings, edges),
                                     ratings={item.id: round(rating_of[pool_text(item)], 2) for item in sample
                                              if pool_text(item) in rating_of}))
    return JointComplexity(pool, out)


__all__ = ["JOINT_METHOD", "JointComplexity", "pool_sample", "pool_text", "rate_jointly"]
