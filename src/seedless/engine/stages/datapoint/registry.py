"""The datapoint steps in the order they run: the one list DatapointMaker runs, the estimate and the catalogue read."""

from __future__ import annotations

from seedless.core.calls import register_call_site, unregister_call_site
from seedless.engine.stages.datapoint.checks import ChecksStep
from seedless.engine.stages.datapoint.complexify import ComplexifyStep
from seedless.engine.stages.datapoint.dedup import DedupStep
from seedless.engine.stages.datapoint.double_critic import DoubleCriticStep
from seedless.engine.stages.datapoint.generate import GenerateStep
from seedless.engine.stages.datapoint.meta_prompt import MetaPromptStep
from seedless.engine.stages.datapoint.requirements import RequirementsStep
from seedless.engine.stages.datapoint.step import Step
from seedless.spec.models import Role, Spec

STEPS: list[Step] = [MetaPromptStep(), ComplexifyStep(), GenerateStep(), ChecksStep(), RequirementsStep(),
                     DoubleCriticStep(), DedupStep()]


LAST = "dedup"  # holds each datapoint that reaches it as accepted, so it stays after every step that can reject


def register_step(step: Step, *, after: str | None = None) -> Step:
    """Add a step (and its call sites), after the named one, or else just before dedup (which must see only what
    every other step passed); a plugin's one line."""
    names = [s.name for s in STEPS]
    if step.name in names:
        raise ValueError(f"a datapoint step named {step.name!r} already exists")
    if after is not None and after not in names:
        raise ValueError(f"no datapoint step named {after!r} (steps: {', '.join(names)})")
    if after == LAST:
        raise ValueError(f"a step cannot go after {LAST!r}: it holds what it passes as accepted")
    for site in step.calls:
        register_call_site(site)
    default = names.index(LAST) if LAST in names else len(STEPS)
    STEPS.insert(names.index(after) + 1 if after is not None else default, step)
    return step


def unregister_step(name: str) -> None:
    for step in [s for s in STEPS if s.name == name]:
        STEPS.remove(step)
        for site in step.calls:
            unregister_call_site(site.name)


def step_names() -> tuple[str, ...]:
    """The vocabulary of the stage a try is rejected at (records, rejected.jsonl, the rejection table)."""
    return tuple(s.name for s in STEPS)


def enabled_steps(spec: Spec) -> list[Step]:
    return [s for s in STEPS if s.enabled(spec)]


def generation_roles() -> tuple[Role, ...]:
    """Every role a datapoint step calls, in step order."""
    return tuple(dict.fromkeys(site.role for step in STEPS for site in step.calls))
