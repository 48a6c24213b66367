"""The meta-prompt step: K candidate scenarios for the mix, one kept by the documented rule (or a fixed text)."""

from __future__ import annotations

import re
from typing import Any

from seedless.core.calls import META_PROMPT, CallSite
from seedless.core.estimate import StepLoad
from seedless.core.plan.mix import Mix
from seedless.core.replies import MetaPromptsReply
from seedless.engine.llm.caller import Caller
from seedless.engine.stages.datapoint.step import Context, Draft, Step, requirements
from seedless.spec.models import Role, Spec

META_PROMPT_CHARS = 600
_WORD = re.compile(r"[a-z0-9]+")


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


def fixed_meta_prompt(mix: Mix) -> str:
    """The meta-prompt when the step's model call is switched off: the requirements, stated."""
    return "Write a datapoint with: " + "; ".join(f"{f}: {p}" for f, p in requirements(mix)) + "."


class MetaPromptStep(Step):
    name = "meta_prompt"
    calls = (META_PROMPT,)
    summary = ("Local diversification: K candidate scenarios per mix, one kept by the documented rule; earlier "
               "meta-prompts of the same mix (same stream) in context so repeats diverge.")
    settings = "generation.meta_prompt, generation.candidates, generation.history"
    reads = ("mix of the slot", "earlier meta-prompts of the same mix")
    writes = ("lineage.meta_prompt",)

    def can_reject(self, spec: Spec) -> bool:
        return spec.generation.meta_prompt

    def _history(self, draft: Draft, spec: Spec) -> tuple[str, ...]:
        keep = spec.generation.history
        return draft.job.history[-keep:] if keep else ()

    def variables(self, site: CallSite, draft: Draft, ctx: Context) -> dict[str, Any]:
        return ctx.base(draft) | {"history": list(self._history(draft, ctx.spec)),
                                  "count": ctx.spec.generation.candidates}

    async def run(self, draft: Draft, ctx: Context, caller: Caller) -> str | None:
        g = ctx.spec.generation
        if not g.meta_prompt:
            draft.lineage.meta_prompt = fixed_meta_prompt(draft.job.mix)
            return None
        reply_type = MetaPromptsReply.bounded(
            count=g.candidates, max_chars=caller.text_cap(Role.meta_prompter, META_PROMPT_CHARS))
        result = await caller.ask(META_PROMPT, self.variables(META_PROMPT, draft, ctx), reply_type,
                                  sample=draft.job.sample)
        if result.value is None:
            return "; ".join(result.failures)
        candidates = [" ".join(c.split()) for c in result.value.candidates if c.strip()]
        if not candidates:
            return "no usable candidate"
        draft.lineage.meta_prompt = choose_meta_prompt(candidates, draft.job.mix, self._history(draft, ctx.spec))
        return None

    def load(self, spec: Spec, acceptance: float) -> StepLoad:
        return StepLoad(self.name, {META_PROMPT.name: 1.0 if spec.generation.meta_prompt else 0.0}, 1.0)
