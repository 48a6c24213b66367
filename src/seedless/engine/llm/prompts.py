"""Prompt templates, one file per model-call site (core/calls.py); the file's stem is the call site's stable name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from seedless.core.calls import CALL_SITES, CallSite
from seedless.spec.loader import SpecError, SpecProblem, decode_text, spec_folder, spec_problem
from seedless.spec.models import PromptSettings, Spec

PROMPT_DIR = Path(__file__).parent / "prompts"
EXAMPLES = "examples"  # the variable a template tests (`{% if examples %}`) to show its worked-example turns
_MARK = re.compile(r"^=== (system|user|assistant) ===$", re.MULTILINE)


@lru_cache(maxsize=8)
def _env(folder: Path = PROMPT_DIR) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder), undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False, autoescape=False,
    )


@lru_cache(maxsize=128)
def _compiled(folder: Path, text: str) -> jinja2.Template:
    """A template by its text: an edited file is compiled again, an unchanged one once."""
    return _env(folder).from_string(text)


def template_path(site: CallSite, folder: Path | None = None) -> Path:
    """The template a call site renders: the user's <folder>/<name>.j2 when there is one, else the site's own file
    when it names one, else the packaged <name>.j2."""
    if folder is not None and (folder / f"{site.name}.j2").is_file():
        return folder / f"{site.name}.j2"
    return site.template or PROMPT_DIR / f"{site.name}.j2"


def render(site: CallSite, variables: dict[str, Any], *, examples: bool = True,
           folder: Path | None = None) -> tuple[tuple[str, str], ...]:
    """Render a call site's template into chat messages. The text before the first `=== role ===` line is the
    system message; each `=== user ===` / `=== assistant ===` line starts a turn (worked examples, shown when
    `examples`, then the ask). `folder`: the user's override templates (prompts.dir)."""
    path = template_path(site, folder)
    text = _compiled(path.parent, path.read_text(encoding="utf-8")).render({EXAMPLES: examples} | variables)
    parts = _MARK.split(text)
    messages = [("system", parts[0].strip())] if parts[0].strip() else []
    messages += [(role, body.strip()) for role, body in zip(parts[1::2], parts[2::2])]
    return tuple(messages)


def render_repair(reason: str, schema: str) -> str:
    return _env().get_template("repair.j2").render(reason=reason, schema=schema).strip()


@dataclass(frozen=True)
class Templates:
    """spec.prompts resolved: the override folder (absolute, or None) and the worked-examples setting."""

    settings: PromptSettings = field(default_factory=PromptSettings)
    folder: Path | None = None

    @classmethod
    def of(cls, spec: Spec) -> Templates:
        folder = spec.prompts.dir
        return cls(spec.prompts, (spec_folder(spec) / folder).resolve() if folder else None)

    def render(self, site: CallSite, variables: dict[str, Any], kind: str) -> tuple[tuple[str, str], ...]:
        """A call's messages for an endpoint of `kind` (the examples follow `prompts.examples`)."""
        return render(site, variables, examples=self.settings.examples_for(kind), folder=self.folder)


def _variables(text: str, folder: Path) -> set[str]:
    return set(meta.find_undeclared_variables(_env(folder).parse(text)))


def _line_of(name: str, text: str) -> int | None:
    word = re.compile(rf"\b{re.escape(name)}\b")
    return next((i for i, line in enumerate(text.splitlines(), 1) if word.search(line)), None)


def override_problems(folder: Path) -> list[SpecProblem]:
    """Every problem of an override folder: a .j2 file that names no call site, that is not valid Jinja, or that
    uses a variable the call site's packaged template does not have (so the caller never gives it)."""
    problems: list[SpecProblem] = []
    for path in sorted(folder.glob("*.j2")):
        site = CALL_SITES.get(path.stem)
        if site is None:
            problems.append(SpecProblem(str(path), None, "prompts.dir", f"'{path.stem}' is not a call site (known: "
                                        f"{', '.join(sorted(CALL_SITES))})"))
            continue
        try:
            text = decode_text(path.read_bytes(), str(path))
            used = _variables(text, folder)
        except SpecError as exc:
            problems += exc.problems
            continue
        except OSError as exc:
            problems.append(SpecProblem(str(path), None, "prompts.dir", f"cannot read the file: {exc.strerror}"))
            continue
        except jinja2.TemplateSyntaxError as exc:
            problems.append(SpecProblem(str(path), exc.lineno, "prompts.dir", f"not a valid Jinja template: {exc.message}"))
            continue
        packaged = template_path(site)
        allowed = _variables(packaged.read_text(encoding="utf-8"), packaged.parent) | {EXAMPLES}
        for name in sorted(used - allowed):
            problems.append(SpecProblem(str(path), _line_of(name, text), "prompts.dir", f"uses the variable '{name}', which "
                                        f"the call site {site.name} does not give (it gives: "
                                        f"{', '.join(sorted(allowed))})"))
    return problems


def check_prompts(spec: Spec) -> None:
    """SpecError listing every problem of the spec's prompts.dir (see override_problems); nothing when unset."""
    folder = Templates.of(spec).folder
    if folder is None:
        return
    if not folder.is_dir():
        raise SpecError([spec_problem(spec, ("prompts", "dir"), f"{folder} is not a folder")])
    problems = override_problems(folder)
    if problems:
        raise SpecError(problems)
