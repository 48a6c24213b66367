"""Place items in a taxonomy: the assigner descends level by level in batches, or nearest nodes by embedding."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from seedless.core.calls import COVERAGE_ASSIGN
from seedless.core.eval_replies import NONE_OF_THESE, AssignmentsReply
from seedless.core.measures.coverage import TaxonomyCoverage, coverage
from seedless.core.measures.report import (
    CoverageHit,
    CoverageLevel,
    CoverageSection,
    FactorCoverage,
)
from seedless.core.taxonomy.tree import Node, Path, Taxonomy, name_key
from seedless.engine.evaluation.items import Item
from seedless.engine.evaluation.measure import MeasureContext
from seedless.engine.llm.caller import Caller
from seedless.engine.tasks import together

Embed = Callable[[list[str]], np.ndarray]


@dataclass
class Placement:
    """Each item's deepest node per taxonomy (absent: not placed below the root), and calls that failed."""

    paths: dict[str, Path] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def _chunks(items: list[Item], size: int) -> list[list[Item]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


async def assign_by_model(caller: Caller, taxonomy: Taxonomy, items: list[Item], *, batch: int,
                          max_chars: int) -> Placement:
    """One path per item: at each level the assigner picks the best child of the item's current node for a
    batch of items, or "none of these", which leaves the item where it is. Prompts hold one node's children
    and `batch` items, so they stay small for small models and long taxonomies."""
    out = Placement()
    frontier: dict[Path, list[Item]] = {(taxonomy.factor,): items}
    while frontier:
        jobs = [(path, group) for path, members in frontier.items()
                for group in _chunks(members, batch) if taxonomy.find(path).children]  # type: ignore[union-attr]
        results = await together(_place(caller, taxonomy, path, group, max_chars) for path, group in jobs)
        frontier = defaultdict(list)
        for (path, group), (chosen, failure) in zip(jobs, results):
            if failure:
                out.failures.append(f"{' > '.join(path)}: {failure}")
            for item in group:
                child = chosen.get(item.id)
                if child is not None:
                    out.paths[item.id] = path + (child,)
                    frontier[path + (child,)].append(item)
    return out


async def _place(caller: Caller, taxonomy: Taxonomy, path: Path, group: list[Item],
                 max_chars: int) -> tuple[dict[str, str], str | None]:
    node: Node = taxonomy.find(path)  # type: ignore[assignment]
    names = [c.name for c in node.children]
    by_key = {name_key(n): n for n in names}
    variables = {"factor": taxonomy.factor, "parent": " > ".join(path),
                 "choices": [(c.name, c.description) for c in node.children],
                 "items": [" ".join(i.text.split())[:max_chars] for i in group]}
    result = await caller.ask(COVERAGE_ASSIGN, variables,
                              AssignmentsReply.bounded(count=len(group), choices=tuple(names)))
    if result.value is None:
        return {}, "; ".join(result.failures)[:300]
    chosen: dict[str, str] = {}
    for placement in result.value.assignments:
        if 1 <= placement.item <= len(group) and placement.node != NONE_OF_THESE:
            name = by_key.get(name_key(placement.node))
            if name is not None:
                chosen.setdefault(group[placement.item - 1].id, name)
    return chosen, None


def assign_by_embedding(taxonomy: Taxonomy, items: list[Item], vectors: np.ndarray, embed: Embed) -> Placement:
    """An approximation: each item descends to the child whose text ('Factor > ... > Node: description') is
    most similar to it by cosine, down to a leaf; it never answers "none of these"."""
    out = Placement()
    nodes = [(p, n) for p, n in taxonomy.root.walk() if len(p) > 1]
    if not nodes:
        return out
    texts = [" > ".join(p) + (f": {n.description}" if n.description else "") for p, n in nodes]
    node_vectors = dict(zip((p for p, _ in nodes), embed(texts)))
    for item, vector in zip(items, vectors):
        path: Path = (taxonomy.factor,)
        node = taxonomy.root
        while node.children:
            scored = [(float(node_vectors[path + (c.name,)] @ vector), c) for c in node.children]
            _, node = max(scored, key=lambda sc: sc[0])
            path = path + (node.name,)
        out.paths[item.id] = path
    return out


EMBEDDING_MODE = "embedding (an approximation: nearest node by cosine similarity)"


def coverage_section(results: list[tuple[TaxonomyCoverage, Placement]], items: list[Item],
                     mode: str) -> CoverageSection:
    taxonomies = [FactorCoverage(
        factor=cov.factor,
        levels=[CoverageLevel(level=lv.level, nodes=lv.nodes, hit=lv.hit, ratio=round(lv.ratio, 4),
                              uncovered=[list(p) for p in lv.uncovered]) for lv in cov.levels],
        hits=[CoverageHit(path=list(h.path), items=h.items) for h in cov.nodes],
        unassigned=len(cov.unassigned), failures=placement.failures) for cov, placement in results]
    assignments = {i.id: {cov.factor: list(p.paths[i.id]) for cov, p in results if i.id in p.paths} for i in items}
    return CoverageSection(mode="model" if mode == "model" else EMBEDDING_MODE, taxonomies=taxonomies,
                           assignments=assignments)


async def run_coverage(context: MeasureContext) -> CoverageSection:
    """Each taxonomy's level-ratio coverage, from the assigner's placements (or the nearest nodes by embedding)."""
    settings, items, results = context.settings, context.items, []
    assert context.taxonomies is not None  # declared need: skipped without one
    for tax in context.taxonomies.taxonomies:
        if settings.coverage_mode == "embedding":
            assert context.vectors is not None and context.embedder is not None
            placement = assign_by_embedding(tax, items, context.vectors, context.embedder.embed)
        else:
            placement = await assign_by_model(context.caller, tax, items, batch=settings.coverage_batch,
                                              max_chars=settings.max_chars)
        placed = {i.id: [placement.paths[i.id]] if i.id in placement.paths else [] for i in items}
        results.append((coverage(tax, placed), placement))
    return coverage_section(results, items, settings.coverage_mode)
