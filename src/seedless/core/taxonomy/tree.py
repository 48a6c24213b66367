"""Taxonomy trees: a factor is the root, nodes have names and children; paths are tuples of names from the root."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

Path = tuple[str, ...]


def name_key(name: str) -> str:
    """The identity of a node name: case and inner spacing do not make two names different."""
    return " ".join(name.split()).casefold()


@dataclass
class Node:
    name: str
    description: str = ""
    children: list[Node] = field(default_factory=list)

    def walk(self, path: Path = ()) -> Iterator[tuple[Path, Node]]:
        """Pre-order walk yielding (path including this node, node)."""
        here = path + (self.name,)
        yield here, self
        for child in self.children:
            yield from child.walk(here)

    def child(self, name: str) -> Node | None:
        key = name_key(name)
        return next((c for c in self.children if name_key(c.name) == key), None)

    def size(self) -> int:
        return sum(1 for _ in self.walk())

    def copy(self) -> Node:
        return Node(self.name, self.description, [c.copy() for c in self.children])


@dataclass
class Taxonomy:
    """One factor of variation and its tree. `root.name` is the factor name; `depth` counts levels below it."""

    root: Node
    depth: int

    @property
    def factor(self) -> str:
        return self.root.name

    def find(self, path: Path) -> Node | None:
        if not path or name_key(path[0]) != name_key(self.root.name):
            return None
        node: Node | None = self.root
        for name in path[1:]:
            node = node.child(name) if node else None
        return node

    def canonical(self, path: Path) -> Path | None:
        """`path` spelled as in the tree (names match case- and spacing-insensitively), or None if absent."""
        if self.find(path) is None:
            return None
        return tuple(self.find(path[: i + 1]).name for i in range(len(path)))  # type: ignore[union-attr]

    def level(self, level: int) -> list[tuple[Path, Node]]:
        """Nodes `level` steps below the root (the root is level 0)."""
        return [(p, n) for p, n in self.root.walk() if len(p) == level + 1]

    def level_sizes(self) -> list[int]:
        return [len(self.level(i)) for i in range(self.depth + 1)]

    def prune(self, depth: int | None = None) -> None:
        """Drop nodes deeper than `depth` (default: this taxonomy's depth)."""
        limit = self.depth if depth is None else depth

        def cut(node: Node, level: int) -> None:
            if level >= limit:
                node.children = []
            for child in node.children:
                cut(child, level + 1)

        cut(self.root, 0)

    def copy(self) -> Taxonomy:
        return Taxonomy(self.root.copy(), self.depth)


@dataclass
class TaxonomySet:
    taxonomies: list[Taxonomy] = field(default_factory=list)

    def get(self, factor: str) -> Taxonomy | None:
        key = name_key(factor)
        return next((t for t in self.taxonomies if name_key(t.factor) == key), None)

    def canonical(self, path: Path) -> Path | None:
        tax = self.get(path[0]) if path else None
        return tax.canonical(path) if tax is not None else None

    def copy(self) -> TaxonomySet:
        return TaxonomySet([t.copy() for t in self.taxonomies])


def node_to_data(node: Node) -> dict[str, object]:
    return {"name": node.name, "description": node.description,
            "children": [node_to_data(c) for c in node.children]}


def node_from_data(data: dict[str, object]) -> Node:
    children = data.get("children") or []
    return Node(str(data["name"]), str(data.get("description") or ""),
                [node_from_data(c) for c in children])  # type: ignore[union-attr, arg-type]


def set_to_data(taxonomies: TaxonomySet) -> list[dict[str, object]]:
    return [{"depth": t.depth, "root": node_to_data(t.root)} for t in taxonomies.taxonomies]


def set_from_data(data: list[dict[str, object]]) -> TaxonomySet:
    return TaxonomySet([Taxonomy(node_from_data(d["root"]), int(d["depth"])) for d in data])  # type: ignore[arg-type]
