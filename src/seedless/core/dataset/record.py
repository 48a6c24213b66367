"""A generated datapoint with its lineage: the mix, strategy, meta-prompt, complexification, model, verdicts."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Verdict(BaseModel):
    """One critic's judgement of a datapoint."""

    model_config = ConfigDict(extra="forbid")
    critic: str  # requirements, blind_solve, double_correct, double_incorrect, or a plugin step's name
    passed: bool
    explanation: str = ""
    attempt: int = Field(0, ge=0, description="0: the first draft; k: after the k-th repair.")


class Repair(BaseModel):
    model_config = ConfigDict(extra="forbid")
    attempt: int = Field(..., ge=1)
    reason: str = Field(..., description="The critic's explanation the repair was asked to fix.")


class JudgeFigures(BaseModel):
    """The judge check a run made before generating: how often the double critic accepted known-correct
    datapoints (p) and corrupted copies of them (q), and with which model."""

    model_config = ConfigDict(extra="forbid")
    model: str = Field(..., description="The judge role's model identity.")
    p: float | None = Field(None, description="Share of known-correct datapoints accepted.")
    q: float | None = Field(None, description="Share of corrupted copies accepted.")
    correct: int = Field(0, ge=0, description="Known-correct datapoints judged.")
    corrupted: int = Field(0, ge=0, description="Corrupted copies judged.")
    min_gap: float = Field(..., description="The p - q the spec asked for.")
    passed: bool

    @property
    def gap(self) -> float | None:
        return None if self.p is None or self.q is None else self.p - self.q

    def summary(self) -> str:
        """One line: p, q and the gap with their counts."""
        def share(x: float | None, n: int) -> str:
            return "n/a" if x is None else f"{x:.2f} ({round(x * n)}/{n})"
        gap = self.gap
        return (f"judge check ({self.model}): p = {share(self.p, self.correct)} of known-correct answers accepted, "
                f"q = {share(self.q, self.corrupted)} of corrupted ones; p - q = "
                f"{'n/a' if gap is None else f'{gap:.2f}'} (at least {self.min_gap:.2f} asked)")


class Lineage(BaseModel):
    """Why a datapoint exists."""

    model_config = ConfigDict(extra="forbid")
    strategy: str
    mix: dict[str, list[str]] = Field(..., description="Factor name -> node path from the root.")
    meta_prompt: str
    complexified: bool = False
    original_meta_prompt: str | None = Field(None, description="The meta-prompt before complexification.")
    model: str
    verdicts: list[Verdict] = Field(default_factory=list)
    repairs: list[Repair] = Field(default_factory=list)
    slot: int = Field(..., ge=0, description="The datapoint's seeded slot: its mix and complexification flag.")
    attempt: int = Field(0, ge=0, description="Which try of the slot this is.")
    judge_check: JudgeFigures | None = Field(None, description="The run's judge check when the datapoint was made.")


class Record(BaseModel):
    """One line of dataset.jsonl: {"id", "data", "lineage"}."""

    model_config = ConfigDict(extra="forbid")
    id: str
    data: dict[str, Any]
    lineage: Lineage


class Rejection(BaseModel):
    """One line of rejected.jsonl: what was rejected, by which critic, and why."""

    model_config = ConfigDict(extra="forbid")
    id: str
    data: dict[str, Any] | None
    lineage: Lineage
    stage: str  # the datapoint step that rejected it (engine/stages/datapoint/registry.py)
    reason: str
