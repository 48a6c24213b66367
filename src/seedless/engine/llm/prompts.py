"""Prompt templates, one file per model-call site; the file's stem is the stable name shared by caches, logs, costs."""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

PROMPT_DIR = Path(__file__).parent / "prompts"
_MARK = re.compile(r"^=== (system|user|assistant) ===$", re.M)


class PromptName(str, Enum):
    factors = "factors"
    taxonomy_propose = "taxonomy_propose"
    taxonomy_critic = "taxonomy_critic"
    level_plan = "level_plan"
    strategies = "strategies"
    meta_prompt = "meta_prompt"
    complexify = "complexify"
    generate = "generate"
    repair_datapoint = "repair_datapoint"
    critic_requirements = "critic_requirements"
    judge_correct = "judge_correct"
    judge_incorrect = "judge_incorrect"
    coverage_assign = "coverage_assign"
    complexity_batch = "complexity_batch"
    taxonomy_judge = "taxonomy_judge"
    corrupt_answer = "corrupt_answer"


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPT_DIR), undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False, autoescape=False,
    )


def render(name: PromptName, variables: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Render a call site's template into chat messages. The text before the first `=== role ===` line is the
    system message; each `=== user ===` / `=== assistant ===` line starts a turn (worked examples, then the ask)."""
    text = _env().get_template(f"{name.value}.j2").render(**variables)
    parts = _MARK.split(text)
    messages = [("system", parts[0].strip())] if parts[0].strip() else []
    messages += [(role, body.strip()) for role, body in zip(parts[1::2], parts[2::2])]
    return tuple(messages)


def render_repair(reason: str, schema: str) -> str:
    return _env().get_template("repair.j2").render(reason=reason, schema=schema).strip()
