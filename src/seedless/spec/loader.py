"""Load a spec file into a typed Spec, or report every problem at once with file, line and field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


import yaml
from pydantic import ValidationError

from seedless.spec.checks import cross_check
from seedless.spec.models import Spec

Loc = tuple[str | int, ...]
_UNION_TAGS = {"embedded", "openai", "fake", "str", "int", "float", "bool", "list", "dict"}


@dataclass(frozen=True)
class SpecProblem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field or '(top level)'}: {self.message}"


class SpecError(Exception):
    """A spec that cannot be used; `problems` lists every one found."""

    def __init__(self, problems: list[SpecProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _line_map(node: yaml.Node, path: Loc, out: dict[Loc, int]) -> None:
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = path + (str(key.value),)
            out[sub] = key.start_mark.line + 1
            _line_map(value, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, path + (i,), out)


def _locate(loc: Loc, lines: dict[Loc, int]) -> tuple[str, int | None]:
    """Map a pydantic error location onto the YAML path and line (skipping union tags and '[key]')."""
    matched: list[str | int] = []
    for part in loc:
        candidate = tuple(matched) + (part,)
        if candidate in lines:
            matched.append(part)
        elif isinstance(part, str) and ("[" in part or part in _UNION_TAGS):
            continue  # pydantic names the union member or dict key it tried: not part of the YAML path
        elif isinstance(part, str) and not part.startswith("function"):
            matched.append(part)
    field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in matched).replace(".[", "[")
    line = None
    for n in range(len(matched), -1, -1):
        if tuple(matched[:n]) in lines:
            line = lines[tuple(matched[:n])]
            break
    return field, line


def parse_spec(text: str, file: str = "<spec>") -> Spec:
    """Validate spec text; raise SpecError listing every problem."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise SpecError([SpecProblem(file, line, "", f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from None
    if not isinstance(data, dict):
        raise SpecError([SpecProblem(file, 1, "", "a spec is a YAML mapping (key: value lines)")])
    lines: dict[Loc, int] = {}
    if root is not None:
        _line_map(root, (), lines)
    problems: list[SpecProblem] = []
    spec: Spec | None = None
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            field, line = _locate(tuple(err["loc"]), lines)
            message = "unknown key (not a setting)" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append(SpecProblem(file, line, field, message))
    for loc, message in cross_check(data):
        field, line = _locate(loc, lines)
        problems.append(SpecProblem(file, line, field, message))
    if problems or spec is None:
        problems.sort(key=lambda p: (p.line or 0, p.field))
        raise SpecError(problems)
    return spec


def load_spec(path: str | Path) -> Spec:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError([SpecProblem(str(path), None, "", f"cannot read the file: {exc.strerror}")]) from None
    return parse_spec(text, str(path))


