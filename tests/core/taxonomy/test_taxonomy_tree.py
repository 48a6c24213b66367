"""Contracts of seedless.core.taxonomy.tree: trees addressed by name paths, case- and spacing-insensitively."""

from __future__ import annotations

from seedless.core.taxonomy.tree import Node, Taxonomy, TaxonomySet, name_key, set_from_data, set_to_data


def _topic() -> Taxonomy:
    return Taxonomy(
        Node("Topic", "What it is about", [
            Node("Science", "", [Node("Physics", "", [Node("Optics")]), Node("Biology", "Life")]),
            Node("Art", "Making things", [Node("Music")]),
            Node("Sport"),
        ]),
        depth=2,
    )


def test_name_key_ignores_case_and_inner_spacing():
    assert name_key("  Light   Rain ") == "light rain"
    assert name_key("STRASSE") == name_key("straße")  # casefold, not lower


def test_walk_is_pre_order_with_paths_from_the_root():
    paths = [p for p, _ in _topic().root.walk()]
    assert paths == [
        ("Topic",),
        ("Topic", "Science"),
        ("Topic", "Science", "Physics"),
        ("Topic", "Science", "Physics", "Optics"),
        ("Topic", "Science", "Biology"),
        ("Topic", "Art"),
        ("Topic", "Art", "Music"),
        ("Topic", "Sport"),
    ]
    assert _topic().root.size() == 8


def test_level_lists_the_nodes_that_many_steps_below_the_root():
    tax = _topic()
    assert [p for p, _ in tax.level(0)] == [("Topic",)]
    assert [n.name for _, n in tax.level(1)] == ["Science", "Art", "Sport"]
    assert [p for p, _ in tax.level(2)] == [("Topic", "Science", "Physics"), ("Topic", "Science", "Biology"),
                                          ("Topic", "Art", "Music")]
    assert tax.level(5) == []


def test_level_sizes_count_levels_zero_to_depth():
    tax = _topic()
    assert tax.level_sizes() == [1, 3, 3]
    tax.depth = 4
    assert tax.level_sizes() == [1, 3, 3, 1, 0]


def test_find_is_case_and_spacing_insensitive_and_returns_the_node_itself():
    tax = _topic()
    node = tax.find(("topic", "SCIENCE", " physics "))
    assert node is tax.root.children[0].children[0]
    assert tax.find(("Topic",)) is tax.root
    assert tax.find(("TOPIC", "art", "music")).name == "Music"


def test_find_returns_none_for_unknown_paths():
    tax = _topic()
    assert tax.find(()) is None
    assert tax.find(("Style",)) is None
    assert tax.find(("Topic", "Nope")) is None
    assert tax.find(("Topic", "Nope", "Music")) is None
    assert tax.find(("Topic", "Sport", "Football")) is None


def test_factor_is_the_root_name():
    assert _topic().factor == "Topic"


def test_prune_drops_nodes_deeper_than_the_taxonomy_depth():
    tax = _topic()
    tax.prune()
    assert tax.find(("Topic", "Science", "Physics")).children == []
    assert tax.level_sizes() == [1, 3, 3]
    assert tax.root.size() == 7


def test_prune_to_an_explicit_depth():
    tax = _topic()
    tax.prune(1)
    assert [p for p, _ in tax.root.walk()] == [("Topic",), ("Topic", "Science"), ("Topic", "Art"), ("Topic", "Sport")]
    assert tax.depth == 2  # pruning does not change the declared depth
    tax.prune(0)
    assert tax.root.children == []


def test_copy_is_independent_of_the_original():
    tax = _topic()
    clone = tax.copy()
    assert clone == tax
    clone.root.children[0].children[0].name = "Chemistry"
    clone.root.children[1].children.append(Node("Dance"))
    clone.root.description = "changed"
    clone.depth = 5
    assert tax.find(("Topic", "Science", "Physics")) is not None
    assert [c.name for c in tax.root.children[1].children] == ["Music"]
    assert tax.root.description == "What it is about"
    assert tax.depth == 2


def test_set_copy_is_deep_and_get_is_case_insensitive():
    tset = TaxonomySet([_topic(), Taxonomy(Node("Style", "", [Node("Formal")]), 1)])
    clone = tset.copy()
    clone.get("style").root.children.clear()
    assert tset.get("STYLE").root.children == [Node("Formal")]
    assert tset.get("Nope") is None
    assert sum(t.root.size() for t in tset.taxonomies) == 8 + 2
    assert sum(t.root.size() for t in clone.taxonomies) == 8 + 1


def test_set_to_data_and_back_round_trips_names_descriptions_depths_and_nesting():
    tset = TaxonomySet([_topic(), Taxonomy(Node("Style", "How", [Node("Formal", "Stiff")]), 1)])
    data = set_to_data(tset)
    assert data[1] == {"depth": 1, "root": {"name": "Style", "description": "How", "children": [
        {"name": "Formal", "description": "Stiff", "children": []}]}}
    back = set_from_data(data)
    assert back == tset
    assert back.taxonomies[0] is not tset.taxonomies[0]


def test_set_from_data_tolerates_missing_description_and_children():
    tset = set_from_data([{"depth": "3", "root": {"name": "Style", "children": [{"name": "Formal"}]}}])
    (tax,) = tset.taxonomies
    assert tax.depth == 3
    assert tax.root == Node("Style", "", [Node("Formal", "", [])])
