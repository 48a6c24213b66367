"""Whether strategies keep the coverage the taxonomies allow: factors no strategy samples; V far below the default's."""

from __future__ import annotations

from dataclasses import dataclass

from seedless.core.plan.mix import MixSampler, NodeLevel, Weighting
from seedless.core.plan.strategy import Strategy, default_strategy
from seedless.core.taxonomy.tree import TaxonomySet, name_key

# Strategies are short of coverage when their mixes would repeat more than this many times as often as the
# taxonomies require: V(strategies) < min(N, V(default)) / REPEAT_FACTOR. At N <= V(default) every datapoint could
# have its own mix; a quarter of that (each mix about 4 times) is still what a focused strategy may choose, less is not.
REPEAT_FACTOR = 4


@dataclass(frozen=True)
class CoverageGap:
    """What strategies leave out: the factors none of them samples, and V against the default strategy's V."""

    unreachable: tuple[str, ...]
    reachable: int  # V of the strategies
    default_reachable: int  # V of the default strategy (every taxonomy, whole)
    size: int  # N

    @property
    def too_few_mixes(self) -> bool:
        return self.reachable * REPEAT_FACTOR < min(self.size, self.default_reachable)

    @property
    def short(self) -> bool:
        return bool(self.unreachable) or self.too_few_mixes

    def reasons(self) -> list[str]:
        out = []
        if self.unreachable:
            out.append("no strategy samples " + ", ".join(f"'{f}'" for f in self.unreachable))
        if self.too_few_mixes:
            out.append(f"they reach V = {self.reachable} mixes for {self.size} datapoints where the taxonomies allow "
                       f"{self.default_reachable} (fewer than min(N, V of every taxonomy) / {REPEAT_FACTOR})")
        return out


def unreachable_factors(strategies: list[Strategy], taxonomies: TaxonomySet) -> tuple[str, ...]:
    """The taxonomies (factors) that no strategy samples, whole or in part, in the taxonomies' order."""
    sampled = {name_key(c.factor) for s in strategies for c in s.components}
    return tuple(t.factor for t in taxonomies.taxonomies if name_key(t.factor) not in sampled)


def coverage_gap(strategies: list[Strategy], taxonomies: TaxonomySet, size: int, *, seed: int,
                 level: NodeLevel = "leaves", weighting: Weighting = "balanced") -> CoverageGap:
    """The coverage the strategies keep, against the default strategy's; strategies must fit the taxonomies."""
    reachable, _ = MixSampler(taxonomies, strategies, seed=seed, level=level, weighting=weighting).reachable_total()
    default, _ = MixSampler(taxonomies, [default_strategy(taxonomies)], seed=seed, level=level,
                            weighting=weighting).reachable_total()
    return CoverageGap(unreachable_factors(strategies, taxonomies), reachable, default, size)
