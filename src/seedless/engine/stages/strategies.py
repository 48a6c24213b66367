"""Sampling strategies: the spec's as given, or written by the model from y and the taxonomies, then checked."""

from __future__ import annotations

from dataclasses import replace

from seedless.core.calls import STRATEGIES
from seedless.core.plan.coverage_check import coverage_gap
from seedless.core.plan.mix import NodeLevel, allows_a_mix, check_mixes
from seedless.core.plan.strategy import Component, Exclusion, Strategy, default_strategy
from seedless.core.plan.strategy_file import parse_path, path_text
from seedless.core.replies import StrategiesReply
from seedless.core.taxonomy.tree import Path, TaxonomySet, name_key
from seedless.engine.llm.caller import Caller
from seedless.spec.models import Spec

EXCLUSION_LEVELS = 2  # nodes offered for exclusions: the first two levels below each root
MAX_NODE_CHOICES = 400  # at most this many of them, level 1 of every taxonomy first: in the schema and the prompt
COMPLETED = "completed with the default strategy"  # how the note on a completed reply begins


def from_spec(spec: Spec) -> list[Strategy]:
    return [Strategy(s.name, s.weight, [Component(parse_path(t)) for t in s.taxonomies],
                     [Exclusion(tuple(parse_path(n) for n in e.nodes), e.reason) for e in s.exclusions],
                     s.description) for s in spec.strategies]


def _choices(taxonomies: TaxonomySet) -> tuple[list[str], list[str]]:
    """(taxonomies or first-level sub-trees a strategy may name, nodes an exclusion may name)."""
    trees = [t.factor for t in taxonomies.taxonomies]
    trees += [path_text(p) for t in taxonomies.taxonomies for p, _ in t.level(1)]
    nodes = [path_text(p) for level in range(1, EXCLUSION_LEVELS + 1)
             for t in taxonomies.taxonomies for p, _ in t.level(level)]
    return trees, nodes[:MAX_NODE_CHOICES]


def _exclusion_outline(taxonomies: TaxonomySet, nodes: list[str]) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """The nodes an exclusion may name, as the prompt shows them: per taxonomy, each first-level node ("Factor >
    Category") with the names of its children that are among `nodes` (each is "Factor > Category > Child")."""
    offered = set(nodes)
    outline = []
    for t in taxonomies.taxonomies:
        firsts = [(path_text(p), [c.name for c in n.children if path_text(p + (c.name,)) in offered])
                  for p, n in t.level(1) if path_text(p) in offered]
        outline.append((t.factor, firsts))
    return outline


def _clean(reply: StrategiesReply, taxonomies: TaxonomySet, level: NodeLevel, notes: list[str]) -> list[Strategy]:
    """Keep what is usable in the model's strategies; every part dropped is noted with why."""
    kept: list[Strategy] = []
    for proposed in reply.strategies:
        name = " ".join(proposed.name.split())
        if name_key(name) in {name_key(s.name) for s in kept}:
            notes.append(f"dropped a second strategy named '{name}'")
            continue
        components: list[Component] = []
        for text in proposed.taxonomies:
            path = taxonomies.canonical(parse_path(text))
            if path is None:
                notes.append(f"strategy '{name}': dropped '{text}' (no such taxonomy or node)")
            elif any(name_key(c.factor) == name_key(path[0]) for c in components):
                notes.append(f"strategy '{name}': dropped '{text}' (its taxonomy is already sampled)")
            else:
                components.append(Component(path))
        if not components:
            notes.append(f"dropped strategy '{name}': it names no existing taxonomy")
            continue
        sampled = {name_key(c.factor) for c in components}
        exclusions: list[Exclusion] = []
        for proposed_exclusion in proposed.exclusions:
            found = [taxonomies.canonical(parse_path(n)) for n in proposed_exclusion.nodes]
            paths: list[Path] = [p for p in found if p is not None]
            factors = {name_key(p[0]) for p in paths}
            if len(paths) < len(found) or len(factors) < len(paths) or not factors <= sampled:
                notes.append(f"strategy '{name}': dropped exclusion {proposed_exclusion.nodes} (it must name existing "
                             "nodes of different taxonomies that the strategy samples)")
                continue
            exclusions.append(Exclusion(tuple(paths), " ".join(proposed_exclusion.reason.split())))
        strategy = Strategy(name, float(proposed.weight), components, exclusions,
                            " ".join(proposed.description.split()))
        if not allows_a_mix(strategy, taxonomies, level):
            notes.append(f"dropped strategy '{name}': its exclusions exclude every mix it could draw")
            continue
        kept.append(strategy)
    return kept


