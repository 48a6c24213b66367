"""Sampling strategies: which taxonomies (or sub-trees) are sampled together, with what weight, and what never mixes."""

from __future__ import annotations

from dataclasses import dataclass, field

from seedless.core.taxonomy.tree import Path, TaxonomySet, name_key


@dataclass(frozen=True)
class Component:
    """One taxonomy sampled by a strategy, optionally restricted to the sub-tree under `under` (a path from the
    factor's root, the root included; `(factor,)` is the whole taxonomy)."""

    under: Path

    @property
    def factor(self) -> str:
        return self.under[0]


@dataclass(frozen=True)
class Exclusion:
    """Nodes that must never appear together in one mix: a mix is excluded when, for every path here, one of its
    nodes is that path or lies below it."""

    paths: tuple[Path, ...]
    reason: str = ""

    def matches(self, nodes: tuple[Path, ...]) -> bool:
        return all(any(_under(node, path) for node in nodes) for path in self.paths)

    def marks(self, node: Path) -> frozenset[int]:
        """The positions of the paths here that `node` is or lies below."""
        return frozenset(i for i, path in enumerate(self.paths) if _under(node, path))


@dataclass
class Strategy:
    name: str
    weight: float
    components: list[Component]
    exclusions: list[Exclusion] = field(default_factory=list)
    description: str = ""

    def excluded(self, nodes: tuple[Path, ...]) -> Exclusion | None:
        return next((e for e in self.exclusions if e.matches(nodes)), None)


def _under(node: Path, prefix: Path) -> bool:
    return len(node) >= len(prefix) and all(name_key(a) == name_key(b) for a, b in zip(node, prefix))


@dataclass(frozen=True)
class StrategyProblem:
    """Why strategies cannot be used: `index` is the strategy's position (None: the list as a whole) and `at` the
    path below it in the file's terms, e.g. ("exclusions", 0, "nodes", 1), so that readers can name the line."""

    index: int | None
    name: str
    at: tuple[str | int, ...]
    message: str

    @property
    def loc(self) -> tuple[str | int, ...]:
        """The path from the top of the file (or spec): ("strategies", index, *at)."""
        return ("strategies",) if self.index is None else ("strategies", self.index, *self.at)

    def __str__(self) -> str:
        return f"strategy '{self.name}': {self.message}" if self.index is not None else self.message


def check_strategies(strategies: list[Strategy], taxonomies: TaxonomySet) -> list[StrategyProblem]:
    """Every problem that makes strategies unusable with these taxonomies (empty when they are fine)."""
    problems: list[StrategyProblem] = []
    if not strategies:
        problems.append(StrategyProblem(None, "", (), "no strategy: at least one is needed"))
    seen: set[str] = set()
    for i, strategy in enumerate(strategies):
        def problem(at: tuple[str | int, ...], message: str) -> None:
            problems.append(StrategyProblem(i, strategy.name, at, message))

        if name_key(strategy.name) in seen:
            problem(("name",), "duplicate name")
        seen.add(name_key(strategy.name))
        if strategy.weight <= 0:
            problem(("weight",), "weight must be above 0")
        if not strategy.components:
            problem(("taxonomies",), "samples no taxonomy")
        factors: set[str] = set()
        for k, component in enumerate(strategy.components):
            tax = taxonomies.get(component.factor)
            if name_key(component.factor) in factors:
                problem(("taxonomies", k), "samples one taxonomy twice")
            factors.add(name_key(component.factor))
            if tax is None:
                problem(("taxonomies", k), f"no taxonomy named '{component.factor}'")
            elif tax.find(component.under) is None:
                problem(("taxonomies", k), f"no node {' / '.join(component.under)}")
        for j, exclusion in enumerate(strategy.exclusions):
            for m, path in enumerate(exclusion.paths):
                tax = taxonomies.get(path[0])
                if tax is None or tax.find(path) is None:
                    problem(("exclusions", j, "nodes", m), f"exclusion names no node {' / '.join(path)}")
    return problems


def default_strategy(taxonomies: TaxonomySet) -> Strategy:
    """Every taxonomy, whole, weight 1: what a run uses when no strategy is written."""
    return Strategy("all factors", 1.0, [Component((t.factor,)) for t in taxonomies.taxonomies],
                    description="Every taxonomy sampled together.")
