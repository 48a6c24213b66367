"""Contracts of seedless.core.taxonomy.edit.reconcile: keep every user edit, clear what must be rebuilt, report it."""

from __future__ import annotations


from seedless.core.taxonomy.tree import Node, Taxonomy, TaxonomySet, set_to_data
from seedless.core.taxonomy.edit import EditReport, reconcile


def _base() -> TaxonomySet:
    return TaxonomySet([
        Taxonomy(Node("Topic", "About", [
            Node("Science", "", [
                Node("Physics", "", [Node("Optics"), Node("Mechanics")]),
                Node("Biology", "", [Node("Genetics")]),
            ]),
            Node("Art", "", [Node("Painting"), Node("Music")]),
        ]), 3),
        Taxonomy(Node("Style", "", [Node("Formal"), Node("Casual")]), 1),
    ])


def _names(node: Node) -> list[str]:
    return [c.name for c in node.children]


def test_no_base_gives_an_empty_report_and_changes_nothing():
    user = _base()
    report = reconcile(user, None)
    assert report == EditReport()
    assert report.any() is False
    assert report.lines() == []
    assert set_to_data(user) == set_to_data(_base())


def test_an_unchanged_tree_reports_nothing_and_is_left_untouched():
    user, base = _base(), _base()
    report = reconcile(user, base)
    assert report.any() is False
    assert report.frozen == set()
    assert set_to_data(user) == set_to_data(_base())
    assert set_to_data(base) == set_to_data(_base())


def test_a_case_or_spacing_only_change_is_not_an_edit():
    user = _base()
    user.taxonomies[0].root.children[0].name = "SCIENCE"
    user.taxonomies[0].root.children[0].children[0].name = "physics"
    report = reconcile(user, _base())
    assert report.any() is False
    assert user.get("Topic").find(("Topic", "Science", "Physics", "Optics")) is not None


def test_a_renamed_node_with_unchanged_children_is_reported_and_its_children_cleared_for_rebuild():
    user = _base()
    science = user.taxonomies[0].root.children[0]
    science.name = "Natural sciences"
    report = reconcile(user, _base())
    assert report.renamed == [(("Topic", "Science"), ("Topic", "Natural sciences"))]
    assert report.added == [] and report.deleted == []
    assert science.children == []
    assert _names(user.taxonomies[0].root) == ["Natural sciences", "Art"]
    assert report.lines() == ["renamed 'Topic / Science' -> 'Topic / Natural sciences': its children are rebuilt"]


def test_a_renamed_node_whose_children_were_also_edited_keeps_the_users_children_as_added():
    user = _base()
    art = user.taxonomies[0].root.children[1]
    art.name = "Arts"
    art.children.append(Node("Dance"))
    report = reconcile(user, _base())
    assert report.renamed == []
    assert report.added == [("Topic", "Arts")]
    assert report.deleted == [("Topic", "Art")]
    assert _names(art) == ["Painting", "Music", "Dance"]


def test_a_deleted_branch_is_reported_as_deleted():
    user = _base()
    del user.taxonomies[0].root.children[0]
    report = reconcile(user, _base())
    assert report.deleted == [("Topic", "Science")]
    assert report.renamed == [] and report.added == []
    assert _names(user.taxonomies[0].root) == ["Art"]
    assert report.lines() == ["deleted 'Topic / Science'"]


def test_a_deleted_leaf_is_reported_with_its_full_path():
    user = _base()
    user.taxonomies[0].root.children[0].children[0].children.pop(0)
    report = reconcile(user, _base())
    assert report.deleted == [("Topic", "Science", "Physics", "Optics")]
    assert report.emptied == []


def test_an_added_child_is_reported_and_kept():
    user = _base()
    user.taxonomies[0].root.children[1].children.append(Node("Dance", "Moving", [Node("Ballet")]))
    report = reconcile(user, _base())
    assert report.added == [("Topic", "Art", "Dance")]
    assert report.deleted == [] and report.renamed == []
    dance = user.get("Topic").find(("Topic", "Art", "Dance"))
    assert dance == Node("Dance", "Moving", [Node("Ballet")])
    assert report.lines() == ["added 'Topic / Art / Dance'"]


def test_removing_all_children_of_a_node_empties_and_freezes_it():
    user = _base()
    user.taxonomies[0].root.children[0].name = "SCIENCE"
    user.taxonomies[0].root.children[0].children[0].children = []
    report = reconcile(user, _base())
    assert report.emptied == [("Topic", "SCIENCE", "Physics")]
    assert report.frozen == {("topic", "science", "physics")}
    assert report.deleted == []
    assert user.get("Topic").find(("Topic", "Science", "Physics")).children == []
    assert report.lines() == ["emptied 'Topic / SCIENCE / Physics': kept as a leaf"]


