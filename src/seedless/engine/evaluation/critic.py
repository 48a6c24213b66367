"""Critic effectiveness: the corrupter writes a subtly wrong answer per item; the double critic judges both versions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from seedless.core.calls import CORRUPT_ANSWER
from seedless.core.eval_replies import CorruptionReply, answer_problem, numeric_slip, same_answer
from seedless.core.measures.critic_effect import CriticEffect, critic_effect
from seedless.core.measures.report import (
    CriticCounts,
    CriticResult,
    CriticSection,
    FilteringAt,
    VerdictPart,
)
from seedless.core.text import clip
from seedless.engine.evaluation.items import DataError, Item
from seedless.engine.evaluation.measure import MeasureContext
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.parsing import parse_reply
from seedless.engine.stages.datapoint.double_critic import (
    DoubleVerdict,
    ask_double_critic,
    judge_variables,
)
from seedless.engine.tasks import together
from seedless.spec.eval_settings import LIFT_AT

CHANGE_CHARS = 300
IDENTICAL = "the corruption repeated the original answer, also after one retry"


@dataclass
class CriticItem:
    """One item: the critic on its original answer, the corrupted answer, and the critic on the corrupted copy."""

    id: str
    answer: Any
    original: DoubleVerdict | None = None
    corrupted_answer: Any = None
    change: str = ""
    corrupted: DoubleVerdict | None = None
    retried: bool = False  # the first corruption repeated the original and was retried once
    dropped: str | None = None  # why the corrupted copy is not counted in q
    failures: list[str] = field(default_factory=list)


@dataclass
class CriticCheck:
    items: list[CriticItem]
    effect: CriticEffect

    def count(self, what: str) -> int:
        return {"identical": sum(1 for i in self.items if i.dropped == IDENTICAL),
                "retried": sum(1 for i in self.items if i.retried),
                "corruption_failed": sum(1 for i in self.items if i.dropped and i.dropped != IDENTICAL),
                "critic_failed": sum((i.original is None) + (i.dropped is None and i.corrupted is None)
                                     for i in self.items)}[what]


def _answers(items: list[Item], answer_field: str) -> list[Any]:
    missing = [i.id for i in items if answer_field not in i.data]
    if missing:
        shown = ", ".join(missing[:5]) + (f" (+{len(missing) - 5} more)" if len(missing) > 5 else "")
        raise DataError(f"no field {answer_field!r} (the answer) in item(s) {shown}")
    return [i.data[answer_field] for i in items]


def _datapoint(item: Item) -> dict[str, Any]:
    """The item's data as the critic sees it: without the `id` key that named the item (not part of the task)."""
    if "id" in item.data and str(item.data["id"]) == item.id:
        return {k: v for k, v in item.data.items() if k != "id"}
    return item.data


async def _corrupt(caller: Caller, data: dict[str, Any], answer_field: str, sample: int,
                   previous: str = "") -> tuple[CorruptionReply | None, list[str]]:
    original = data[answer_field]
    reply_type = CorruptionReply.bounded(max_chars=CHANGE_CHARS)

    def parse(text: str) -> tuple[CorruptionReply | None, str | None]:
        reply, reason = parse_reply(text, CorruptionReply)
        if reply is None:
            return None, reason
        problem = answer_problem(original, reply.answer)
        return (None, f"{problem} (keep the format of the correct answer)") if problem else (reply, None)

    variables = judge_variables(data, answer_field) | {"previous": previous}
    result = await caller.call(CORRUPT_ANSWER, variables, parse, reply_type.schema_for(original), sample=sample)
    return result.value, result.failures


