"""Calibrated complexity: seeded batch schedules, batch scores -> pairwise results, an order-independent Bradley-Terry fit on the Elo scale, tiers within groups."""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

ELO_BASE = 1500.0  # the reported mean rating
ELO_SCALE = 400.0  # a gap of 400 points means 10:1 odds of winning, as in chess Elo
PRIOR_DRAWS = 1.0  # virtual draws of every item against an anchor of strength 1 (the mean strength)
CANDIDATE_POOL = 48  # items scored per schedule slot; bounds the schedule's cost on large sets
SWAP_ATTEMPTS = 50_000  # most swaps tried when spreading pairs after the greedy schedule


@dataclass(frozen=True)
class Comparison:
    """One pairwise result: `score` is what item `a` earned against item `b` (1 win, 0.5 draw, 0 loss)."""

    a: int
    b: int
    score: float

    def __post_init__(self) -> None:
        if self.a == self.b:
            raise ValueError(f"an item cannot be compared with itself ({self.a})")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must lie in [0, 1], got {self.score}")


@dataclass(frozen=True)
class RatingSummary:
    """Population statistics of a set of ratings; quartiles interpolate linearly between ranks."""

    count: int
    mean: float
    std: float
    min: float
    q1: float
    median: float
    q3: float
    max: float


