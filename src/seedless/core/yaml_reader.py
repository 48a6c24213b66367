"""Reading hand-edited YAML files node by node, collecting every problem with its file, line and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path as FsPath
from typing import TypeVar

import yaml

from seedless.core.taxonomy.tree import name_key
from seedless.spec.loader import SpecError, SpecProblem, compose_yaml, read_yaml_text

T = TypeVar("T")


class YamlReader:
    """Base of the taxonomy and strategies readers: problems accumulate; the caller raises them together."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[SpecProblem] = []

    def fail(self, node: yaml.Node, field: str, message: str) -> None:
        self.problems.append(SpecProblem(self.file, node.start_mark.line + 1, field, message))

    def text(self, node: yaml.Node, field: str) -> str | None:
        """A non-empty scalar with its spacing folded, or None with a problem recorded."""
        if isinstance(node, yaml.ScalarNode) and node.value is not None and str(node.value).strip():
            return " ".join(str(node.value).split())
        self.fail(node, field, "expected a non-empty text")
        return None

    def distinct(self, seq: yaml.SequenceNode, field: str, read: Callable[[yaml.Node, str], T | None],
                 name: Callable[[T], str], what: str, at_name: bool = False) -> list[T]:
        """Read each item of a list; an item whose name repeats an earlier one (case and spacing ignored) is a
        problem ("duplicate WHAT 'name'", at the item or, with `at_name`, at its name) and is left out."""
        out: list[T] = []
        seen: set[str] = set()
        for i, item in enumerate(seq.value):
            value = read(item, f"{field}[{i}]")
            if value is None:
                continue
            key = name_key(name(value))
            if key in seen:
                self.fail(item, f"{field}[{i}]" + (".name" if at_name else ""), f"duplicate {what} '{name(value)}'")
                continue
            seen.add(key)
            out.append(value)
        return out


def compose(text: str, file: str, error: type[SpecError]) -> yaml.Node | None:
    """The YAML node tree, or `error` naming the line of a syntax error, of too deep a nesting or of aliases that
    expand past the bound: the spec loader's one reader of user YAML."""
    return compose_yaml(text, file, error)


def read_text(path: FsPath, error: type[SpecError]) -> str:
    """The file's text (UTF-8, or with a byte-order mark), or `error` naming the file (and line)."""
    return read_yaml_text(path, error)
