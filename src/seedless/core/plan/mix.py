"""Mix sampling: one node per taxonomy of a strategy, seeded per datapoint, exclusions respected; coverage budget."""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import product
from typing import Literal

from seedless.core.plan.strategy import Strategy, StrategyProblem, check_strategies
from seedless.core.taxonomy.tree import Node, Path, TaxonomySet

NodeLevel = Literal["leaves", "any"]
Weighting = Literal["balanced", "uniform"]
ENUMERATE_LIMIT = 200_000  # combinations of node groups counted exactly up to this many per strategy, estimated above
MAX_TRIES = 200  # rejection sampling against exclusions, before drawing among the allowed groups
# Per component of a strategy: its draw-able nodes grouped by the exclusion paths they lie under (one frozenset of
# path positions per exclusion). Nodes of one group are interchangeable for every exclusion.
Groups = list[list[tuple[tuple[frozenset[int], ...], list[Path]]]]


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


def _root(taxonomies: TaxonomySet, under: Path) -> Node:
    tax = taxonomies.get(under[0])
    node = tax.find(under) if tax is not None else None
    if node is None:
        raise MixError(f"no node {' / '.join(under)}")
    return node


def _groups(strategy: Strategy, taxonomies: TaxonomySet, level: NodeLevel) -> Groups:
    out: Groups = []
    for component in strategy.components:
        found: dict[tuple[frozenset[int], ...], list[Path]] = {}
        for path in _candidates(_root(taxonomies, component.under), component.under, level):
            found.setdefault(tuple(e.marks(path) for e in strategy.exclusions), []).append(path)
        out.append(list(found.items()))
    return out


def _blocked(strategy: Strategy, marks: list[tuple[frozenset[int], ...]]) -> bool:
    """Whether a combination whose components carry these marks is excluded: some exclusion has each of its paths
    covered by one of the components."""
    return any(len(frozenset().union(*(m[e] for m in marks))) == len(exclusion.paths)
               for e, exclusion in enumerate(strategy.exclusions))


def _allowed(strategy: Strategy, groups: Groups) -> list[tuple[tuple[int, ...], int]] | None:
    """Every allowed combination of groups (one index per component) with its number of mixes; None when there
    are more than ENUMERATE_LIMIT combinations to look at."""
    if math.prod(len(g) for g in groups) > ENUMERATE_LIMIT:
        return None
    return [(combo, math.prod(len(groups[c][k][1]) for c, k in enumerate(combo)))
            for combo in product(*(range(len(g)) for g in groups))
            if not _blocked(strategy, [groups[c][k][0] for c, k in enumerate(combo)])]


def _search(strategy: Strategy, groups: Groups, rng: random.Random | None = None) -> tuple[int, ...] | None:
    """One allowed combination of groups, depth first (in `rng`'s order when given), cutting a branch as soon as
    an exclusion is matched; None when every combination is excluded."""
    sizes = [len(e.paths) for e in strategy.exclusions]

    def walk(c: int, hit: tuple[frozenset[int], ...]) -> tuple[int, ...] | None:
        if any(len(h) == n for h, n in zip(hit, sizes)):
            return None
        if c == len(groups):
            return ()
        order = list(range(len(groups[c])))
        if rng is not None:
            rng.shuffle(order)
        for k in order:
            rest = walk(c + 1, tuple(h | m for h, m in zip(hit, groups[c][k][0])))
            if rest is not None:
                return (k,) + rest
        return None

    return walk(0, tuple(frozenset() for _ in sizes))


def allows_a_mix(strategy: Strategy, taxonomies: TaxonomySet, level: NodeLevel) -> bool:
    """Whether at least one combination of the strategy's draw-able nodes escapes every exclusion (exact)."""
    return _search(strategy, _groups(strategy, taxonomies, level)) is not None


def check_mixes(strategies: list[Strategy], taxonomies: TaxonomySet, level: NodeLevel) -> list[StrategyProblem]:
    """check_strategies, then (when they fit the taxonomies) each strategy that allows no mix: named at the
    exclusion that excludes every mix on its own, else at its exclusions together."""
    problems = check_strategies(strategies, taxonomies)
    if problems:
        return problems
    what = "leaf" if level == "leaves" else "node"
    for i, strategy in enumerate(strategies):
        if allows_a_mix(strategy, taxonomies, level):
            continue
        alone = [j for j, e in enumerate(strategy.exclusions)
                 if not allows_a_mix(replace(strategy, exclusions=[e]), taxonomies, level)]
        for j in alone:
            nodes = " and ".join(" > ".join(p) for p in strategy.exclusions[j].paths)
            problems.append(StrategyProblem(i, strategy.name, ("exclusions", j), f"excludes every mix of the "
                                            f"strategy: every {what} it draws lies under {nodes}; name narrower "
                                            "nodes, or sample wider taxonomies"))
        if not alone:
            problems.append(StrategyProblem(i, strategy.name, ("exclusions",), "together these exclusions "
                                            "exclude every mix of the strategy; narrow or remove one"))
    return problems


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
        self._grouped: dict[int, tuple[Strategy, Groups]] = {}  # by id: strategies are not hashable
        self._allowed: dict[int, list[tuple[tuple[int, ...], int]] | None] = {}

    def _root(self, under: Path) -> Node:
        return _root(self.taxonomies, under)

    def _groups(self, strategy: Strategy) -> Groups:
        if id(strategy) not in self._grouped:
            self._grouped[id(strategy)] = (strategy, _groups(strategy, self.taxonomies, self.level))
        return self._grouped[id(strategy)][1]

    def _allowed_groups(self, strategy: Strategy) -> list[tuple[tuple[int, ...], int]] | None:
        if id(strategy) not in self._allowed:
            self._allowed[id(strategy)] = _allowed(strategy, self._groups(strategy))
        return self._allowed[id(strategy)]

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
        # Allowed mixes are rare: draw one directly, each allowed mix equally likely (or, past the enumeration
        # limit, the first allowed combination of groups in a seeded order).
        groups = self._groups(strategy)
        allowed = self._allowed_groups(strategy)
        if allowed is not None:
            combo = rng.choices([c for c, _ in allowed], weights=[w for _, w in allowed])[0] if allowed else None
        else:
            combo = _search(strategy, groups, rng)
        if combo is None:
            raise MixError(f"strategy '{strategy.name}': no allowed mix; every combination is excluded")
        return Mix(strategy.name, tuple(rng.choice(groups[c][k][1]) for c, k in enumerate(combo)))

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
        groups = self._groups(strategy)
        total = math.prod(sum(len(nodes) for _, nodes in g) for g in groups)
        if not strategy.exclusions:
            return total, True
        allowed = self._allowed_groups(strategy)
        if allowed is not None:
            return sum(w for _, w in allowed), True
        pools = [[p for _, nodes in g for p in nodes] for g in groups]
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
