"""The double critic step: "is this answer correct?" and "is it incorrect?", asked apart; accepted on yes / no, each
verdict settled by the judge's own stated result where that can be compared exactly with the answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from seedless.core.calls import JUDGE_CORRECT, JUDGE_INCORRECT, CallSite
from seedless.core.dataset.record import Verdict
from seedless.core.estimate import StepLoad
from seedless.core.replies import YesNoReply
from seedless.core.stated_result import read_result
from seedless.engine.llm.caller import Caller, CallResult
from seedless.engine.stages.datapoint.step import Context, Draft, Step
from seedless.engine.tasks import together
from seedless.spec.models import Spec

EXPLANATION_CHARS = 400


@dataclass(frozen=True)
class DoubleVerdict:
    """The two independent answers; the datapoint is accepted only when 'correct?' is yes and 'incorrect?' no."""

    correct: YesNoReply
    incorrect: YesNoReply

    @property
    def said_correct(self) -> bool:
        return self.correct.answer == "yes"

    @property
    def said_incorrect(self) -> bool:
        return self.incorrect.answer == "yes"

    @property
    def accepted(self) -> bool:
        return self.said_correct and not self.said_incorrect


def judge_variables(data: dict[str, Any], answer_field: str) -> dict[str, str]:
    """The task (the datapoint without its answer field) and the answer, each as JSON."""
    task = json.dumps({k: v for k, v in data.items() if k != answer_field}, ensure_ascii=False)
    return {"task": task, "answer": json.dumps(data.get(answer_field), ensure_ascii=False)}


def settle(reply: YesNoReply, proposed: Any, *, asks_incorrect: bool) -> YesNoReply:
    """The reply with its yes or no made to follow the judge's own stated result when the two can be compared
    exactly and the model's word says otherwise (a judge that computes 40 and then agrees with 14); the
    explanation says so. Unchanged when they cannot be compared or already agree."""
    stated = read_result(reply.explanation, proposed)
    if stated is None:
        return reply
    word = "no" if stated.agrees == asks_incorrect else "yes"
    if word == reply.answer:
        return reply
    return reply.model_copy(update={"answer": word, "explanation": f"{reply.explanation} {stated.note(proposed)}"})


async def ask_double_critic(caller: Caller, data: dict[str, Any], answer_field: str, *,
                            sample: int) -> CallResult[DoubleVerdict]:
    """Both questions on `data` (role judge), concurrently, each settled by its stated result (`settle`); None with
    every failure when either has no answer."""
    variables = judge_variables(data, answer_field)
    reply_type = YesNoReply.bounded(max_chars=EXPLANATION_CHARS)
    correct, incorrect = await together([caller.ask(JUDGE_CORRECT, variables, reply_type, sample=sample),
                                             caller.ask(JUDGE_INCORRECT, variables, reply_type, sample=sample)])
    if correct.value is None or incorrect.value is None:
        return CallResult(None, correct.failures + incorrect.failures)
    proposed = data.get(answer_field)
    verdict = DoubleVerdict(settle(correct.value, proposed, asks_incorrect=False),
                            settle(incorrect.value, proposed, asks_incorrect=True))
    return CallResult(verdict, correct.failures + incorrect.failures)


class DoubleCriticStep(Step):
    """With an answer field: both questions asked independently; accepted only on yes / no."""

    name = "double_critic"
    calls = (JUDGE_CORRECT, JUDGE_INCORRECT)
    summary = "With an answer field: 'is it correct?' and 'is it incorrect?' asked independently; accepted on yes / no."
    settings = "generation.double_critic, output.answer_field"
    reads = ("record.data",)
    writes = ("lineage.verdicts", "dataset.jsonl", "dataset.parquet", "rejected.jsonl", "store: records")

    def enabled(self, spec: Spec) -> bool:
        return spec.generation.double_critic and bool(spec.output.answer_field)

    def variables(self, site: CallSite, draft: Draft, ctx: Context) -> dict[str, Any]:
        return judge_variables(draft.data or {}, ctx.spec.output.answer_field or "")

    async def run(self, draft: Draft, ctx: Context, caller: Caller) -> str | None:
        result = await ask_double_critic(caller, draft.data or {}, ctx.spec.output.answer_field or "",
                                         sample=draft.job.sample)
        if result.value is None:
            return "the double critic gave no usable answer: " + "; ".join(result.failures)
        verdict = result.value
        draft.lineage.verdicts += [
            Verdict(critic="double_correct", passed=verdict.said_correct, explanation=verdict.correct.explanation),
            Verdict(critic="double_incorrect", passed=not verdict.said_incorrect,
                    explanation=verdict.incorrect.explanation)]
        if verdict.accepted:
            return None
        return (f"double critic: 'is it correct?' {verdict.correct.answer}, 'is it incorrect?' "
                f"{verdict.incorrect.answer}")

    def load(self, spec: Spec, acceptance: float) -> StepLoad:
        return StepLoad(self.name, {JUDGE_CORRECT.name: 1.0, JUDGE_INCORRECT.name: 1.0}, acceptance)
