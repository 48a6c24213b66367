"""`seedless estimate`: size each call site from its real template rendered with representative variables; no call."""

from __future__ import annotations

import json
import math
from typing import Any

from seedless.core.dataset.output_format import describe, record_schema
from seedless.core.estimate import Assumptions, CallSite, Estimate, child_counts, estimate, expected_calls, mixes
from seedless.engine.llm.bindings import role_endpoint
from seedless.engine.llm.budget import price_for
from seedless.engine.llm.clients import endpoint_identity
from seedless.engine.llm.prompts import PromptName, render
from seedless.spec.models import ROLE_DEFAULTS, Role, Spec

CHARS_PER_TOKEN = 4.0
MESSAGE_OVERHEAD = 4  # tokens of chat framing per message
NODE = "A representative category name"
TEXT_CHARS = {"meta_prompt": 300, "plan": 250, "explanation": 200}


def tokens(messages: tuple[tuple[str, str], ...]) -> float:
    """Prompt tokens of rendered messages: characters / 4 plus a little framing per message."""
    return sum(len(text) / CHARS_PER_TOKEN + MESSAGE_OVERHEAD for _, text in messages)


def role_settings(spec: Spec, role: Role) -> tuple[str, int]:
    """(endpoint name, max_tokens) of a role, as the run's bindings resolve them."""
    settings = spec.models.roles.get(role)
    max_tokens = settings.max_tokens if settings and settings.max_tokens is not None else ROLE_DEFAULTS[role][1]
    return role_endpoint(spec.models, role), max_tokens


def _names(count: float, stem: str = NODE) -> list[str]:
    return [f"{stem} {i + 1}" for i in range(max(1, round(count)))]


def representative_variables(spec: Spec, assumptions: Assumptions) -> dict[PromptName, dict[str, Any]]:
    """Variables of each call site as a typical call would see them (documented in docs/estimate.md)."""
    t, g = spec.taxonomy, spec.generation
    kids = child_counts(spec).expected
    factors = [(f.name, f.description) for f in spec.factors] or [
        (f"A proposed factor {i + 1}", "What this factor varies, in a sentence.") for i in range(t.max_factors)]
    name, about = factors[0]
    base = {"description": spec.description.strip()}
    tree = base | {"factor": name, "factor_description": about, "node": NODE, "path": [name, NODE],
                   "siblings": _names(kids - 1), "min_children": max(1, t.min_children),
                   "max_children": t.max_children, "max_chars": t.max_name_chars, "proposals": t.proposals}
    meta = "x" * TEXT_CHARS["meta_prompt"]
    requirements = [(f, f"{NODE} > {NODE}") for f, _ in factors]
    fmt = describe(spec.output)
    schema = json.dumps(record_schema(spec.output), separators=(",", ":")) if spec.output.kind == "json_schema" else ""
    datapoint_chars = int(role_settings(spec, Role.generator)[1] * assumptions.completion_fraction * CHARS_PER_TOKEN)
    datapoint = json.dumps({"text": "x" * datapoint_chars})
    answer = spec.output.answer_field or "answer"
    task = json.dumps({"text": "x" * max(1, datapoint_chars - 20)})
    repeats = spec.size / max(1.0, mixes(spec))
    history = min(g.history, max(0, math.ceil((repeats - 1) / 2)))
    samples = [(s if isinstance(s, str) else json.dumps(s))[:400] for s in spec.samples[:5]]
    return {
        PromptName.factors: base | {"samples": samples, "max_factors": t.max_factors},
        PromptName.taxonomy_propose: tree | {"sample": 0, "plan": "x" * TEXT_CHARS["plan"] if t.level_plan else None},
        PromptName.taxonomy_critic: tree | {"pooled": [(n, 1) for n in _names(min(t.max_children * 2,
                                                                                   kids * t.proposals))]},
        PromptName.level_plan: base | {"factor": name, "factor_description": about, "level": 1,
                                       "nodes": [[name, n] for n in _names(kids)]},
        PromptName.strategies: base | {"outline": [(f, _names(kids)) for f, _ in factors],
                                       "max_strategies": spec.strategy.max_strategies},
        PromptName.meta_prompt: base | {"requirements": requirements, "format": fmt, "count": g.candidates,
                                        "history": [meta] * history},
        PromptName.complexify: base | {"requirements": requirements, "meta_prompt": meta},
        PromptName.generate: base | {"format": fmt, "meta_prompt": meta, "schema": schema},
        PromptName.critic_requirements: base | {"requirements": requirements, "format": fmt, "meta_prompt": meta,
                                                "datapoint": datapoint},
        PromptName.repair_datapoint: base | {"format": fmt, "meta_prompt": meta, "datapoint": datapoint,
                                             "explanation": "x" * TEXT_CHARS["explanation"], "schema": schema},
        PromptName.judge_correct: {"task": task, "answer": json.dumps(answer)},
        PromptName.judge_incorrect: {"task": task, "answer": json.dumps(answer)},
    }


def estimate_spec(spec: Spec, assumptions: Assumptions = Assumptions()) -> Estimate:
    """Every stage's calls, prompt and completion tokens and cost; renders templates only, sends nothing."""
    stages = expected_calls(spec, assumptions)
    variables = representative_variables(spec, assumptions)
    sites: dict[str, CallSite] = {}
    for stage in stages:
        prompt = PromptName(stage.prompt)
        per_call = tokens(render(prompt, variables[prompt]))
        if prompt is PromptName.judge_correct:  # the double critic alternates the two questions
            per_call = (per_call + tokens(render(PromptName.judge_incorrect,
                                                 variables[PromptName.judge_incorrect]))) / 2
        endpoint, max_tokens = role_settings(spec, stage.role)
        sites[stage.prompt] = CallSite(endpoint, endpoint_identity(spec.models.endpoints[endpoint])[0], per_call,
                                       max_tokens, price_for(spec.models, endpoint))
    return estimate(stages, sites, assumptions)
