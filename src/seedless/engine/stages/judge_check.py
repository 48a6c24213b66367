"""The judge check: the double critic on known-correct datapoints and corrupted copies before bulk generation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedless.core.dataset.output_format import validate_record
from seedless.core.dataset.record import JudgeFigures
from seedless.core.estimate import judge_check_items
from seedless.engine.evaluation.critic import CriticCheck, check_critic
from seedless.engine.evaluation.items import Item
from seedless.engine.session import Session
from seedless.engine.stages.factors import StageError
from seedless.engine.store.jsonl import read_objects
from seedless.engine.store.rundir import RunDir
from seedless.spec.loader import SpecError, SpecProblem, spec_folder, spec_problem
from seedless.spec.models import Role, Spec


class JudgeCheckFailed(StageError):
    """The judge could not tell correct answers from corrupted ones and the spec asked to stop."""


@dataclass
class JudgeCheckOutcome:
    """The check's figures (None when it did not run), why it did not run, and what the user should hear."""

    figures: JudgeFigures | None
    skipped: str | None = None
    check: CriticCheck | None = None

    @property
    def message(self) -> str:
        if self.figures is None:
            return f"judge check skipped: {self.skipped}"
        return self.figures.summary()


def known_items(spec: Spec) -> list[Item]:
    """The known-correct datapoints: generation.judge_check.items (JSONL, each checked against the output format,
    problems as FILE:LINE), else the spec's samples that are objects with the answer field; at most `size`."""
    settings, answer = spec.generation.judge_check, spec.output.answer_field or ""
    items: list[Item] = []
    if settings.items is not None:
        path = settings.items if settings.items.is_absolute() else spec_folder(spec) / settings.items
        if not path.is_file():
            raise StageError(spec_problem(spec, ("generation", "judge_check", "items"), f"{path}: no such file"))
        for n, obj in read_objects(path, StageError):
            data, reason = validate_record(spec.output, obj)
            if data is None or answer not in obj:
                raise StageError(f"{path}:{n}: not a datapoint of the output format with its answer field "
                                 f"{answer!r}: {reason or 'no answer field'}")
            items.append(Item(f"{path.name}:{n}", "", data))
            if len(items) >= settings.size:
                break
        return items
    for i, sample in enumerate(spec.samples):
        if isinstance(sample, dict) and answer in sample:
            data, _ = validate_record(spec.output, sample)
            if data is not None:
                items.append(Item(f"sample {i + 1}", "", data))
        if len(items) >= settings.size:
            break
    return items


def check_items(spec: Spec) -> None:
    """SpecError when generation.judge_check.items is set and is not a readable JSONL of datapoints of the output
    format with their answer field (the spec's line, then FILE:LINE of the bad datapoint); for `validate` and every
    command before any model is started. Nothing when unset."""
    if spec.generation.judge_check.items is None:
        return
    try:
        known_items(spec)
    except StageError as exc:
        problem = exc.args[0] if isinstance(exc.args[0], SpecProblem) else None
        raise SpecError([problem or spec_problem(spec, ("generation", "judge_check", "items"), str(exc))]) from None


def why_not(spec: Spec) -> str | None:
    """Why the check cannot run under `spec` (None: it runs)."""
    settings = spec.generation.judge_check
    if not settings.enabled:
        return "generation.judge_check.enabled is false"
    if not (spec.generation.double_critic and spec.output.answer_field):
        return "no double critic (it needs output.answer_field and generation.double_critic)"
    if judge_check_items(spec) == 0:
        return (f"no known-correct datapoints: give samples with the answer field "
                f"'{spec.output.answer_field}', or generation.judge_check.items (a JSONL file)")
    return None


def figures_of(check: CriticCheck, model: str, min_gap: float) -> JudgeFigures:
    e = check.effect
    gap = None if e.p is None or e.q is None else e.p - e.q
    return JudgeFigures(model=model, p=e.p, q=e.q, correct=e.correct, corrupted=e.corrupted, min_gap=min_gap,
                        passed=gap is not None and gap >= min_gap - 1e-9)


def failure_message(spec: Spec, figures: JudgeFigures, check: CriticCheck | None = None) -> str:
    """What went wrong and what to do: a stronger model for the judge role, or the setting that goes on; when the
    blind solve rejected known-correct answers, that the judge cannot solve these tasks itself."""
    if figures.gap is None:
        why = "the check could not be measured (no corrupted copy or no original was judged)"
    else:
        why = "the judge cannot tell correct answers from corrupted ones"
    blind = sum(1 for c in (check.items if check else []) if c.original and c.original.solved
                and c.original.solved.rejects)
    unsolved = (f" Its blind solve missed {blind} of the {figures.correct} known-correct answers: it cannot solve "
                f"these tasks itself (generation.blind_solve: false accepts more, and more wrong answers)."
                if blind else "")
    return (f"{figures.summary()}: {why}.{unsolved} Give the role 'judge' a stronger model (models.roles.judge."
            f"endpoint: an endpoint with kind: embedded, model: qwen2.5-coder-1.5b, or a server), or set "
            f"generation.judge_check.on_fail: warn to generate anyway.")


def write_figures(path: Path, outcome: JudgeCheckOutcome) -> None:
    """judge_check.json: the figures and every item's verdicts, or why the check did not run."""
    body: dict[str, Any] = {"skipped": outcome.skipped}
    if outcome.figures is not None:
        body = outcome.figures.model_dump(mode="json") | {"gap": outcome.figures.gap}
    if outcome.check is not None:
        body["items"] = [{"id": c.id, "answer": c.answer, "accepted": c.original and c.original.accepted,
                          "corrupted_answer": c.corrupted_answer, "change": c.change,
                          "corrupted_accepted": c.corrupted and c.corrupted.accepted, "dropped": c.dropped}
                         for c in outcome.check.items]
    RunDir.write_atomic(path, json.dumps(body, ensure_ascii=False, indent=2) + "\n")


async def judge_check_step(session: Session) -> JudgeCheckOutcome:
    """Run the check (its calls are stored, so a rerun costs nothing), write judge_check.json, and raise
    JudgeCheckFailed when p - q is below min_gap and on_fail is stop."""
    spec = session.spec
    skipped = why_not(spec)
    if skipped is not None:
        outcome = JudgeCheckOutcome(None, skipped)
        write_figures(session.run.judge_check, outcome)
        return outcome
    items = known_items(spec)
    check = await check_critic(session.caller, items, spec.output.answer_field or "", blind=spec.generation.blind_solve)
    model = session.endpoints.identities([Role.judge])[Role.judge.value]
    outcome = JudgeCheckOutcome(figures_of(check, model, spec.generation.judge_check.min_gap), check=check)
    write_figures(session.run.judge_check, outcome)
    if outcome.figures is not None and not outcome.figures.passed and spec.generation.judge_check.on_fail == "stop":
        raise JudgeCheckFailed(failure_message(spec, outcome.figures, outcome.check))
    return outcome
