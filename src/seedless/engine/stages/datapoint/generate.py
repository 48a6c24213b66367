"""The generation step: the datapoint from its meta-prompt, in the spec's output format, validated."""

from __future__ import annotations

from typing import Any

from seedless.core.calls import GENERATE, CallSite
from seedless.engine.llm.caller import Caller
from seedless.engine.stages.datapoint.step import Context, Draft, Step


class GenerateStep(Step):
    name = "generate"
    calls = (GENERATE,)
    summary = "The datapoint from its meta-prompt, in the spec's output format, validated into a typed record."
    settings = "output, models.roles.generator"
    reads = ("lineage.meta_prompt", "spec.output")
    writes = ("record.data",)

    def variables(self, site: CallSite, draft: Draft, ctx: Context) -> dict[str, Any]:
        return ctx.base(draft) | {"meta_prompt": draft.lineage.meta_prompt, "schema": ctx.schema_text}

    async def run(self, draft: Draft, ctx: Context, caller: Caller) -> str | None:
        made = await caller.call(GENERATE, self.variables(GENERATE, draft, ctx), ctx.parse, ctx.schema,
                                 sample=draft.job.sample)
        if made.value is None:
            return "; ".join(made.failures)
        draft.data = made.value
        return None
