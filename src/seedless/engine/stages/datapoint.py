"""One datapoint from its mix: meta-prompt (K drafted, one kept), complexification, generation, then critics."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from seedless.core.dataset.output_format import describe, record_schema
from seedless.core.dataset.record import Lineage, Record, Rejection, Repair, Verdict
from seedless.core.plan.mix import Mix
from seedless.core.replies import ComplexifyReply, MetaPromptsReply, VerdictReply
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.parsing import datapoint_parser
from seedless.engine.llm.prompts import PromptName
from seedless.engine.stages.double_critic import EXPLANATION_CHARS, ask_double_critic
from seedless.spec.models import Role, Spec

META_PROMPT_CHARS = 600
ATTEMPT_STRIDE = 1000  # call samples: slot * stride + attempt, distinct for every try of every slot
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Job:
    """One try at one datapoint slot; `history` holds earlier meta-prompts of the same mix, oldest first."""

    slot: int
    attempt: int
    mix: Mix
    complexify: bool
    history: tuple[str, ...] = ()

    @property
    def sample(self) -> int:
        return self.slot * ATTEMPT_STRIDE + self.attempt


def requirements(mix: Mix) -> list[tuple[str, str]]:
    """(factor, node path below the factor) per taxonomy of the mix."""
    return [(path[0], " > ".join(path[1:]) or path[0]) for path in mix.nodes]


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def choose_meta_prompt(candidates: list[str], mix: Mix, history: tuple[str, ...]) -> str:
    """The selection rule: the candidate that names the most of the mix's nodes (word overlap with each node's
    name); ties go to the one least similar (word Jaccard) to earlier meta-prompts of the same mix; then first."""
    nodes = [_words(path[-1]) for path in mix.nodes]

    def mentions(text: str) -> int:
        words = _words(text)
        return sum(1 for node in nodes if node and node <= words)

    def closeness(text: str) -> float:
        words = _words(text)
        return max((len(words & _words(h)) / max(1, len(words | _words(h))) for h in history), default=0.0)

    ranked = sorted(enumerate(candidates), key=lambda ic: (-mentions(ic[1]), closeness(ic[1]), ic[0]))
    return ranked[0][1]


class DatapointMaker:
    def __init__(self, spec: Spec, caller: Caller):
        self.spec = spec
        self.g = spec.generation
        self.caller = caller
        self.model = caller.bindings[Role.generator].client.identity
        self.schema = record_schema(spec.output)
        self.parse = datapoint_parser(spec.output)
        self.format = describe(spec.output)

    def _base(self, job: Job) -> dict[str, Any]:
        return {"description": self.spec.description.strip(), "requirements": requirements(job.mix),
                "format": self.format}

    async def make(self, job: Job, on_meta_prompt: Callable[[str], None] | None = None) -> Record | Rejection:
        """Accepted datapoint with its lineage, or the rejection with its stage and reason; never raises for
        a bad reply. `on_meta_prompt` hears the kept meta-prompt ("" when none) as soon as it is chosen, so
        later slots of the same mix need not wait for this one's critics."""
        lineage = Lineage(strategy=job.mix.strategy, mix=job.mix.as_dict(), meta_prompt="", model=self.model,
                          slot=job.slot, attempt=job.attempt)
        rid = f"s{job.slot:06d}"

        def reject(stage: str, reason: str, data: dict[str, Any] | None = None) -> Rejection:
            return Rejection(id=f"{rid}-a{job.attempt}", data=data, lineage=lineage, stage=stage,  # type: ignore[arg-type]
                             reason=reason)

        meta = await self._meta_prompt(job)
        if on_meta_prompt is not None:
            on_meta_prompt(meta if isinstance(meta, str) else "")
        if meta is None or isinstance(meta, list):
            return reject("meta_prompt", "; ".join(meta or []))
        lineage.meta_prompt = meta
        if job.complexify:
            harder = await self.caller.structured(
                Role.complexifier, PromptName.complexify, self._base(job) | {"meta_prompt": meta}, ComplexifyReply,
                ComplexifyReply.schema_for(max_chars=META_PROMPT_CHARS), sample=job.sample)
            if harder.value is None:
                return reject("complexify", "; ".join(harder.failures))
            lineage.original_meta_prompt, lineage.complexified = meta, True
            lineage.meta_prompt = " ".join(harder.value.meta_prompt.split())
        schema_text = json.dumps(self.schema, separators=(",", ":")) if self.spec.output.kind == "json_schema" else ""
        made = await self.caller.call(Role.generator, PromptName.generate,
                                      self._base(job) | {"meta_prompt": lineage.meta_prompt, "schema": schema_text},
                                      self.parse, self.schema, sample=job.sample)
        if made.value is None:
            return reject("generate", "; ".join(made.failures))
        data = made.value
        if self.g.requirement_critic:
            data, problem = await self._requirements(job, lineage, data, schema_text)
            if problem:
                return reject("requirements", problem, data)
        if self.g.double_critic and self.spec.output.answer_field:
            reason = await self._double_critic(job, lineage, data)
            if reason:
                return reject("double_critic", reason, data)
        return Record(id=rid, data=data, lineage=lineage)

    async def _meta_prompt(self, job: Job) -> str | list[str] | None:
        """The kept meta-prompt, or the failure reasons."""
        if not self.g.meta_prompt:
            return "Write a datapoint with: " + "; ".join(f"{f}: {p}" for f, p in requirements(job.mix)) + "."
        history = job.history[-self.g.history:] if self.g.history else ()
        result = await self.caller.structured(
            Role.meta_prompter, PromptName.meta_prompt,
            self._base(job) | {"history": list(history), "count": self.g.candidates}, MetaPromptsReply,
            MetaPromptsReply.schema_for(count=self.g.candidates, max_chars=META_PROMPT_CHARS), sample=job.sample)
        if result.value is None:
            return result.failures
        candidates = [" ".join(c.split()) for c in result.value.candidates if c.strip()]
        return choose_meta_prompt(candidates, job.mix, history) if candidates else ["no usable candidate"]

    async def _requirements(self, job: Job, lineage: Lineage, data: dict[str, Any],
                            schema_text: str) -> tuple[dict[str, Any], str | None]:
        """(the last version of the datapoint, None when it passed, else why it did not)."""
        for round_ in range(self.g.max_repairs + 1):
            shown = json.dumps(data, ensure_ascii=False)
            result = await self.caller.structured(
                Role.critic, PromptName.critic_requirements,
                self._base(job) | {"meta_prompt": lineage.meta_prompt, "datapoint": shown}, VerdictReply,
                VerdictReply.schema_for(max_chars=EXPLANATION_CHARS), sample=job.sample)
            if result.value is None:
                return data, "the requirement critic gave no usable verdict: " + "; ".join(result.failures)
            explanation = " ".join(result.value.explanation.split())
            passed = result.value.verdict == "pass"
            lineage.verdicts.append(Verdict(critic="requirements", passed=passed, explanation=explanation,
                                            attempt=round_))
            if passed:
                return data, None
            if round_ == self.g.max_repairs:
                return data, f"failed the requirement critic after {round_} repair(s): {explanation}"
            repaired = await self.caller.call(
                Role.generator, PromptName.repair_datapoint,
                self._base(job) | {"meta_prompt": lineage.meta_prompt, "datapoint": shown, "explanation": explanation,
                                   "schema": schema_text}, self.parse, self.schema, sample=job.sample)
            if repaired.value is None:
                return data, "the repair gave no valid datapoint: " + "; ".join(repaired.failures)
            lineage.repairs.append(Repair(attempt=round_ + 1, reason=explanation))
            data = repaired.value
        raise AssertionError("unreachable")

    async def _double_critic(self, job: Job, lineage: Lineage, data: dict[str, Any]) -> str | None:
        """None when accepted: 'is it correct?' yes and 'is it incorrect?' no, asked independently."""
        result = await ask_double_critic(self.caller, data, self.spec.output.answer_field or "", sample=job.sample)
        if result.value is None:
            return "the double critic gave no usable answer: " + "; ".join(result.failures)
        verdict = result.value
        lineage.verdicts += [
            Verdict(critic="double_correct", passed=verdict.said_correct, explanation=verdict.correct.explanation),
            Verdict(critic="double_incorrect", passed=not verdict.said_incorrect,
                    explanation=verdict.incorrect.explanation)]
        if verdict.accepted:
            return None
        return (f"double critic: 'is it correct?' {verdict.correct.answer}, 'is it incorrect?' "
                f"{verdict.incorrect.answer}")
