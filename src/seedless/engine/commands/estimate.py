"""`seedless estimate`: each call site sized from its template, rendered by the stages' own variable builders."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from seedless.core import calls
from seedless.core.dataset.record import Lineage
from seedless.core.estimate import (
    CHARS_PER_TOKEN,
    Assumptions,
    Estimate,
    LoadsAt,
    SiteCost,
    child_counts,
    estimate,
    expected_calls,
    guess_tokens,
    mixes,
)
from seedless.core.plan.mix import Mix
from seedless.core.taxonomy.tree import Node, Taxonomy, TaxonomySet
from seedless.engine.llm.bindings import role_endpoint
from seedless.engine.llm.budget import price_for
from seedless.engine.llm.clients import ModelClient, endpoint_identity
from seedless.engine.llm.prompts import render
from seedless.engine.stages.datapoint import Context, Draft, Job
from seedless.engine.stages.datapoint.double_critic import judge_variables
from seedless.engine.stages.datapoint.registry import STEPS, enabled_steps
from seedless.engine.stages.factors import factor_variables
from seedless.engine.stages.strategies import strategy_variables
from seedless.engine.stages.taxonomy import TaxonomyBuilder
from seedless.spec.models import Role, Spec

NODE = "A representative category name"
TEXT_CHARS = {"meta_prompt": 300, "plan": 250, "explanation": 200}


def role_settings(spec: Spec, role: Role) -> tuple[str, int]:
    """(endpoint name, max_tokens) of a role, as the run's bindings resolve them."""
    return role_endpoint(spec.models, role), spec.models.sampling(role)[1]


def _names(count: float, stem: str = NODE) -> list[str]:
    return [f"{stem} {i + 1}" for i in range(max(1, round(count)))]


def representative_taxonomies(spec: Spec) -> TaxonomySet:
    """Every factor (the spec's, or max_factors proposed) with two levels of representative children."""
    kids = child_counts(spec).expected
    factors = [(f.name, f.description) for f in spec.factors] or [
        (f"A proposed factor {i + 1}", "What this factor varies, in a sentence.")
        for i in range(spec.taxonomy.max_factors)]
    return TaxonomySet([Taxonomy(Node(name, about, [Node(n, "", [Node(m) for m in _names(kids)])
                                                    for n in _names(kids)]), spec.taxonomy.depth)
                        for name, about in factors])


def representative_draft(spec: Spec, assumptions: Assumptions, taxonomies: TaxonomySet) -> Draft:
    """A try as a typical call would see it: a mix two levels deep in every taxonomy, a meta-prompt and a critic's
    explanation of typical length, the history a repeated mix carries, a datapoint of the typical reply size."""
    mix = Mix("all factors", tuple((t.factor, NODE, NODE) for t in taxonomies.taxonomies))
    meta = "x" * TEXT_CHARS["meta_prompt"]
    repeats = spec.size / max(1.0, mixes(spec))
    history = min(spec.generation.history, max(0, math.ceil((repeats - 1) / 2)))
    chars = int(role_settings(spec, Role.generator)[1] * assumptions.completion_fraction * CHARS_PER_TOKEN)
    data: dict[str, Any] = {"text": "x" * max(1, chars - 20)}
    if spec.output.answer_field:
        data[spec.output.answer_field] = "x" * 12
    lineage = Lineage(strategy=mix.strategy, mix=mix.as_dict(), meta_prompt=meta, model="", slot=0)
    return Draft(Job(0, 0, mix, True, (meta,) * history), lineage, data, "x" * TEXT_CHARS["explanation"])


def representative_variables(spec: Spec, assumptions: Assumptions) -> dict[str, dict[str, Any]]:
    """Variables of each call site as a typical call would see them, made by the same functions the stages use
    (documented in docs/estimate.md)."""
    taxonomies = representative_taxonomies(spec)
    tax = taxonomies.taxonomies[0]
    node = tax.root.children[0]
    builder = TaxonomyBuilder(spec, None)
    tree = builder.node_variables(tax, (tax.factor, node.name), node,
                                  "x" * TEXT_CHARS["plan"] if spec.taxonomy.level_plan else None)
    kids = child_counts(spec).expected
    pooled = [(n, 1) for n in _names(min(spec.taxonomy.max_children * 2, kids * spec.taxonomy.proposals))]
    out: dict[str, dict[str, Any]] = {
        calls.FACTORS.name: factor_variables(spec),
        calls.TAXONOMY_PROPOSE.name: tree | {"sample": 0},
        calls.TAXONOMY_CRITIC.name: tree | {"pooled": pooled},
        calls.LEVEL_PLAN.name: builder.plan_variables(tax, 1),
        calls.STRATEGIES.name: strategy_variables(spec, taxonomies),
    }
    draft, ctx = representative_draft(spec, assumptions, taxonomies), Context(spec)
    for step in STEPS:
        for site in step.calls:
            out[site.name] = step.variables(site, draft, ctx)
    out[calls.CORRUPT_ANSWER.name] = judge_variables(draft.data or {}, spec.output.answer_field or "") | {
        "previous": ""}  # the judge check's corruptions
    return out


def step_loads(spec: Spec) -> LoadsAt:
    """The enabled datapoint steps' loads at a given acceptance, from the step registry."""
    return lambda acceptance: [step.load(spec, acceptance) for step in enabled_steps(spec)]


def estimate_spec(spec: Spec, assumptions: Assumptions = Assumptions(), *,
                  clients: Mapping[str, ModelClient] | None = None) -> Estimate:
    """Every call site's calls, prompt and completion tokens and cost; renders templates only, sends nothing.
    `clients`: clients given by name (the Python API's), for the model identity of a name no endpoint declares."""
    given = clients or {}
    stages = expected_calls(spec, assumptions, step_loads(spec))
    variables = representative_variables(spec, assumptions)
    sites: dict[str, SiteCost] = {}
    for stage in stages:
        per_call = guess_tokens(render(stage.site, variables[stage.prompt]))
        endpoint, max_tokens = role_settings(spec, stage.role)
        settings = spec.models.endpoints.get(endpoint)
        identity = endpoint_identity(settings)[0] if settings is not None else given[endpoint].identity
        sites[stage.prompt] = SiteCost(endpoint, identity, per_call, max_tokens, price_for(spec.models, endpoint))
    return estimate(stages, sites, assumptions)
