"""The coverage measure: items placed by the assigner (whole taxonomy or level by level) or by embedding."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seedless.core.measures.coverage import TaxonomyCoverage, coverage
from seedless.core.measures.report import (
    CoverageHit,
    CoverageLevel,
    CoverageSection,
    FactorCoverage,
)
from seedless.core.taxonomy.tree import Path, Taxonomy
from seedless.engine.evaluation.assigner import Placement, assign_by_descent, assign_by_tree, tree_prompt_tokens
from seedless.engine.evaluation.items import Item
from seedless.engine.evaluation.measure import MeasureContext
from seedless.engine.llm.bindings import role_endpoint
from seedless.spec.eval_settings import EvalSettings
from seedless.spec.models import EmbeddedEndpoint, Role

Embed = Callable[[list[str]], np.ndarray]


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
TREE = "whole taxonomy in context"
DESCENT = "level-by-level descent"


def assigner_context(settings: EvalSettings) -> int | None:
    """The context tokens one assigner request may fill, where its endpoint states it (embedded: n_ctx_per_slot)."""
    endpoint = settings.models.endpoints.get(role_endpoint(settings.models, Role.assigner))
    return endpoint.n_ctx_per_slot if isinstance(endpoint, EmbeddedEndpoint) else None


def tree_misfit(context: MeasureContext, taxonomy: Taxonomy) -> str | None:
    """Why the whole taxonomy does not fit one assigner prompt (auto then descends level by level), or None: more
    nodes than coverage_tree_max_nodes, or the largest batch's prompt plus the reply's max_tokens over the
    assigner's context."""
    settings = context.settings
    nodes = sum(1 for p, _ in taxonomy.root.walk() if len(p) > 1)
    if nodes > settings.coverage_tree_max_nodes:
        return f"{nodes} nodes, over coverage_tree_max_nodes {settings.coverage_tree_max_nodes}"
    window = assigner_context(settings)
    if window is None:
        return None
    tokens = tree_prompt_tokens(context.caller, taxonomy, context.items, batch=settings.coverage_batch,
                                max_chars=settings.max_chars)
    reply = context.caller.bindings[Role.assigner].max_tokens
    if tokens + reply > window:
        return f"a prompt of about {tokens} tokens and a {reply}-token reply, over the {window}-token context"
    return None


def model_mode(used: list[tuple[str, str, str | None]]) -> str:
    """The report's mode: how each taxonomy was assigned ((factor, TREE or DESCENT, why auto descended))."""
    hows = {how for _, how, _ in used}
    if not hows:
        return "model"
    head = f"model: {hows.pop()}" if len(hows) == 1 else "model: " + "; ".join(f"{f} {how}" for f, how, _ in used)
    why = [f"{factor} {reason}" for factor, _, reason in used if reason]
    return head + (f" (auto descended: {'; '.join(why)})" if why else "")


def coverage_section(results: list[tuple[TaxonomyCoverage, Placement]], items: list[Item],
                     mode: str) -> CoverageSection:
    taxonomies = [FactorCoverage(
        factor=cov.factor,
        levels=[CoverageLevel(level=lv.level, nodes=lv.nodes, hit=lv.hit, ratio=round(lv.ratio, 4),
                              uncovered=[list(p) for p in lv.uncovered]) for lv in cov.levels],
        hits=[CoverageHit(path=list(h.path), items=h.items) for h in cov.nodes],
        unassigned=len(cov.unassigned), failures=placement.failures) for cov, placement in results]
    assignments = {i.id: {cov.factor: list(p.paths[i.id]) for cov, p in results if i.id in p.paths} for i in items}
    return CoverageSection(mode=mode, taxonomies=taxonomies, assignments=assignments)


async def run_coverage(context: MeasureContext) -> CoverageSection:
    """Each taxonomy's level-ratio coverage, from the assigner's placements (the whole taxonomy in context, or
    level by level: `coverage_assignment`), or the nearest nodes by embedding."""
    settings, items, results = context.settings, context.items, []
    used: list[tuple[str, str, str | None]] = []
    assert context.taxonomies is not None  # declared need: skipped without one
    for tax in context.taxonomies.taxonomies:
        if settings.coverage_mode == "embedding":
            assert context.vectors is not None and context.embedder is not None
            placement = assign_by_embedding(tax, items, context.vectors, context.embedder.embed)
        else:
            why = tree_misfit(context, tax) if settings.coverage_assignment == "auto" else None
            tree = settings.coverage_assignment == "tree" or (settings.coverage_assignment == "auto" and why is None)
            assign = assign_by_tree if tree else assign_by_descent
            placement = await assign(context.caller, tax, items, batch=settings.coverage_batch,
                                     max_chars=settings.max_chars)
            used.append((tax.factor, TREE if tree else DESCENT, why))
        placed = {i.id: [placement.paths[i.id]] if i.id in placement.paths else [] for i in items}
        results.append((coverage(tax, placed), placement))
    return coverage_section(results, items, EMBEDDING_MODE if settings.coverage_mode == "embedding"
                            else model_mode(used))
