"""Taxonomic (level-ratio) coverage: per level, the share of nodes hit by at least one item; an assigned node's ancestors count as hit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from seedless.core.taxonomy.tree import Path, Taxonomy, TaxonomySet, name_key


@dataclass(frozen=True)
class NodeHits:
    """How many distinct items hit one node (directly or through a descendant)."""

    path: Path
    items: int

    @property
    def level(self) -> int:
        return len(self.path) - 1


@dataclass(frozen=True)
class LevelCoverage:
    """Level `level` (the root is level 0): its node count, how many were hit, the ones that were not."""

    level: int
    nodes: int
    hit: int
    uncovered: list[Path]

    @property
    def ratio(self) -> float:
        return self.hit / self.nodes if self.nodes else 0.0


@dataclass(frozen=True)
class UnknownAssignment:
    """An assigned path that names no node of the taxonomy; reported, never counted."""

    item: str
    path: Path


@dataclass(frozen=True)
class TaxonomyCoverage:
    """Coverage of one taxonomy by a set of items; `nodes` lists every node below the root in pre-order."""

    factor: str
    items: int
    levels: list[LevelCoverage]
    nodes: list[NodeHits]
    unassigned: list[str]
    unknown: list[UnknownAssignment]

    def hits(self, path: Path) -> int:
        """Items hitting `path` (spelled as in the tree); 0 for a path not in the tree."""
        return next((n.items for n in self.nodes if n.path == path), 0)


@dataclass(frozen=True)
class SetCoverage:
    """Coverage per taxonomy of a set, plus assigned paths whose first name is no taxonomy's factor."""

    taxonomies: list[TaxonomyCoverage]
    unknown: list[UnknownAssignment] = field(default_factory=list)


def coverage(taxonomy: Taxonomy, assignments: Mapping[str, Sequence[Path]]) -> TaxonomyCoverage:
    """Level-ratio coverage of `taxonomy` by items assigned to node paths (names from the root).

    coverage_l = |nodes at level l hit by at least one item| / |nodes at level l|, for every level
    l >= 1 that has nodes. An item hits each node it is assigned to and every ancestor of it, and
    counts once per node however many of its paths pass through it. Paths match case- and
    spacing-insensitively; a path that names no node is listed in `unknown` and counts nothing.
    An item with no path found in the tree (none given, or only unknown ones) is `unassigned`; an
    item assigned only to the root is assigned but hits no level >= 1.
    """
    hit_by: dict[Path, set[str]] = {}
    unassigned: list[str] = []
    unknown: list[UnknownAssignment] = []
    for item, paths in assignments.items():
        found = False
        for path in paths:
            canonical = taxonomy.canonical(tuple(path))
            if canonical is None:
                unknown.append(UnknownAssignment(item, tuple(path)))
                continue
            found = True
            for end in range(2, len(canonical) + 1):  # the node and its ancestors below the root
                hit_by.setdefault(canonical[:end], set()).add(item)
        if not found:
            unassigned.append(item)
    nodes = [NodeHits(path, len(hit_by.get(path, ()))) for path, _ in taxonomy.root.walk() if len(path) > 1]
    deepest = max((n.level for n in nodes), default=0)
    levels = []
    for level in range(1, deepest + 1):
        here = [n for n in nodes if n.level == level]
        levels.append(LevelCoverage(level, len(here), sum(1 for n in here if n.items),
                                    [n.path for n in here if not n.items]))
    return TaxonomyCoverage(taxonomy.factor, len(assignments), levels, nodes, unassigned, unknown)


def set_coverage(taxonomies: TaxonomySet, assignments: Mapping[str, Sequence[Path]]) -> SetCoverage:
    """`coverage` for each taxonomy of a set, each path routed by its first name (the factor).

    Within one taxonomy an item is unassigned when none of its paths lands in that taxonomy; paths
    whose first name matches no factor are reported in `SetCoverage.unknown`.
    """
    routed: list[dict[str, list[Path]]] = [{item: [] for item in assignments} for _ in taxonomies.taxonomies]
    factors = {name_key(t.factor): i for i, t in enumerate(taxonomies.taxonomies)}
    stray: list[UnknownAssignment] = []
    for item, paths in assignments.items():
        for path in paths:
            index = factors.get(name_key(path[0])) if path else None
            if index is None:
                stray.append(UnknownAssignment(item, tuple(path)))
            else:
                routed[index][item].append(tuple(path))
    return SetCoverage([coverage(t, routed[i]) for i, t in enumerate(taxonomies.taxonomies)], stray)
