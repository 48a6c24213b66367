"""Load a spec file into a typed Spec, or report every problem at once with file, line and field."""

from __future__ import annotations

import codecs
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from seedless.spec.checks import cross_check
from seedless.spec.models import NotANumber, Spec

Loc = tuple[str | int, ...]
_UNION_TAGS = {"embedded", "openai", "fake", "str", "int", "float", "bool", "list", "dict"}
MAX_DEPTH = 64  # nesting levels of a YAML document (a taxonomy of depth 8 uses about 20)
MAX_ALIAS_NODES = 100_000  # nodes that aliases may add when expanded (nine levels of nine aliases: 387 million)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


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


class _Limit(yaml.MarkedYAMLError):
    """A document past a bound of the reader (nesting, alias expansion): reported as is, not as a syntax error."""


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader with nesting depth and alias expansion bounded, and aliases into their own node refused, so
    that every walk of the node tree is bounded by the file's size."""

    def __init__(self, text: str):
        super().__init__(text)
        self._depth = 0
        self._sizes: dict[int, int] = {}  # node id -> nodes in it, aliases expanded
        self._expanded = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is not None:
                if id(target) not in self._sizes:
                    raise _Limit(None, None, f"the alias *{event.anchor} is inside the node it names", event.start_mark)
                self._expanded += self._sizes[id(target)]
                if self._expanded > MAX_ALIAS_NODES:
                    raise _Limit(None, None, f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes (refused: "
                                 "an alias bomb?)", event.start_mark)
            return super().compose_node(parent, index)
        if self._depth >= MAX_DEPTH:
            raise _Limit(None, None, f"nested too deeply (more than {MAX_DEPTH} levels)", event.start_mark)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        children = node.value if isinstance(node, yaml.SequenceNode) else (
            [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else [])
        self._sizes[id(node)] = 1 + sum(self._sizes.get(id(c), 1) for c in children)
        return node


def _yaml_problem(exc: yaml.YAMLError, text: str, file: str) -> SpecProblem:
    if isinstance(exc, yaml.reader.ReaderError):
        return SpecProblem(file, text.count("\n", 0, exc.position) + 1, "",
                           f"not valid YAML: the character #x{exc.character:04x} is not allowed in YAML text")
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    message = str(exc.problem) if isinstance(exc, _Limit) else f"not valid YAML: {getattr(exc, 'problem', exc)}"
    return SpecProblem(file, line, "", message)


def _load(text: str, file: str, error: type[SpecError], construct: bool) -> tuple[yaml.Node | None, Any]:
    try:
        loader = _BoundedLoader(text)  # the reader checks every character first
        try:
            root = loader.get_single_node()
            return root, (loader.construct_document(root) if construct and root is not None else None)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise error([_yaml_problem(exc, text, file)]) from None


def compose_yaml(text: str, file: str, error: type[SpecError] = SpecError) -> yaml.Node | None:
    """The YAML node tree of any file the user hands us (bounded: see _BoundedLoader), or `error` with the line."""
    return _load(text, file, error, construct=False)[0]


def load_yaml(text: str, file: str, error: type[SpecError] = SpecError) -> Any:
    """The data of a YAML document (mappings, lists, scalars), read with the same bounds as compose_yaml."""
    return _load(text, file, error, construct=True)[1]


def decode_text(raw: bytes, file: str, error: type[SpecError] = SpecError) -> str:
    """The text of a file: UTF-8, or UTF-16/UTF-32/UTF-8 with a byte-order mark; anything else is `error` naming the
    file (and the line of the first byte that is not UTF-8)."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(codec)
            except UnicodeDecodeError:
                raise error([SpecProblem(file, None, "", f"not valid {codec.upper()[:6]} text after its byte-order "
                                         "mark; save the file as UTF-8")]) from None
    if b"\x00" in raw:
        raise error([SpecProblem(file, None, "", "not a text file (UTF-8 expected)")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise error([SpecProblem(file, line, "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file "
                                 "as UTF-8")]) from None


def read_yaml_text(path: Path, error: type[SpecError] = SpecError) -> str:
    """The text of a YAML file the user hands us (spec, taxonomy.yaml, strategies.yaml), or `error`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error([SpecProblem(str(path), None, "", f"cannot read the file: {exc.strerror}")]) from None
    return decode_text(raw, str(path), error)


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


def line_map(root: yaml.Node | None) -> dict[Loc, int]:
    """The line of every key and item of a document, by its path from the root (keys as text, items by index)."""
    lines: dict[Loc, int] = {}
    if root is not None:
        _line_map(root, (), lines)
    return lines


def locate(loc: Loc, lines: dict[Loc, int]) -> tuple[str, int | None]:
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


def spec_problem(spec: Spec, loc: Loc, message: str) -> SpecProblem:
    """A problem at `loc` of a spec found after loading (e.g. its strategies against the taxonomies): with the
    spec's file and line when it was read by this module."""
    file, lines = spec._source if spec._source is not None else ("the spec", {})
    field, line = locate(loc, lines)
    return SpecProblem(file, line, field, message)


def spec_folder(spec: Spec) -> Path:
    """The folder that relative paths in a spec (prompts.dir) start from: the spec file's, else the working one."""
    return Path(spec._source[0]).parent if spec._source is not None else Path(".")


def parse_spec(text: str, file: str = "<spec>", *, clients: Collection[str] = ()) -> Spec:
    """Validate spec text; raise SpecError listing every problem. `clients`: endpoint names the caller supplies
    as clients (the Python API's `clients=`), which roles and models.default may name without declaring them."""
    root, data = _load(text, file, SpecError, construct=True)
    if not isinstance(data, dict):
        raise SpecError([SpecProblem(file, 1, "", "a spec is a YAML mapping (key: value lines)")])
    lines = line_map(root)
    problems: list[SpecProblem] = []
    spec: Spec | None = None
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            field, line = locate(tuple(err["loc"]), lines)
            message = "unknown key (not a setting)" if err["type"] == "extra_forbidden" else err["msg"]
            if isinstance(err.get("input"), NotANumber):
                message += f", not {err['input']!r}"
            problems.append(SpecProblem(file, line, field, message))
    for loc, message in cross_check(data, clients):
        field, line = locate(loc, lines)
        problems.append(SpecProblem(file, line, field, message))
    if problems or spec is None:
        problems.sort(key=lambda p: (p.line or 0, p.field))
        raise SpecError(problems)
    spec._source = (file, lines)
    return spec


def load_spec(path: str | Path, *, clients: Collection[str] = ()) -> Spec:
    path = Path(path)
    return parse_spec(read_yaml_text(path), str(path), clients=clients)