def test_removing_all_children_of_a_factor_freezes_the_factor_root():
    user = _base()
    user.get("Style").root.children = []
    report = reconcile(user, _base())
    assert report.emptied == [("Style",)]
    assert report.frozen == {("style",)}


def test_a_changed_description_with_unchanged_children_is_redescribed_and_its_children_cleared():
    user = _base()
    biology = user.taxonomies[0].root.children[0].children[1]
    biology.description = "Living things"
    report = reconcile(user, _base())
    assert report.redescribed == [("Topic", "Science", "Biology")]
    assert biology.children == []
    assert biology.description == "Living things"
    assert user.get("Topic").find(("Topic", "Science", "Physics")).children != []
    assert report.lines() == ["new description for 'Topic / Science / Biology': its children are rebuilt"]


def test_a_changed_description_of_a_leaf_needs_no_rebuild_and_is_kept():
    user = _base()
    user.get("Style").root.children[0].description = "Stiff"
    report = reconcile(user, _base())
    assert report.any() is False
    assert user.get("Style").root.children[0].description == "Stiff"


def test_a_changed_description_with_edited_children_keeps_the_children():
    user = _base()
    art = user.taxonomies[0].root.children[1]
    art.description = "Creative work"
    art.children.append(Node("Dance"))
    report = reconcile(user, _base())
    assert report.redescribed == []
    assert report.added == [("Topic", "Art", "Dance")]
    assert _names(art) == ["Painting", "Music", "Dance"]


def test_a_renamed_factor_with_unchanged_children_is_renamed_and_cleared():
    user = _base()
    user.get("Style").root.name = "Tone"
    report = reconcile(user, _base())
    assert report.renamed == [(("Style",), ("Tone",))]
    assert report.added == [] and report.deleted == []
    assert user.get("Tone").root.children == []
    assert user.get("Tone").depth == 1


def test_a_renamed_factor_with_edited_children_is_added_and_the_old_one_deleted():
    user = _base()
    tone = user.get("Style").root
    tone.name = "Tone"
    tone.children.append(Node("Humorous"))
    report = reconcile(user, _base())
    assert report.renamed == []
    assert report.added == [("Tone",)]
    assert report.deleted == [("Style",)]
    assert _names(tone) == ["Formal", "Casual", "Humorous"]


def test_a_new_factor_is_added_and_a_removed_factor_deleted():
    user = _base()
    del user.taxonomies[1]
    user.taxonomies.append(Taxonomy(Node("Audience"), 2))
    report = reconcile(user, _base())
    assert report.added == [("Audience",)]
    assert report.deleted == [("Style",)]


def test_a_depth_change_is_reported_with_old_and_new_depth():
    user = _base()
    user.get("Topic").depth = 2
    report = reconcile(user, _base())
    assert report.depth_changed == [("Topic", 3, 2)]
    assert report.any() is True
    assert report.lines() == ["depth of 'Topic' changed 3 -> 2"]
    assert set_to_data(user)[0]["root"] == set_to_data(_base())[0]["root"]


def test_several_edits_are_all_reported_and_the_base_is_not_modified():
    user, base = _base(), _base()
    topic = user.get("Topic").root
    topic.children[0].name = "Natural sciences"
    topic.children[1].children.pop()
    user.get("Style").depth = 2
    report = reconcile(user, base)
    assert report.renamed == [(("Topic", "Science"), ("Topic", "Natural sciences"))]
    assert report.deleted == [("Topic", "Art", "Music")]
    assert report.depth_changed == [("Style", 1, 2)]
    assert len(report.lines()) == 3
    assert set_to_data(base) == set_to_data(_base())


def test_a_renamed_node_keeps_edits_made_below_its_children():
    user = _base()
    science = user.taxonomies[0].root.children[0]
    science.name = "Natural sciences"
    science.children[0].children.pop(0)  # the user also deleted Topic / Science / Physics / Optics
    reconcile(user, _base())
    physics = user.get("Topic").find(("Topic", "Natural sciences", "Physics"))
    assert physics is not None and _names(physics) == ["Mechanics"]


def test_a_redescribed_node_keeps_edits_made_below_its_children():
    user = _base()
    science = user.taxonomies[0].root.children[0]
    science.description = "The natural sciences"
    science.children[0].children.append(Node("Acoustics"))
    reconcile(user, _base())
    physics = user.get("Topic").find(("Topic", "Science", "Physics"))
    assert physics is not None and _names(physics) == ["Optics", "Mechanics", "Acoustics"]
