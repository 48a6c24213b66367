"""The requirement critic step: the datapoint checked against its meta-prompt and mix, repaired (bounded) or rejected."""

from __future__ import annotations

from typing import Any

from seedless.core.calls import CRITIC_REQUIREMENTS, REPAIR_DATAPOINT, CallSite
from seedless.core.dataset.record import Repair, Verdict
from seedless.core.estimate import StepLoad
from seedless.core.replies import VerdictReply
from seedless.engine.llm.caller import Caller
from seedless.engine.stages.datapoint.double_critic import EXPLANATION_CHARS
from seedless.engine.stages.datapoint.step import Context, Draft, Step
from seedless.spec.models import Role, Spec


class RequirementsStep(Step):
    name = "requirements"
    calls = (CRITIC_REQUIREMENTS, REPAIR_DATAPOINT)
    summary = ("Checks the datapoint against its meta-prompt and mix; repairs it with the explanation (bounded), "
               "else rejects.")
    settings = "generation.requirement_critic, generation.max_repairs"
    reads = ("record.data", "lineage.meta_prompt")
    writes = ("lineage.verdicts", "lineage.repairs", "rejected.jsonl")

    def enabled(self, spec: Spec) -> bool:
        return spec.generation.requirement_critic

    def variables(self, site: CallSite, draft: Draft, ctx: Context) -> dict[str, Any]:
        shown = ctx.base(draft) | {"meta_prompt": draft.lineage.meta_prompt, "datapoint": draft.shown}
        if site is REPAIR_DATAPOINT:
            return shown | {"explanation": draft.explanation, "schema": ctx.schema_text}
        return shown

    async def run(self, draft: Draft, ctx: Context, caller: Caller) -> str | None:
        max_repairs = ctx.spec.generation.max_repairs
        for round_ in range(max_repairs + 1):
            reply_type = VerdictReply.bounded(max_chars=caller.text_cap(Role.critic, EXPLANATION_CHARS))
            result = await caller.ask(CRITIC_REQUIREMENTS, self.variables(CRITIC_REQUIREMENTS, draft, ctx),
                                      reply_type, sample=draft.job.sample)
            if result.value is None:
                return "the requirement critic gave no usable verdict: " + "; ".join(result.failures)
            draft.explanation = " ".join(result.value.explanation.split())
            passed = result.value.verdict == "pass"
            draft.lineage.verdicts.append(Verdict(critic="requirements", passed=passed,
                                                  explanation=draft.explanation, attempt=round_))
            if passed:
                return None
            if round_ == max_repairs:
                return f"failed the requirement critic after {round_} repair(s): {draft.explanation}"
            repaired = await caller.call(REPAIR_DATAPOINT, self.variables(REPAIR_DATAPOINT, draft, ctx), ctx.parse,
                                         ctx.schema, sample=draft.job.sample)
            if repaired.value is None:
                return "the repair gave no valid datapoint: " + "; ".join(repaired.failures)
            draft.lineage.repairs.append(Repair(attempt=round_ + 1, reason=draft.explanation))
            draft.data = repaired.value
        raise AssertionError("unreachable")

    def load(self, spec: Spec, acceptance: float) -> StepLoad:
        """Each round passes with `acceptance`; a failed round is repaired (up to max_repairs) and checked again."""
        fail, most = 1.0 - acceptance, spec.generation.max_repairs
        rounds = sum(fail ** k for k in range(most + 1))
        repairs = sum(fail ** k for k in range(1, most + 1))
        return StepLoad(self.name, {CRITIC_REQUIREMENTS.name: rounds, REPAIR_DATAPOINT.name: repairs},
                        1.0 - fail ** (most + 1))
