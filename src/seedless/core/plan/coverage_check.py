"""Whether strategies keep the coverage the taxonomies allow: factors no strategy samples, first-level nodes no mix
reaches, V far below the default's."""

from __future__ import annotations

from dataclasses import dataclass

from seedless.core.plan.mix import MixSampler, NodeLevel, Weighting
from seedless.core.plan.strategy import Strategy, default_strategy
from seedless.core.taxonomy.tree import TaxonomySet, name_key

# Strategies are short of coverage when their mixes would repeat more than this many times as often as the
# taxonomies require: V(strategies) < min(N, V(default)) / REPEAT_FACTOR. At N <= V(default) every datapoint could
# have its own mix; a quarter of that (each mix about 4 times) is still what a focused strategy may choose, less is not.
REPEAT_FACTOR = 4
# First-level nodes are found unreached from this many seeded mixes: a node the balanced weighting gives even a 1%
# share is drawn with probability 1 - 0.99^2000 (all but certain); only exclusions make a node unreachable.
PROBE_MIXES = 2000


@dataclass(frozen=True)
class CoverageGap:
    """What strategies leave out: the factors none of them samples, and V against the default strategy's V."""

    unreachable: tuple[str, ...]
    reachable: int  # V of the strategies
    default_reachable: int  # V of the default strategy (every taxonomy, whole)
    size: int  # N
    unreached_nodes: tuple[str, ...] = ()  # first-level nodes ('Factor > Node') that no mix reaches

    @property
    def too_few_mixes(self) -> bool:
        return self.reachable * REPEAT_FACTOR < min(self.size, self.default_reachable)

    @property
    def short(self) -> bool:
        return bool(self.unreachable) or self.too_few_mixes or bool(self.unreached_nodes)

    def reasons(self) -> list[str]:
        out = []
        if self.unreachable:
            out.append("no strategy samples " + ", ".join(f"'{f}'" for f in self.unreachable))
        if self.too_few_mixes:
            out.append(f"they reach V = {self.reachable} mixes for {self.size} datapoints where the taxonomies allow "
                       f"{self.default_reachable} (fewer than min(N, V of every taxonomy) / {REPEAT_FACTOR})")
        if self.unreached_nodes:
            out.append("no mix reaches " + ", ".join(f"'{n}'" for n in self.unreached_nodes))
        return out


def unreachable_factors(strategies: list[Strategy], taxonomies: TaxonomySet) -> tuple[str, ...]:
    """The taxonomies (factors) that no strategy samples, whole or in part, in the taxonomies' order."""
    sampled = {name_key(c.factor) for s in strategies for c in s.components}
    return tuple(t.factor for t in taxonomies.taxonomies if name_key(t.factor) not in sampled)


def coverage_gap(strategies: list[Strategy], taxonomies: TaxonomySet, size: int, *, seed: int,
                 level: NodeLevel = "leaves", weighting: Weighting = "balanced") -> CoverageGap:
    """The coverage the strategies keep, against the default strategy's; strategies must fit the taxonomies."""
    sampler = MixSampler(taxonomies, strategies, seed=seed, level=level, weighting=weighting)
    reachable, _ = sampler.reachable_total()
    default, _ = MixSampler(taxonomies, [default_strategy(taxonomies)], seed=seed, level=level,
                            weighting=weighting).reachable_total()
    return CoverageGap(unreachable_factors(strategies, taxonomies), reachable, default, size,
                       unreached_first_level(sampler, strategies, taxonomies))


def unreached_first_level(sampler: MixSampler, strategies: list[Strategy], taxonomies: TaxonomySet) -> tuple[str, ...]:
    """'Factor > Node' for each first-level node of a sampled factor that none of PROBE_MIXES seeded mixes reaches,
    when no strategy confines that factor to a sub-tree on purpose (a strategy naming 'Factor > Node' chose it)."""
    confined = {name_key(c.factor) for s in strategies for c in s.components if len(c.under) > 1}
    hit: set[tuple[str, str]] = set()
    for index in range(PROBE_MIXES):
        for path in sampler.sample(index).nodes:
            if len(path) > 1:
                hit.add((name_key(path[0]), name_key(path[1])))
    sampled = {name_key(c.factor) for s in strategies for c in s.components}
    return tuple(f"{t.factor} > {child.name}" for t in taxonomies.taxonomies
                 if name_key(t.factor) in sampled and name_key(t.factor) not in confined
                 for child in t.root.children if (name_key(t.factor), name_key(child.name)) not in hit)
