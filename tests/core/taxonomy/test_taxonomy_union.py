"""Contracts of the taxonomy union (core/taxonomy/union.py): factors merged by name and nodes by path, spelling and
order as first seen, depth the deepest, inputs unchanged."""

from __future__ import annotations

from seedless.core.taxonomy.file import parse_taxonomies
from seedless.core.taxonomy.union import node_count, taxonomy_union

DEEP = """
factors:
- name: Topic
  depth: 2
  children:
  - name: Fractions
    children: [Halves, Quarters]
  - name: Geometry
    children: [Angles]
"""
SHALLOW = """
factors:
- name: topic
  description: the maths topic
  depth: 1
  children: [fractions, Algebra]
- name: Format
  depth: 1
  children: [Story, Puzzle]
"""


def test_the_union_merges_factors_by_name_and_nodes_by_path():
    deep, shallow = parse_taxonomies(DEEP), parse_taxonomies(SHALLOW)
    union = taxonomy_union([deep, shallow])
    topic, fmt = union.taxonomies
    assert topic.factor == "Topic" and topic.root.description == "the maths topic"  # first spelling, a description
    assert [c.name for c in topic.root.children] == ["Fractions", "Geometry", "Algebra"]
    assert [c.name for c in topic.find(("Topic", "Fractions")).children] == ["Halves", "Quarters"]
    assert topic.depth == 2 and fmt.depth == 1 and node_count(union) == 8
    assert node_count(deep) == 5 and node_count(shallow) == 4  # the inputs are unchanged


def test_the_union_is_the_same_tree_whichever_set_comes_first():
    deep, shallow = parse_taxonomies(DEEP), parse_taxonomies(SHALLOW)
    forward, backward = taxonomy_union([deep, shallow]), taxonomy_union([shallow, deep])

    def paths(taxonomies):
        return {tuple(n.casefold() for n in p) for t in taxonomies.taxonomies for p, _ in t.root.walk()}

    assert paths(forward) == paths(backward)
    assert max(t.depth for t in backward.taxonomies) == 2
