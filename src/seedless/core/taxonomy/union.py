"""The union of several taxonomy sets: factors merged by name, nodes by path (names compared as `name_key` does)."""

from __future__ import annotations

from collections.abc import Sequence

from seedless.core.taxonomy.tree import Node, Taxonomy, TaxonomySet


def _merge_into(target: Node, other: Node) -> None:
    """`other`'s descendants added under `target`: a child of the same name merges, a new one is appended (in
    `other`'s order after `target`'s own); the first non-empty description is kept."""
    if not target.description and other.description:
        target.description = other.description
    for child in other.children:
        same = target.child(child.name)
        if same is None:
            target.children.append(child.copy())
        else:
            _merge_into(same, child)


def _deepest(node: Node) -> int:
    return max((1 + _deepest(c) for c in node.children), default=0)


def taxonomy_union(sets: Sequence[TaxonomySet]) -> TaxonomySet:
    """Every factor of every set, in first-seen order, each the union of its trees: a node is in the union when its
    path (from the factor) is in any of them, spelled as where it was first seen. A factor's depth is the largest
    of its trees' depths and of the merged tree's deepest level. The inputs are not changed."""
    merged: list[Taxonomy] = []
    for taxonomies in sets:
        for tax in taxonomies.taxonomies:
            same = TaxonomySet(merged).get(tax.factor)
            if same is None:
                merged.append(tax.copy())
            else:
                _merge_into(same.root, tax.root)
                same.depth = max(same.depth, tax.depth)
    for tax in merged:
        tax.depth = max(tax.depth, _deepest(tax.root))
    return TaxonomySet(merged)


def node_count(taxonomies: TaxonomySet) -> int:
    """Nodes below the roots, over every factor."""
    return sum(t.root.size() - 1 for t in taxonomies.taxonomies)


__all__ = ["node_count", "taxonomy_union"]
