"""The complexification step: the slot's meta-prompt rewritten to be harder, every requirement kept (stream c)."""

from __future__ import annotations

from typing import Any

from seedless.core.calls import COMPLEXIFY, CallSite
from seedless.core.estimate import StepLoad
from seedless.core.replies import ComplexifyReply
from seedless.engine.llm.caller import Caller
from seedless.engine.stages.datapoint.meta_prompt import META_PROMPT_CHARS
from seedless.engine.stages.datapoint.step import Context, Draft, Step
from seedless.spec.models import Role, Spec


class ComplexifyStep(Step):
    name = "complexify"
    calls = (COMPLEXIFY,)
    summary = "An exact, seeded fraction c of meta-prompts rewritten to be harder, every requirement kept."
    settings = "generation.complexify"
    reads = ("lineage.meta_prompt",)
    writes = ("lineage.meta_prompt", "lineage.original_meta_prompt", "lineage.complexified")

    def can_reject(self, spec: Spec) -> bool:
        return spec.generation.complexify > 0

    def variables(self, site: CallSite, draft: Draft, ctx: Context) -> dict[str, Any]:
        return ctx.base(draft) | {"meta_prompt": draft.lineage.meta_prompt}

    async def run(self, draft: Draft, ctx: Context, caller: Caller) -> str | None:
        if not draft.job.complexify:
            return None
        reply_type = ComplexifyReply.bounded(max_chars=caller.text_cap(Role.complexifier, META_PROMPT_CHARS))
        harder = await caller.ask(COMPLEXIFY, self.variables(COMPLEXIFY, draft, ctx), reply_type,
                                  sample=draft.job.sample)
        if harder.value is None:
            return "; ".join(harder.failures)
        lineage = draft.lineage
        lineage.original_meta_prompt, lineage.complexified = lineage.meta_prompt, True
        lineage.meta_prompt = " ".join(harder.value.meta_prompt.split())
        return None

    def load(self, spec: Spec, acceptance: float) -> StepLoad:
        """Only the complexified stream calls: round(c * size) of size slots."""
        share = round(spec.generation.complexify * spec.size) / spec.size
        return StepLoad(self.name, {COMPLEXIFY.name: share}, 1.0)