async def check_item(caller: Caller, item: Item, answer: Any, answer_field: str, sample: int, *,
                     blind: bool = False) -> CriticItem:
    """The double critic (with the blind solve when `blind`) on the item as given and, concurrently, a corruption of
    its answer then the double critic on the corrupted copy. A corruption equal to the original is retried once; then a numeric answer gets
    a numeric slip (core/eval_replies.numeric_slip) and any other is dropped."""
    out = CriticItem(item.id, answer)
    data = _datapoint(item)

    async def corrupted_side() -> None:
        reply, failures = await _corrupt(caller, data, answer_field, sample)
        if reply is not None and same_answer(reply.answer, answer):
            out.retried = True
            previous = json.dumps(reply.model_dump(), ensure_ascii=False)
            reply, more = await _corrupt(caller, data, answer_field, sample, previous)
            failures += more
            if reply is not None and same_answer(reply.answer, answer):
                slip = numeric_slip(answer, sample)
                if slip is None:
                    out.corrupted_answer, out.change, out.dropped = reply.answer, reply.change, IDENTICAL
                    return
                reply = CorruptionReply(change=slip[1], answer=slip[0])
        if reply is None:
            out.failures += failures
            out.dropped = "the corrupter gave no usable answer"
            return
        out.corrupted_answer, out.change = reply.answer, " ".join(reply.change.split())
        verdict = await ask_double_critic(caller, data | {answer_field: reply.answer}, answer_field, sample=sample,
                                          blind=blind)
        out.corrupted = verdict.value
        if verdict.value is None:
            out.failures.append("critic on the corrupted copy: " + clip("; ".join(verdict.failures), 300))

    async def original_side() -> None:
        verdict = await ask_double_critic(caller, data, answer_field, sample=sample, blind=blind)
        out.original = verdict.value
        if verdict.value is None:
            out.failures.append("critic on the original: " + clip("; ".join(verdict.failures), 300))

    await together([original_side(), corrupted_side()])
    return out


async def check_critic(caller: Caller, items: list[Item], answer_field: str, *, blind: bool = False) -> CriticCheck:
    """p from the originals the critic judged, q from the corrupted copies it judged; an item whose critic or
    corrupter gave no usable answer counts in neither (and is reported with the reason)."""
    answers = _answers(items, answer_field)
    checked = list(await together((check_item(caller, item, answer, answer_field, index, blind=blind)
                                          for index, (item, answer) in enumerate(zip(items, answers)))))
    effect = critic_effect([c.original.accepted for c in checked if c.original is not None],
                           [c.corrupted.accepted for c in checked if c.corrupted is not None])
    return CriticCheck(checked, effect)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _verdict(v: DoubleVerdict | None) -> VerdictPart | None:
    if v is None:
        return None
    correct, incorrect = v.words()
    blind = v.solved.reply.result if v.solved is not None else None
    return VerdictPart(accepted=v.accepted, blind_result=blind, correct=correct, incorrect=incorrect,
                       explanations=v.explanations())


def critic_section(check: CriticCheck, answer_field: str, mus: list[float], mu: float) -> CriticSection:
    """The report's `critic` section: p, q, rejection rate, the lift at each mu, and every item's results."""
    e = check.effect
    lifts = []
    for m in mus:
        f = e.filtering(m)
        lifts.append(FilteringAt(mu=m, accepted=_round(f.accepted), accuracy=_round(f.accuracy), lift=_round(f.lift)))
    return CriticSection(
        answer_field=answer_field, items=len(check.items), generator_accuracy=mu,
        p=_round(e.p), q=_round(e.q), separates=e.separates, rejection_rate=_round(e.rejection_rate),
        counts=CriticCounts(correct=e.correct, correct_accepted=e.correct_accepted, corrupted=e.corrupted,
                            corrupted_accepted=e.corrupted_accepted, identical_dropped=check.count("identical"),
                            retried=check.count("retried"), corruption_failed=check.count("corruption_failed"),
                            critic_failed=check.count("critic_failed")),
        filtering=lifts,
        results=[CriticResult(id=c.id, answer=c.answer, original=_verdict(c.original),
                              corrupted_answer=c.corrupted_answer, change=c.change, corrupted=_verdict(c.corrupted),
                              retried=c.retried, dropped=c.dropped, failures=c.failures) for c in check.items])


async def run_critic(context: MeasureContext) -> CriticSection:
    """The double critic's p and q on the items' answers and on corrupted copies; the lift at each mu."""
    settings = context.settings
    answer_field = settings.answer_field or ""
    check = await check_critic(context.caller, context.items, answer_field, blind=settings.blind_solve)
    mus = sorted({settings.generator_accuracy, *LIFT_AT})
    return critic_section(check, answer_field, mus, settings.generator_accuracy)
