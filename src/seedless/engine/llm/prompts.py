"""Prompt templates, one file per model-call site (core/calls.py); the file's stem is the call site's stable name."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from seedless.core.calls import CallSite

PROMPT_DIR = Path(__file__).parent / "prompts"
_MARK = re.compile(r"^=== (system|user|assistant) ===$", re.MULTILINE)


@lru_cache(maxsize=8)
def _env(folder: Path = PROMPT_DIR) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder), undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False, autoescape=False,
    )


def template_path(site: CallSite) -> Path:
    """The template a call site renders: its own file when it names one, else the packaged <name>.j2."""
    return site.template or PROMPT_DIR / f"{site.name}.j2"


def render(site: CallSite, variables: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Render a call site's template into chat messages. The text before the first `=== role ===` line is the
    system message; each `=== user ===` / `=== assistant ===` line starts a turn (worked examples, then the ask)."""
    path = template_path(site)
    text = _env(path.parent).get_template(path.name).render(**variables)
    parts = _MARK.split(text)
    messages = [("system", parts[0].strip())] if parts[0].strip() else []
    messages += [(role, body.strip()) for role, body in zip(parts[1::2], parts[2::2])]
    return tuple(messages)


def render_repair(reason: str, schema: str) -> str:
    return _env().get_template("repair.j2").render(reason=reason, schema=schema).strip()
