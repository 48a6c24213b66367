"""The double critic step: with a numeric answer, first a blind solve (the judge solves the task without seeing the
answer; a different result rejects); then "is this answer correct?" and "is it incorrect?", asked apart; accepted on
yes / no, each verdict settled by the judge's own stated result where that compares exactly with the answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from seedless.core.calls import JUDGE_CORRECT, JUDGE_INCORRECT, JUDGE_SOLVE, CallSite
from seedless.core.dataset.output_format import answer_is_numeric
from seedless.core.dataset.record import Verdict
from seedless.core.estimate import StepLoad
from seedless.core.replies import SolveReply, YesNoReply
from seedless.core.stated_result import StatedResult, compare_result, number_in, read_result
from seedless.engine.llm.caller import Caller, CallResult
from seedless.engine.stages.datapoint.step import Context, Draft, Step
from seedless.engine.tasks import together
from seedless.spec.models import Role, Spec

EXPLANATION_CHARS = 400


@dataclass(frozen=True)
class BlindSolve:
    """The judge's own solution of the task, made without the proposed answer, and its exact comparison with that
    answer (None: the two cannot be compared exactly, so the solve decides nothing)."""

    reply: SolveReply
    reading: StatedResult | None

    @property
    def rejects(self) -> bool:
        return self.reading is not None and not self.reading.agrees

    @property
    def explanation(self) -> str:
        if self.reading is None:
            outcome = "not compared (the result and the answer are not each one number)"
        elif self.reading.agrees:
            outcome = "the same as the proposed answer"
        else:
            outcome = "not the proposed answer"
        return f"{self.reply.work} Blind result: {self.reply.result!r}, {outcome}."


@dataclass(frozen=True)
class DoubleVerdict:
    """The blind solve (when one was made) and the two independent answers; accepted only when the blind solve does
    not disagree, 'correct?' is yes and 'incorrect?' no. A blind solve that disagrees ends the judging: the two
    questions are then not asked (None)."""

    correct: YesNoReply | None
    incorrect: YesNoReply | None
    solved: BlindSolve | None = None

    @property
    def said_correct(self) -> bool:
        return self.correct is not None and self.correct.answer == "yes"

    @property
    def said_incorrect(self) -> bool:
        return self.incorrect is not None and self.incorrect.answer == "yes"

    @property
    def accepted(self) -> bool:
        return not (self.solved is not None and self.solved.rejects) and self.said_correct and not self.said_incorrect

    def words(self) -> tuple[str, str]:
        """The 'correct?' and 'incorrect?' answers, "not asked" where the blind solve already rejected."""
        return (self.correct.answer if self.correct else "not asked",
                self.incorrect.answer if self.incorrect else "not asked")

    def explanations(self) -> list[str]:
        shown = [self.solved.explanation] if self.solved is not None else []
        return shown + [reply.explanation for reply in (self.correct, self.incorrect) if reply is not None]

    def summary(self) -> str:
        """Why it was rejected, in one line."""
        if self.solved is not None and self.solved.rejects:
            return f"double critic: the blind solve found {self.solved.reply.result!r}, not the proposed answer"
        correct, incorrect = self.words()
        return f"double critic: 'is it correct?' {correct}, 'is it incorrect?' {incorrect}"


def judge_variables(data: dict[str, Any], answer_field: str) -> dict[str, str]:
    """The task (the datapoint without its answer field) and the answer, each as JSON."""
    task = json.dumps({k: v for k, v in data.items() if k != answer_field}, ensure_ascii=False)
    return {"task": task, "answer": json.dumps(data.get(answer_field), ensure_ascii=False)}


def blind_applies(proposed: Any) -> bool:
    """Whether a blind solve can decide anything: the proposed answer is one number, so results compare exactly."""
    return number_in(proposed) is not None


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


async def blind_solve(caller: Caller, data: dict[str, Any], answer_field: str, *,
                      sample: int) -> CallResult[BlindSolve]:
    """The judge solves the task (the datapoint without its answer field) without seeing the answer; its result is
    compared exactly with the answer (core/stated_result.compare_result)."""
    variables = {"task": judge_variables(data, answer_field)["task"]}
    reply_type = SolveReply.bounded(max_chars=caller.text_cap(Role.judge, EXPLANATION_CHARS))
    result = await caller.ask(JUDGE_SOLVE, variables, reply_type, sample=sample)
    if result.value is None:
        return CallResult(None, result.failures)
    return CallResult(BlindSolve(result.value, compare_result(result.value.result, data.get(answer_field))),
                      result.failures)


async def ask_double_critic(caller: Caller, data: dict[str, Any], answer_field: str, *, sample: int,
                            blind: bool = False) -> CallResult[DoubleVerdict]:
    """With `blind` and a numeric answer, the blind solve first (a disagreement ends it there); then both questions
    on `data` (role judge), concurrently, each settled by its stated result (`settle`); None with every failure
    when a call has no answer."""
    proposed = data.get(answer_field)
    failures: list[str] = []
    solved = None
    if blind and blind_applies(proposed):
        made = await blind_solve(caller, data, answer_field, sample=sample)
        if made.value is None:
            return CallResult(None, made.failures)
        solved, failures = made.value, list(made.failures)
        if solved.rejects:
            return CallResult(DoubleVerdict(None, None, solved), failures)
    variables = judge_variables(data, answer_field)
    reply_type = YesNoReply.bounded(max_chars=caller.text_cap(Role.judge, EXPLANATION_CHARS))
    correct, incorrect = await together([caller.ask(JUDGE_CORRECT, variables, reply_type, sample=sample),
                                             caller.ask(JUDGE_INCORRECT, variables, reply_type, sample=sample)])
    failures += correct.failures + incorrect.failures
    if correct.value is None or incorrect.value is None:
        return CallResult(None, failures)
    verdict = DoubleVerdict(settle(correct.value, proposed, asks_incorrect=False),
                            settle(incorrect.value, proposed, asks_incorrect=True), solved)
    return CallResult(verdict, failures)


class DoubleCriticStep(Step):
    """With an answer field: the blind solve (numeric answers, generation.blind_solve), then both questions asked
    independently; accepted only on an agreeing (or uncomparable) blind result and yes / no."""

    name = "double_critic"
    calls = (JUDGE_SOLVE, JUDGE_CORRECT, JUDGE_INCORRECT)
    summary = ("With an answer field: a numeric answer is first solved blind (the judge does not see it; a different "
               "result rejects), then 'is it correct?' and 'is it incorrect?' asked independently; accepted on yes / "
               "no.")
    settings = "generation.double_critic, generation.blind_solve, output.answer_field"
    reads = ("record.data",)
    writes = ("lineage.verdicts", "dataset.jsonl", "dataset.parquet", "rejected.jsonl", "store: records")

    def enabled(self, spec: Spec) -> bool:
        return spec.generation.double_critic and bool(spec.output.answer_field)

    def variables(self, site: CallSite, draft: Draft, ctx: Context) -> dict[str, Any]:
        variables = judge_variables(draft.data or {}, ctx.spec.output.answer_field or "")
        return {"task": variables["task"]} if site is JUDGE_SOLVE else variables

    async def run(self, draft: Draft, ctx: Context, caller: Caller) -> str | None:
        result = await ask_double_critic(caller, draft.data or {}, ctx.spec.output.answer_field or "",
                                         sample=draft.job.sample, blind=ctx.spec.generation.blind_solve)
        if result.value is None:
            return "the double critic gave no usable answer: " + "; ".join(result.failures)
        verdict = result.value
        if verdict.solved is not None:
            draft.lineage.verdicts.append(Verdict(critic="blind_solve", passed=not verdict.solved.rejects,
                                                  explanation=verdict.solved.explanation))
        draft.lineage.verdicts += [
            Verdict(critic=critic, passed=passed, explanation=reply.explanation)
            for critic, passed, reply in (("double_correct", verdict.said_correct, verdict.correct),
                                          ("double_incorrect", not verdict.said_incorrect, verdict.incorrect))
            if reply is not None]
        return None if verdict.accepted else verdict.summary()

    def load(self, spec: Spec, acceptance: float) -> StepLoad:
        calls = {JUDGE_CORRECT.name: 1.0, JUDGE_INCORRECT.name: 1.0}
        if spec.generation.blind_solve and answer_is_numeric(spec.output):
            calls = {JUDGE_SOLVE.name: 1.0} | calls
        return StepLoad(self.name, calls, acceptance)

