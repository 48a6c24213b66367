"""Comments a user wrote in taxonomy.yaml (found by ruamel.yaml's scanner), carried onto the same nodes in a rewrite."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.tokens import CommentToken

from seedless.core.taxonomy.tree import name_key
from seedless.core.yaml_reader import compose
from seedless.spec.loader import SpecError

# Where a comment belongs: a node (its path as name keys) and the line of it ("node": the line the node starts
# on; "description", "children", "depth": that key's line), or, with the empty path, the top of the file
# ("top"), the `factors:` line ("factors") or the end of the factors section ("end").
Anchor = tuple[tuple[str, ...], str]
TOP: Anchor = ((), "top")
FACTORS: Anchor = ((), "factors")
END: Anchor = ((), "end")
SECTION = re.compile(r"[A-Za-z_][\w-]*[ \t]*:(\s|$)")  # a top-level key, as `provenance:`
FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # for seedless's own text only: user text takes the guards


@dataclass(frozen=True)
class Comment:
    line: int  # 0-based
    text: str  # from '#' to the end of the line
    inline: bool  # after something else on its line


def comments(text: str) -> list[Comment]:
    """Every comment of `text`, in line order; none when ruamel.yaml cannot scan it."""
    lines = text.splitlines()
    found: dict[int, Comment] = {}
    try:
        tokens = list(YAML().scan(text))
    except (YAMLError, AssertionError):  # ruamel.yaml asserts on comment layouts it does not expect
        return []
    pending: list[object] = [t.comment for t in tokens if t.comment]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(x for x in item if x)
        elif isinstance(item, CommentToken) and item.start_mark is not None:
            first = item.start_mark.line - item.value.startswith("\n")  # a leading break ends the line before
            for k, piece in enumerate(item.value.split("\n")):
                line = first + k
                note = piece.strip()
                if not note.startswith("#") or line >= len(lines):
                    continue
                column = lines[line].rfind(note)
                if column < 0 or lines[line][column:].rstrip() != note:
                    continue  # not where the scanner said: leave it rather than misplace it
                found.setdefault(line, Comment(line, note, bool(lines[line][:column].strip())))
    return [found[n] for n in sorted(found)]


def _walk(item: yaml.Node, parent: tuple[str, ...], out: dict[int, Anchor]) -> None:
    """Record the line each node of a factors tree starts on, and its keys' lines, the first anchor a line wins."""
    if isinstance(item, yaml.ScalarNode):
        name = " ".join(str(item.value).split())
        if name:
            out.setdefault(item.start_mark.line, (parent + (name_key(name),), "node"))
        return
    if not isinstance(item, yaml.MappingNode):
        return
    values = {str(k.value): (k, v) for k, v in item.value}
    name_node = values.get("name", (None, None))[1]
    if not isinstance(name_node, yaml.ScalarNode) or not str(name_node.value).strip():
        return
    path = parent + (name_key(str(name_node.value)),)
    out.setdefault(item.start_mark.line, (path, "node"))
    for key, (knode, _) in values.items():
        out.setdefault(knode.start_mark.line, (path, key))
    children = values.get("children", (None, None))[1]
    if isinstance(children, yaml.SequenceNode):
        for child in children.value:
            _walk(child, path, out)


@dataclass
class _Layout:
    anchors: dict[int, Anchor]  # line -> the anchor starting there
    factors: int | None  # the `factors:` line
    end: int  # the first line after the factors section
    open_lines: set[int]  # lines a scalar continues past: nothing may be appended to them


