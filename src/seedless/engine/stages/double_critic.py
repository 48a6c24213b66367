"""The double critic: "is this answer correct?" and "is it incorrect?", asked apart; accepted only on yes / no."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from seedless.core.replies import YesNoReply
from seedless.engine.llm.caller import Caller, CallResult
from seedless.engine.llm.prompts import PromptName
from seedless.spec.models import Role

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


async def ask_double_critic(caller: Caller, data: dict[str, Any], answer_field: str, *,
                            sample: int) -> CallResult[DoubleVerdict]:
    """Both questions on `data` (role judge), concurrently; None with every failure when either has no answer."""
    variables = judge_variables(data, answer_field)
    schema = YesNoReply.schema_for(max_chars=EXPLANATION_CHARS)
    correct, incorrect = await asyncio.gather(
        caller.structured(Role.judge, PromptName.judge_correct, variables, YesNoReply, schema, sample=sample),
        caller.structured(Role.judge, PromptName.judge_incorrect, variables, YesNoReply, schema, sample=sample))
    if correct.value is None or incorrect.value is None:
        return CallResult(None, correct.failures + incorrect.failures)
    return CallResult(DoubleVerdict(correct.value, incorrect.value), correct.failures + incorrect.failures)
