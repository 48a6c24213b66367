"""Contracts of taxonomic coverage: per-level ratios, ancestors of an assigned node count as hit, unknown paths reported."""

from __future__ import annotations

from seedless.core.measures.coverage import LevelCoverage, NodeHits, UnknownAssignment, coverage, set_coverage
from seedless.core.taxonomy.tree import Node, Taxonomy, TaxonomySet


def topic() -> Taxonomy:
    return Taxonomy(Node("Topic", children=[
        Node("Algebra", children=[Node("Linear"), Node("Quadratic")]),
        Node("Geometry", children=[Node("Triangles"), Node("Circles")]),
        Node("Statistics"),
    ]), depth=2)


ASSIGNED = {
    "q1": [("Topic", "Algebra", "Linear")],
    "q2": [("Topic", "Algebra", "Linear"), ("Topic", "Algebra", "Quadratic")],
    "q3": [("topic", "geometry")],
    "q4": [],
    "q5": [("Topic", "Calculus")],
    "q6": [("Topic",)],
}


def test_each_level_reports_nodes_hit_ratio_and_the_uncovered_nodes():
    result = coverage(topic(), ASSIGNED)
    # level 1: Algebra (q1, q2), Geometry (q3) hit; Statistics not -> 2 / 3
    # level 2: Linear (q1, q2), Quadratic (q2) hit; Triangles, Circles not -> 2 / 4 = 0.5
    assert result.levels == [
        LevelCoverage(1, 3, 2, [("Topic", "Statistics")]),
        LevelCoverage(2, 4, 2, [("Topic", "Geometry", "Triangles"), ("Topic", "Geometry", "Circles")]),
    ]
    assert [lv.ratio for lv in result.levels] == [2 / 3, 0.5]


def test_ancestors_of_an_assigned_node_count_as_hit_and_an_item_counts_once_per_node():
    result = coverage(topic(), ASSIGNED)
    # q2 reaches Algebra through Linear and through Quadratic but counts once: Algebra = {q1, q2} = 2
    assert result.nodes == [
        NodeHits(("Topic", "Algebra"), 2), NodeHits(("Topic", "Algebra", "Linear"), 2),
        NodeHits(("Topic", "Algebra", "Quadratic"), 1), NodeHits(("Topic", "Geometry"), 1),
        NodeHits(("Topic", "Geometry", "Triangles"), 0), NodeHits(("Topic", "Geometry", "Circles"), 0),
        NodeHits(("Topic", "Statistics"), 0),
    ]
    assert result.hits(("Topic", "Algebra")) == 2 and result.hits(("Topic", "Nowhere")) == 0


def test_unknown_paths_are_reported_not_counted_and_items_without_a_known_path_are_unassigned():
    result = coverage(topic(), ASSIGNED)
    assert result.unknown == [UnknownAssignment("q5", ("Topic", "Calculus"))]
    # q4 has no path, q5 only an unknown one; q6 (root only) is assigned but hits no level >= 1
    assert result.unassigned == ["q4", "q5"]
    assert result.items == 6 and result.factor == "Topic"


def test_paths_match_case_and_spacing_insensitively_and_are_reported_as_spelled_in_the_tree():
    result = coverage(topic(), {"a": [("TOPIC", "statistics")]})
    assert result.hits(("Topic", "Statistics")) == 1
    assert result.levels[0].hit == 1 and result.levels[1].hit == 0


def test_no_items_give_zero_coverage_everywhere():
    result = coverage(topic(), {})
    assert [(lv.hit, lv.ratio) for lv in result.levels] == [(0, 0.0), (0, 0.0)]


def test_a_set_routes_paths_by_factor_and_reports_paths_of_no_factor():
    audience = Taxonomy(Node("Audience", children=[Node("Kids"), Node("Adults")]), depth=1)
    assigned = {"q1": [("Topic", "Statistics"), ("Audience", "Kids")], "q2": [("Mood", "Happy")]}
    result = set_coverage(TaxonomySet([topic(), audience]), assigned)
    by_factor = {t.factor: t for t in result.taxonomies}
    # Topic level 1: Statistics only -> 1 / 3; Audience level 1: Kids only -> 1 / 2
    assert by_factor["Topic"].levels[0].ratio == 1 / 3
    assert by_factor["Audience"].levels[0].ratio == 1 / 2
    assert by_factor["Audience"].unassigned == ["q2"]
    assert result.unknown == [UnknownAssignment("q2", ("Mood", "Happy"))]