def _layout(text: str, ours: bool = False) -> _Layout | None:
    try:
        doc = yaml.compose(text, Loader=FAST) if ours else compose(text, "taxonomy.yaml", SpecError)
    except (SpecError, yaml.YAMLError):
        return None
    if not isinstance(doc, yaml.MappingNode):
        return None
    anchors: dict[int, Anchor] = {}
    factors, end = None, len(text.splitlines())
    keys = [k.start_mark.line for k, _ in doc.value]
    for knode, vnode in doc.value:
        if knode.value == "factors" and factors is None:
            factors = knode.start_mark.line
            end = min([line for line in keys if line > factors], default=end)
            anchors[factors] = FACTORS
            for item in vnode.value if isinstance(vnode, yaml.SequenceNode) else []:
                _walk(item, (), anchors)
    open_lines: set[int] = set()
    todo: list[yaml.Node] = [doc]
    while todo:
        node = todo.pop()
        if isinstance(node, yaml.ScalarNode):
            open_lines.update(range(node.start_mark.line, node.end_mark.line))
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            todo.extend(x for pair in node.value for x in pair)
    return _Layout(anchors, factors, end, open_lines)


def user_comments(text: str, written: str = "") -> dict[Anchor, list[Comment]]:
    """The comments of a taxonomy.yaml by the anchor they belong to: a comment line belongs to the next node
    (or key) below it, an end-of-line comment to the node on its line; comment lines of `written` (the header
    seedless writes) and those of the provenance section are left out."""
    ours = {line.strip() for line in written.splitlines()}
    lines = text.splitlines()
    if not any("#" in line for line in lines if line.strip() not in ours):
        return {}  # nothing the user wrote can be a comment: no need to parse anything
    start = next((i for i, line in enumerate(lines) if line.startswith("factors")), len(lines))
    end = next((i for i in range(start + 1, len(lines)) if SECTION.match(lines[i])), len(lines))
    layout = _layout("\n".join(lines[:end]) + "\n")  # the provenance section below is seedless's: not read
    if layout is None or layout.factors is None:
        return {}
    starts = sorted(layout.anchors)
    out: dict[Anchor, list[Comment]] = {}
    for c in comments("\n".join(lines[: layout.end]) + "\n"):
        if c.line < layout.factors and not c.inline:
            anchor: Anchor | None = None if c.text in ours else TOP
        elif c.line >= layout.end or c.line < layout.factors:
            anchor = None  # another section (provenance), rewritten by seedless
        elif c.inline:
            anchor = layout.anchors[max(line for line in starts if line <= c.line)]
        else:
            anchor = next((layout.anchors[line] for line in starts if c.line < line < layout.end), END)
        if anchor is not None:
            out.setdefault(anchor, []).append(c)
    return out


def carry(found: dict[Anchor, list[Comment]], body: str) -> str:
    """`body` (a factors section just written) with `found` comments at their anchors; the comments of anchors
    `body` lacks (removed nodes) are dropped; a key `body` lacks falls back to its node's line."""
    layout = _layout(body, ours=True) if found else None
    if layout is None:
        return body
    where: dict[Anchor, int] = {}
    for line, anchor in sorted(layout.anchors.items()):
        where.setdefault(anchor, line)
    lines = body.splitlines()
    above: dict[int, list[str]] = {}
    after: dict[int, list[str]] = {}
    top: list[str] = []
    tail: list[str] = []
    for anchor, notes in found.items():
        if anchor in (TOP, END):
            (top if anchor == TOP else tail).extend(c.text for c in notes)
            continue
        line = where.get(anchor, where.get((anchor[0], "node")))
        if line is None:
            continue
        for c in notes:
            if c.inline and line not in layout.open_lines:
                after.setdefault(line, []).append(c.text)
            else:
                indent = lines[line][: len(lines[line]) - len(lines[line].lstrip())]
                above.setdefault(line, []).append(indent + c.text)
    out = list(top)
    for i, text in enumerate(lines):
        out += above.get(i, [])
        out.append("  ".join([text] + after.get(i, [])))
    out += tail
    merged = "\n".join(out) + "\n"
    try:
        same = yaml.load(merged, Loader=FAST) == yaml.load(body, Loader=FAST)
    except yaml.YAMLError:
        same = False
    return merged if same else body  # a comment must never change what the file says
