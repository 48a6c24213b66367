"""The unit of the datapoint pipeline: a Step (name, call sites, behaviour, expected calls) over a Draft."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

from seedless.core.calls import CallSite
from seedless.core.dataset.output_format import describe, record_schema
from seedless.core.dataset.record import Lineage
from seedless.core.estimate import StepLoad
from seedless.core.plan.mix import Mix
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.parsing import datapoint_parser
from seedless.spec.models import Spec

ATTEMPT_STRIDE = 1000  # call samples: slot * stride + attempt, distinct for every try of every slot


@dataclass(frozen=True)
class Job:
    """One try at one datapoint slot; `history` holds earlier meta-prompts of the same mix, oldest first."""

    slot: int
    attempt: int
    mix: Mix
    complexify: bool
    history: tuple[str, ...] = ()

    @property
    def sample(self) -> int:
        return self.slot * ATTEMPT_STRIDE + self.attempt


def requirements(mix: Mix) -> list[tuple[str, str]]:
    """(factor, node path below the factor) per taxonomy of the mix."""
    return [(path[0], " > ".join(path[1:]) or path[0]) for path in mix.nodes]


@dataclass
class Draft:
    """One datapoint in the making, handed from step to step: the lineage (meta-prompt, verdicts, repairs) grows,
    `data` is the datapoint once generated, `explanation` the last critic's reason (what a repair works from)."""

    job: Job
    lineage: Lineage
    data: dict[str, Any] | None = None
    explanation: str = ""

    @property
    def shown(self) -> str:
        """The datapoint as a prompt shows it: compact JSON."""
        return json.dumps(self.data, ensure_ascii=False)


class Context:
    """What every step of one spec shares: the spec, the record schema and parser, the format's description."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.schema = record_schema(spec.output)
        self.schema_text = json.dumps(self.schema, separators=(",", ":")) if spec.output.kind == "json_schema" else ""
        self.parse = datapoint_parser(spec.output)
        self.format = describe(spec.output)

    def base(self, draft: Draft) -> dict[str, Any]:
        """Template variables every generation call site gets."""
        return {"description": self.spec.description.strip(), "requirements": requirements(draft.job.mix),
                "format": self.format}


class Step:
    """One step of a datapoint: `run` returns None to go on, or the reason the datapoint is rejected here (never
    raises for a bad reply). `variables` builds each call site's template variables from the draft, for the run
    and for `seedless estimate` alike; `load` says how many calls a try that reaches the step makes and how
    likely it is to go on, for the estimate."""

    name: ClassVar[str]
    calls: ClassVar[tuple[CallSite, ...]] = ()
    summary: ClassVar[str] = ""
    settings: ClassVar[str] = ""  # the spec fields that configure it, as `seedless stages` lists them
    reads: ClassVar[tuple[str, ...]] = ()
    writes: ClassVar[tuple[str, ...]] = ()

    def enabled(self, spec: Spec) -> bool:
        """Whether the step runs at all under `spec`."""
        return True

    def can_reject(self, spec: Spec) -> bool:
        """Whether the step may reject under `spec` (the rejection table leaves the others out)."""
        return self.enabled(spec)

    def variables(self, site: CallSite, draft: Draft, ctx: Context) -> dict[str, Any]:
        return ctx.base(draft)

    async def run(self, draft: Draft, ctx: Context, caller: Caller) -> str | None:
        raise NotImplementedError

    def load(self, spec: Spec, acceptance: float) -> StepLoad:
        return StepLoad(self.name, {site.name: 1.0 for site in self.calls}, 1.0)