def batch_schedule(n_items: int, per_item: int = 5, batch_size: int = 5, seed: int = 0) -> list[tuple[int, ...]]:
    """Batches of `batch_size` distinct items in which every item appears `per_item` times, seeded.

    The number of batches is ceil(n_items * per_item / batch_size) and every batch is full, so when the
    product is not divisible the few items drawn to fill the last slots appear `per_item + 1` times.
    Each slot goes to the candidate that has shared a batch least with the items already in it, then
    to the one with the most appearances still owed (random tie-break). Items that are owed a place
    in every remaining batch are placed first, which guarantees that the schedule always completes.
    With `n_items <= batch_size` there is one batch of all items; with `n_items <= 1`, none.
    Items inside a batch are in seeded random order, so position never follows item number.
    """
    if per_item < 1 or batch_size < 2:
        raise ValueError("per_item must be at least 1 and batch_size at least 2")
    rng = random.Random(seed)
    if n_items <= 1:
        return []
    if n_items <= batch_size:
        everyone = list(range(n_items))
        rng.shuffle(everyone)
        return [tuple(everyone)]
    n_batches = -(-n_items * per_item // batch_size)
    owed = [per_item] * n_items
    for item in rng.sample(range(n_items), n_batches * batch_size - n_items * per_item):
        owed[item] += 1
    active = _ActiveSet(n_items)
    by_owed: dict[int, set[int]] = {}
    for item, count in enumerate(owed):
        by_owed.setdefault(count, set()).add(item)
    together: Counter[tuple[int, int]] = Counter()
    schedule: list[list[int]] = []
    for remaining in range(n_batches, 0, -1):
        batch = sorted(by_owed.get(remaining, ()))  # owed a place in every remaining batch
        while len(batch) < batch_size:
            batch.append(_best_candidate(active, batch, owed, together, rng))
        for item in batch:
            by_owed[owed[item]].discard(item)
            owed[item] -= 1
            by_owed.setdefault(owed[item], set()).add(item)
            if owed[item] == 0:
                active.remove(item)
        for i, x in enumerate(batch):
            for y in batch[i + 1:]:
                together[(min(x, y), max(x, y))] += 1
        schedule.append(batch)
    _spread_pairs(schedule, together, rng, attempts=min(SWAP_ATTEMPTS, 40 * n_batches * batch_size))
    for batch in schedule:
        rng.shuffle(batch)
    return [tuple(batch) for batch in schedule]


def _spread_pairs(schedule: list[list[int]], together: Counter[tuple[int, int]], rng: random.Random,
                  attempts: int) -> None:
    """Seeded hill climbing: swap two items between two batches when that lowers the sum of squared
    pair counts (fewer repeated pairs); a swap keeps every item's count and never duplicates an item."""
    if len(schedule) < 2:
        return
    for _ in range(attempts):
        first, second = rng.sample(range(len(schedule)), 2)
        p, q = schedule[first], schedule[second]
        i, j = rng.randrange(len(p)), rng.randrange(len(q))
        x, y = p[i], q[j]
        if x in q or y in p:
            continue
        change: Counter[tuple[int, int]] = Counter()
        for other in p:
            if other != x:
                change[(min(x, other), max(x, other))] -= 1
                change[(min(y, other), max(y, other))] += 1
        for other in q:
            if other != y:
                change[(min(y, other), max(y, other))] -= 1
                change[(min(x, other), max(x, other))] += 1
        delta = sum((together[k] + d) ** 2 - together[k] ** 2 for k, d in change.items() if d)
        if delta <= 0:
            p[i], q[j] = y, x
            for k, d in change.items():
                together[k] += d


class _ActiveSet:
    """Items still owed a place, with O(1) removal and sampling."""

    def __init__(self, n: int) -> None:
        self.items = list(range(n))
        self.index = {i: i for i in range(n)}

    def remove(self, item: int) -> None:
        at = self.index.pop(item)
        last = self.items.pop()
        if last != item:
            self.items[at] = last
            self.index[last] = at


def _best_candidate(active: _ActiveSet, batch: list[int], owed: list[int],
                    together: Counter[tuple[int, int]], rng: random.Random) -> int:
    pool = active.items if len(active.items) <= CANDIDATE_POOL else rng.sample(active.items, CANDIDATE_POOL)
    candidates = [c for c in pool if c not in batch]
    if not candidates:  # a sampled pool may hold only batch members; fall back to every active item
        candidates = [c for c in active.items if c not in batch]

    def key(c: int) -> tuple[int, int, float]:
        shared = sum(together[(min(c, x), max(c, x))] for x in batch)
        return shared, -owed[c], rng.random()

    return min(candidates, key=key)


def pairwise_from_scores(batch: tuple[int, ...], scores: Mapping[int, float]) -> list[Comparison]:
    """Every pair of a scored batch as one result, in batch order: higher score wins, equal scores draw.

    Items of the batch missing from `scores` (a reply that skipped one) are left out of every pair.
    """
    scored = [item for item in batch if item in scores]
    out = []
    for i, a in enumerate(scored):
        for b in scored[i + 1:]:
            sa, sb = scores[a], scores[b]
            out.append(Comparison(a, b, 1.0 if sa > sb else 0.0 if sa < sb else 0.5))
    return out


def fit_ratings(n_items: int, comparisons: Sequence[Comparison], *, prior_draws: float = PRIOR_DRAWS,
                tol: float = 1e-10, max_iter: int = 10_000) -> list[float]:
    """Bradley-Terry maximum likelihood (Hunter's MM iteration) reported on the Elo scale.

    P(i beats j) = s_i / (s_i + s_j). A draw counts as half a win for each side. Every item also
    plays `prior_draws` virtual draws against an anchor of fixed strength 1, so items that won or
    lost everything stay finite and the scale is pinned; `prior_draws=0` is the plain maximum
    likelihood, defined only when every item can be reached from every other through wins (else
    ValueError). The fit sees only totals (wins per item, games per pair), so the order of
    `comparisons` cannot change it. Iteration stops when no log strength moves more than `tol`,
    or after `max_iter` rounds. rating_i = ELO_BASE + ELO_SCALE / ln 10 * (ln s_i - mean ln s).
    """
    if n_items <= 0:
        return []
    if prior_draws < 0:
        raise ValueError("prior_draws must be >= 0")
    wins = np.full(n_items, prior_draws / 2.0)
    games: Counter[tuple[int, int]] = Counter()
    for c in comparisons:
        if not (0 <= c.a < n_items and 0 <= c.b < n_items):
            raise ValueError(f"comparison {c} names an item outside 0..{n_items - 1}")
        wins[c.a] += c.score
        wins[c.b] += 1.0 - c.score
        games[(min(c.a, c.b), max(c.a, c.b))] += 1
    if prior_draws == 0:
        _require_strongly_connected(n_items, comparisons)
    pairs = sorted(games)
    left = np.array([p[0] for p in pairs], dtype=np.int64)
    right = np.array([p[1] for p in pairs], dtype=np.int64)
    count = np.array([games[p] for p in pairs], dtype=float)
    strength = np.ones(n_items)
    for _ in range(max_iter):
        per_pair = count / (strength[left] + strength[right])
        denominator = (np.bincount(left, per_pair, n_items) + np.bincount(right, per_pair, n_items)
                       + prior_draws / (strength + 1.0))
        updated = wins / denominator
        if prior_draws == 0:
            updated /= math.exp(float(np.mean(np.log(updated))))  # scale is free without the anchor
        moved = float(np.max(np.abs(np.log(updated) - np.log(strength))))
        strength = updated
        if moved < tol:
            break
    logs = np.log(strength)
    return [float(x) for x in ELO_BASE + ELO_SCALE / math.log(10) * (logs - logs.mean())]


def _require_strongly_connected(n_items: int, comparisons: Sequence[Comparison]) -> None:
    beat: list[set[int]] = [set() for _ in range(n_items)]  # i -> j when i took some score from j
    beaten_by: list[set[int]] = [set() for _ in range(n_items)]
    for c in comparisons:
        for winner, loser, share in ((c.a, c.b, c.score), (c.b, c.a, 1.0 - c.score)):
            if share > 0:
                beat[winner].add(loser)
                beaten_by[loser].add(winner)
    for edges in (beat, beaten_by):
        seen, todo = {0}, [0]
        while todo:
            for nxt in edges[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        if len(seen) < n_items:
            raise ValueError("with prior_draws=0 every item must reach every other through wins; "
                             "some ratings would be infinite")


def rating_summary(ratings: Sequence[float]) -> RatingSummary:
    """Count, mean, population std, min, quartiles (inclusive linear interpolation) and max."""
    if not ratings:
        raise ValueError("no ratings to summarise")
    values = [float(r) for r in ratings]
    if len(values) == 1:
        v = values[0]
        return RatingSummary(1, v, 0.0, v, v, v, v, v)
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return RatingSummary(len(values), statistics.fmean(values), statistics.pstdev(values),
                         min(values), q1, median, q3, max(values))


def tiers(ratings: Sequence[float], groups: Sequence[str], n_tiers: int = 3) -> list[int]:
    """Complexity tier per item (0 = easiest), ranked only against items of the same group.

    Inside a group of g items, ranked by rating ascending (equal ratings keep item order), the item
    of rank r gets tier floor(r * n_tiers / g), so tier sizes differ by at most one. A group with
    no more than n_tiers items gets tiers 0, 1, ... in rank order, leaving the top tiers empty.
    """
    if len(ratings) != len(groups):
        raise ValueError(f"{len(ratings)} ratings but {len(groups)} groups")
    if n_tiers < 1:
        raise ValueError("n_tiers must be at least 1")
    members: dict[str, list[int]] = {}
    for item, group in enumerate(groups):
        members.setdefault(group, []).append(item)
    out = [0] * len(ratings)
    for items in members.values():
        ranked = sorted(items, key=lambda i: (ratings[i], i))
        size = len(ranked)
        for rank, item in enumerate(ranked):
            out[item] = rank if size <= n_tiers else rank * n_tiers // size
    return out
