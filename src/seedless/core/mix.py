"""Mix sampling: one node per taxonomy of a strategy, seeded per datapoint, exclusions respected; coverage budget."""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from typing import Literal

from seedless.core.strategy import Strategy
from seedless.core.taxonomy import Node, Path, TaxonomySet

NodeLevel = Literal["leaves", "any"]
Weighting = Literal["balanced", "uniform"]
ENUMERATE_LIMIT = 200_000  # combinations counted exactly up to this many per strategy, estimated above
MAX_TRIES = 200  # rejection sampling against exclusions


@dataclass(frozen=True)
class Mix:
    """The requirements of one datapoint: a strategy and one node path per taxonomy (factor -> path)."""

    strategy: str
    nodes: tuple[Path, ...]

    def as_dict(self) -> dict[str, list[str]]:
        return {path[0]: list(path) for path in self.nodes}


class MixError(Exception):
    """No mix can be drawn (every combination is excluded, or a sub-tree is empty)."""


def _rng(seed: int, index: int, salt: str = "") -> random.Random:
    digest = hashlib.sha256(f"{seed}|{index}|{salt}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _candidates(node: Node, path: Path, level: NodeLevel) -> list[Path]:
    """Nodes a component can yield: its leaves, or every node below its root (the root itself when it is a leaf)."""
    walk = [(p, n) for p, n in node.walk(path[:-1])]
    if level == "leaves":
        return [p for p, n in walk if not n.children]
    below = [p for p, _ in walk if len(p) > len(path)]
    return below or [path]


def _depth(node: Node) -> int:
    return 1 + max((_depth(c) for c in node.children), default=0) if node.children else 0


def _draw(node: Node, path: Path, level: NodeLevel, weighting: Weighting, rng: random.Random) -> Path:
    if weighting == "uniform":
        return rng.choice(_candidates(node, path, level))
    # balanced: walk down choosing a child uniformly, so every branch of a level is equally likely;
    # with "any", first choose how many levels to descend, each equally likely.
    stop = rng.randint(1, max(1, _depth(node))) if level == "any" else math.inf
    steps = 0
    while node.children and steps < stop:
        node = rng.choice(node.children)
        path = path + (node.name,)
        steps += 1
    return path


class MixSampler:
    def __init__(self, taxonomies: TaxonomySet, strategies: list[Strategy], *, seed: int,
                 level: NodeLevel = "leaves", weighting: Weighting = "balanced"):
        self.taxonomies = taxonomies
        self.strategies = strategies
        self.seed = seed
        self.level = level
        self.weighting = weighting

    def _root(self, under: Path) -> Node:
        node = self.taxonomies.get(under[0]).find(under)  # type: ignore[union-attr]
        if node is None:
            raise MixError(f"no node {' / '.join(under)}")
        return node

    def strategy_for(self, index: int) -> Strategy:
        rng = _rng(self.seed, index, "strategy")
        return rng.choices(self.strategies, weights=[s.weight for s in self.strategies])[0]

    def sample(self, index: int) -> Mix:
        """The mix of datapoint `index`: the same for the same seed, index, taxonomies and strategies."""
        strategy = self.strategy_for(index)
        rng = _rng(self.seed, index, "nodes")
        for _ in range(MAX_TRIES):
            nodes = tuple(_draw(self._root(c.under), c.under, self.level, self.weighting, rng)
                          for c in strategy.components)
            if strategy.excluded(nodes) is None:
                return Mix(strategy.name, nodes)
        raise MixError(f"strategy '{strategy.name}': no allowed mix in {MAX_TRIES} draws; check its exclusions")

    def allows(self, mix: Mix) -> bool:
        """Whether `mix` could still be drawn: its strategy exists with the same components, every node exists
        spelled the same, sits under its component at the right level, and no exclusion matches. A datapoint
        whose mix is still allowed after an edit is kept."""
        strategy = next((s for s in self.strategies if s.name == mix.strategy), None)
        if strategy is None or len(strategy.components) != len(mix.nodes):
            return False
        for component, path in zip(strategy.components, mix.nodes):
            under = self.taxonomies.canonical(component.under)
            if under is None or path[: len(under)] != under or self.taxonomies.canonical(path) != path:
                return False
            node = self.taxonomies.get(path[0]).find(path)  # type: ignore[union-attr]
            if self.level == "leaves" and node.children:  # type: ignore[union-attr]
                return False
            if self.level == "any" and len(path) == len(under) and node.children:  # type: ignore[union-attr]
                return False
        return strategy.excluded(mix.nodes) is None

    def reachable(self, strategy: Strategy) -> tuple[int, bool]:
        """(V for one strategy, exact?): distinct allowed node combinations; estimated by sampling when huge."""
        pools = [_candidates(self._root(c.under), c.under, self.level) for c in strategy.components]
        total = math.prod(len(p) for p in pools)
        if not strategy.exclusions:
            return total, True
        if total <= ENUMERATE_LIMIT:
            return sum(strategy.excluded(combo) is None for combo in product(*pools)), True
        rng = _rng(self.seed, -1, strategy.name)
        draws = 20_000
        allowed = sum(strategy.excluded(tuple(rng.choice(p) for p in pools)) is None for _ in range(draws))
        return round(total * allowed / draws), False

    def reachable_total(self) -> tuple[int, bool]:
        """V over every strategy (two strategies may reach the same nodes: counted once per strategy)."""
        counts = [self.reachable(s) for s in self.strategies]
        return sum(c for c, _ in counts), all(exact for _, exact in counts)


@dataclass(frozen=True)
class CoverageBudget:
    target: int  # N
    reachable: int  # V
    exact: bool

    @property
    def ratio(self) -> float:
        return self.target / self.reachable if self.reachable else math.inf

    def meaning(self) -> str:
        n, v = self.target, self.reachable
        approx = "" if self.exact else "about "
        if v == 0:
            return "no mix is reachable: every combination is excluded"
        if n < v:
            return (f"N/V = {n}/{approx}{v} = {self.ratio:.2f}: not every combination can appear; at most "
                    f"{100 * n / v:.0f}% of the reachable mixes will be used")
        if n == v:
            return "N/V = 1: each reachable mix can appear about once"
        return (f"N/V = {n}/{approx}{v} = {self.ratio:.1f}: mixes repeat about {self.ratio:.1f} times; "
                "meta-prompts must make repeats differ")


def complexified(slot: int, size: int, fraction: float, seed: int) -> bool:
    """Whether datapoint slot `slot` is complexified. Slots come in blocks of `size`; in each block exactly
    round(fraction * size) seeded slots are, so the first `size` slots hold the exact fraction."""
    block, position = divmod(slot, size)
    return position in _complexified_block(block, size, fraction, seed)


@lru_cache(maxsize=8)
def _complexified_block(block: int, size: int, fraction: float, seed: int) -> frozenset[int]:
    return frozenset(_rng(seed, block, "complexify").sample(range(size), round(fraction * size)))