def strategy_variables(spec: Spec, taxonomies: TaxonomySet) -> dict[str, object]:
    """The strategist's template variables (the run and `seedless estimate` alike): the taxonomies with every node
    an exclusion may name (the same bounded list the reply's schema allows), and whether that list was cut."""
    _, nodes = _choices(taxonomies)
    every = sum(1 for level in range(1, EXCLUSION_LEVELS + 1) for t in taxonomies.taxonomies for _ in t.level(level))
    return {"description": spec.description.strip(),
            "outline": _exclusion_outline(taxonomies, nodes),
            "nodes_cut": len(nodes) < every, "max_nodes": MAX_NODE_CHOICES,
            "max_strategies": spec.strategy.max_strategies}


def complete_coverage(strategies: list[Strategy], spec: Spec, taxonomies: TaxonomySet,
                      notes: list[str]) -> list[Strategy]:
    """The model's strategies, with the default strategy (every taxonomy, whole) added beside them when they leave
    a factor unsampled or reach too few mixes (core/plan/coverage_check.py), noted with why. Its weight is the sum
    of theirs: half of the datapoints sample every taxonomy, the other half keep the model's design."""
    gap = coverage_gap(strategies, taxonomies, spec.size, seed=spec.seed, level=spec.mix.nodes,
                       weighting=spec.mix.weighting)
    if not gap.short:
        return strategies
    added = default_strategy(taxonomies)
    name = added.name
    while name_key(name) in {name_key(s.name) for s in strategies}:
        name += " (added)"
    weight = sum(s.weight for s in strategies)
    notes.append(f"{COMPLETED} '{name}' (every taxonomy, weight {weight:g}, so half of the datapoints): "
                 + "; ".join(gap.reasons()))
    return strategies + [replace(added, name=name, weight=weight)]


async def write_strategies(spec: Spec, taxonomies: TaxonomySet,
                           caller: Caller) -> tuple[list[Strategy], str, list[str]]:
    """(strategies, "model", "default" or "fallback", notes). The default, one strategy with every taxonomy, is used
    when strategy.write is off or the model gives nothing usable; "fallback" when that is because the call failed.
    Usable model strategies that lose coverage are completed with it (complete_coverage)."""
    notes: list[str] = []
    if not spec.strategy.write:
        return [default_strategy(taxonomies)], "default", []
    trees, nodes = _choices(taxonomies)
    variables = strategy_variables(spec, taxonomies)
    reply_type = StrategiesReply.bounded(max_items=spec.strategy.max_strategies, taxonomies=tuple(trees),
                                         nodes=tuple(nodes))
    result = await caller.ask(STRATEGIES, variables, reply_type)
    strategies = _clean(result.value, taxonomies, spec.mix.nodes, notes) if result.value is not None else []
    if result.value is None:
        notes.append("strategy writing failed (" + "; ".join(result.failures) + ")")
    if not strategies or check_mixes(strategies, taxonomies, spec.mix.nodes):
        notes.append("no usable strategy from the model: one strategy samples every taxonomy")
        return [default_strategy(taxonomies)], "fallback" if result.errored else "default", notes
    return complete_coverage(strategies, spec, taxonomies, notes), "model", notes
