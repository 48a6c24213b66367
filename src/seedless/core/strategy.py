"""Sampling strategies: which taxonomies (or sub-trees) are sampled together, with what weight, and what never mixes."""

from __future__ import annotations

from dataclasses import dataclass, field

from seedless.core.taxonomy import Path, TaxonomySet, name_key


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


def check_strategies(strategies: list[Strategy], taxonomies: TaxonomySet) -> list[str]:
    """Every problem that makes strategies unusable with these taxonomies (empty when they are fine)."""
    problems: list[str] = []
    if not strategies:
        problems.append("no strategy: at least one is needed")
    seen: set[str] = set()
    for strategy in strategies:
        where = f"strategy '{strategy.name}'"
        if name_key(strategy.name) in seen:
            problems.append(f"{where}: duplicate name")
        seen.add(name_key(strategy.name))
        if strategy.weight <= 0:
            problems.append(f"{where}: weight must be above 0")
        if not strategy.components:
            problems.append(f"{where}: samples no taxonomy")
        factors = [name_key(c.factor) for c in strategy.components]
        if len(set(factors)) != len(factors):
            problems.append(f"{where}: samples one taxonomy twice")
        for component in strategy.components:
            if taxonomies.get(component.factor) is None:
                problems.append(f"{where}: no taxonomy named '{component.factor}'")
            elif taxonomies.get(component.factor).find(component.under) is None:
                problems.append(f"{where}: no node {' / '.join(component.under)}")
        for exclusion in strategy.exclusions:
            for path in exclusion.paths:
                tax = taxonomies.get(path[0])
                if tax is None or tax.find(path) is None:
                    problems.append(f"{where}: exclusion names no node {' / '.join(path)}")
    return problems


def default_strategy(taxonomies: TaxonomySet) -> Strategy:
    """Every taxonomy, whole, weight 1: what a run uses when no strategy is written."""
    return Strategy("all factors", 1.0, [Component((t.factor,)) for t in taxonomies.taxonomies],
                    description="Every taxonomy sampled together.")
