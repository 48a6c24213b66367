"""The assigner places items in a taxonomy: the whole taxonomy in one prompt per batch, or level by level."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from seedless.core.calls import COVERAGE_ASSIGN, COVERAGE_ASSIGN_TREE
from seedless.core.estimate import guess_tokens
from seedless.core.eval_replies import NONE_OF_THESE, AssignmentsReply, PathAssignmentsReply
from seedless.core.taxonomy.tree import Node, Path, Taxonomy, name_key
from seedless.core.text import clip
from seedless.engine.evaluation.items import Item
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.parsing import parse_reply
from seedless.engine.tasks import together

ENUM_MAX_PATHS = 200  # a larger tree's reply path is a bounded string, checked against the tree after the reply
PATH_SEP = " > "
_SEP = re.compile(r"\s*(?:->|>|»|→)\s*")
_NONE = (name_key(NONE_OF_THESE), "none")


@dataclass
class Placement:
    """Each item's deepest node per taxonomy (absent: not placed below the root), and calls that failed."""

    paths: dict[str, Path] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def chunks(items: list[Item], size: int) -> list[list[Item]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def shown_text(item: Item, max_chars: int) -> str:
    """An item as a prompt shows it: one line, cut to `max_chars`."""
    return " ".join(item.text.split())[:max_chars]


# the whole taxonomy in context


def _key(text: str) -> str:
    return PATH_SEP.join(name_key(part) for part in _SEP.split(text) if part.strip())


class TreePaths:
    """The nodes below a taxonomy's root, each named by its full path without the factor ("A > B > C"), and the
    path a reply names: case and spacing do not matter, nor a leading factor name or another arrow (->, », →);
    a tail of a path ("B > C", a bare node name) names the one node it ends, when no other node's path ends so."""

    def __init__(self, taxonomy: Taxonomy):
        self.factor = taxonomy.factor
        self.nodes: list[tuple[Path, Node]] = [(p, n) for p, n in taxonomy.root.walk() if len(p) > 1]
        self.texts = tuple(PATH_SEP.join(p[1:]) for p, _ in self.nodes)
        self._full = {_key(t): p for t, (p, _) in zip(self.texts, self.nodes)}
        tails: dict[str, list[Path]] = defaultdict(list)
        for path, _ in self.nodes:
            for start in range(2, len(path)):
                tails[_key(PATH_SEP.join(path[start:]))].append(path)
        self._tails = {k: v[0] for k, v in tails.items() if len(v) == 1 and k not in self._full}

    def shown(self) -> list[tuple[int, str, str]]:
        """(depth, full path, description) of every node, in pre-order: what the prompt lists."""
        return [(len(p) - 1, t, n.description) for (p, n), t in zip(self.nodes, self.texts)]

    def resolve(self, text: str) -> Path | None:
        """The path (from the factor) a reply's text names, or None."""
        key = _key(text)
        head = name_key(self.factor) + PATH_SEP
        if key.startswith(head) and key[len(head):] in self._full:
            key = key[len(head):]
        return self._full.get(key) or self._tails.get(key)


def is_none(text: str) -> bool:
    return name_key(text.strip(" .\"'")) in _NONE


def tree_variables(taxonomy: Taxonomy, tree: TreePaths, texts: list[str]) -> dict[str, object]:
    return {"factor": taxonomy.factor, "factor_description": taxonomy.root.description, "nodes": tree.shown(),
            "items": texts}


def tree_reply_type(tree: TreePaths, count: int) -> type[PathAssignmentsReply]:
    """The schema sent: one placement per item; the paths as an enum when the tree has at most ENUM_MAX_PATHS."""
    paths = tree.texts if len(tree.texts) <= ENUM_MAX_PATHS else ()
    longest = max((len(t) for t in tree.texts), default=1)
    return PathAssignmentsReply.bounded(count=count, paths=paths, max_chars=min(2000, longest + 100))


def tree_prompt_tokens(caller: Caller, taxonomy: Taxonomy, items: list[Item], *, batch: int,
                       max_chars: int) -> int:
    """The token guess of the largest whole-taxonomy prompt these items make (the batch with the most text)."""
    site = COVERAGE_ASSIGN_TREE
    tree = TreePaths(taxonomy)
    groups = chunks(items, batch) or [[]]
    texts = max(([shown_text(i, max_chars) for i in g] for g in groups), key=lambda t: sum(map(len, t)))
    kind = caller.bindings[site.role].kind
    return guess_tokens(caller.templates.render(site, tree_variables(taxonomy, tree, texts), kind))


async def assign_by_tree(caller: Caller, taxonomy: Taxonomy, items: list[Item], *, batch: int,
                         max_chars: int) -> Placement:
    """One call per batch of `batch` items shows the whole taxonomy (every node by its full path, with its
    description) and the assigner names each item's deepest fitting node, or "none of these" (the item stays
    unplaced). A reply naming a path that is not in the tree is a failed parse: the caller asks for a repair with
    the reason, and after `models.max_repairs` the batch is a failure (its items unplaced, the reason kept)."""
    out = Placement()
    tree = TreePaths(taxonomy)
    if not tree.nodes:
        return out

    def parse(text: str) -> tuple[PathAssignmentsReply | None, str | None]:
        reply, reason = parse_reply(text, PathAssignmentsReply)
        if reply is None:
            return None, reason
        bad = [p for p in reply.assignments if not is_none(p.path) and tree.resolve(p.path) is None]
        if not bad:
            return reply, None
        named = "; ".join(f"item {p.item}: {p.path[:120]!r}" for p in bad[:3])
        more = f" (+{len(bad) - 3} more)" if len(bad) > 3 else ""
        return None, (f"not a path of the {taxonomy.factor} taxonomy: {named}{more}. Write each item's node by "
                      f'its full path exactly as listed, or "{NONE_OF_THESE}"')

    async def one(group: list[Item]) -> tuple[dict[str, Path], str | None]:
        variables = tree_variables(taxonomy, tree, [shown_text(i, max_chars) for i in group])
        result = await caller.call(COVERAGE_ASSIGN_TREE, variables, parse,
                                   tree_reply_type(tree, len(group)).json_schema())
        if result.value is None:
            return {}, clip("; ".join(result.failures), 300)
        chosen: dict[str, Path] = {}
        for placement in result.value.assignments:
            path = None if is_none(placement.path) else tree.resolve(placement.path)
            if 1 <= placement.item <= len(group) and path is not None:
                chosen.setdefault(group[placement.item - 1].id, path)
        return chosen, None

    groups = chunks(items, batch)
    results = await together(one(group) for group in groups)
    for index, (chosen, failure) in enumerate(results):
        if failure:
            out.failures.append(f"batch {index + 1} of {len(groups)}: {failure}")
        out.paths.update(chosen)
    return out


# level by level


async def assign_by_descent(caller: Caller, taxonomy: Taxonomy, items: list[Item], *, batch: int,
                            max_chars: int) -> Placement:
    """One path per item: at each level the assigner picks the best child of the item's current node for a
    batch of items, or "none of these", which leaves the item where it is. Prompts hold one node's children
    and `batch` items, so they stay small for small models and long taxonomies."""
    out = Placement()
    frontier: dict[Path, list[Item]] = {(taxonomy.factor,): items}
    while frontier:
        jobs = [(path, group) for path, members in frontier.items()
                for group in chunks(members, batch) if taxonomy.find(path).children]  # type: ignore[union-attr]
        results = await together(_place(caller, taxonomy, path, group, max_chars) for path, group in jobs)
        frontier = defaultdict(list)
        for (path, group), (chosen, failure) in zip(jobs, results):
            if failure:
                out.failures.append(f"{' > '.join(path)}: {failure}")
            for item in group:
                child = chosen.get(item.id)
                if child is not None:
                    out.paths[item.id] = path + (child,)
                    frontier[path + (child,)].append(item)
    return out


async def _place(caller: Caller, taxonomy: Taxonomy, path: Path, group: list[Item],
                 max_chars: int) -> tuple[dict[str, str], str | None]:
    node: Node = taxonomy.find(path)  # type: ignore[assignment]
    names = [c.name for c in node.children]
    by_key = {name_key(n): n for n in names}
    variables = {"factor": taxonomy.factor, "parent": " > ".join(path),
                 "choices": [(c.name, c.description) for c in node.children],
                 "items": [shown_text(i, max_chars) for i in group]}
    result = await caller.ask(COVERAGE_ASSIGN, variables,
                              AssignmentsReply.bounded(count=len(group), choices=tuple(names)))
    if result.value is None:
        return {}, clip("; ".join(result.failures), 300)
    chosen: dict[str, str] = {}
    for placement in result.value.assignments:
        if 1 <= placement.item <= len(group) and placement.node != NONE_OF_THESE:
            name = by_key.get(name_key(placement.node))
            if name is not None:
                chosen.setdefault(group[placement.item - 1].id, name)
    return chosen, None
