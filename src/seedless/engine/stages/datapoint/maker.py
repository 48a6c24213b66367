"""One datapoint from its mix: the registered steps in order, each may reject it; the lineage says why it exists."""

from __future__ import annotations

from collections.abc import Callable

from seedless.core.dataset.record import JudgeFigures, Lineage, Record, Rejection
from seedless.engine.llm.caller import Caller
from seedless.engine.stages.datapoint.registry import enabled_steps
from seedless.engine.stages.datapoint.step import Context, Draft, Job
from seedless.spec.models import Role, Spec


class DatapointMaker:
    def __init__(self, spec: Spec, caller: Caller, judge_check: JudgeFigures | None = None):
        self.spec = spec
        self.judge_check = judge_check  # the run's judge check, kept in every datapoint's lineage
        self.caller = caller
        self.model = caller.bindings[Role.generator].client.identity
        self.context = Context(spec)
        self.steps = enabled_steps(spec)

    async def make(self, job: Job, on_meta_prompt: Callable[[str], None] | None = None) -> Record | Rejection:
        """Accepted datapoint with its lineage, or the rejection with its step and reason; never raises for
        a bad reply. `on_meta_prompt` hears the kept meta-prompt ("" when none) as soon as it is chosen (before
        any rewrite), so later slots of the same mix need not wait for this one's critics."""
        lineage = Lineage(strategy=job.mix.strategy, mix=job.mix.as_dict(), meta_prompt="", model=self.model,
                          slot=job.slot, attempt=job.attempt, judge_check=self.judge_check)
        draft = Draft(job, lineage)
        told = on_meta_prompt is None
        for step in self.steps:
            reason = await step.run(draft, self.context, self.caller)
            if not told and (lineage.meta_prompt or reason is not None):
                told = True
                on_meta_prompt(lineage.meta_prompt if reason is None else "")  # type: ignore[misc]
            if reason is not None:
                return Rejection(id=f"s{job.slot:06d}-a{job.attempt}", data=draft.data, lineage=lineage,
                                 stage=step.name, reason=reason)
        if draft.data is None:
            raise RuntimeError("no datapoint step produced the datapoint (is the generate step registered?)")
        return Record(id=f"s{job.slot:06d}", data=draft.data, lineage=lineage)
