"""Contracts of seedless.core.taxonomy.file: taxonomy.yaml is written readably and read back strictly."""

from __future__ import annotations

import pytest
import yaml

from seedless.core.taxonomy.provenance import LevelPlan, NodeDecision
from seedless.core.taxonomy.tree import Node, Taxonomy, TaxonomySet, set_to_data
from seedless.core.taxonomy.file import (
    HEADER,
    TaxonomyFileError,
    dump_taxonomies,
    parse_taxonomies,
    read_taxonomies,
)
from seedless.spec import SpecError


def _set() -> TaxonomySet:
    return TaxonomySet([
        Taxonomy(Node("Topic", "What it is about", [
            Node("Science", "", [Node("Physics"), Node("Biology", "Life: cells and more")]),
            Node("Art", "Making things"),
            Node("2020"),
            Node("yes"),
        ]), 2),
        Taxonomy(Node("Style"), 3),
    ])


def _problems(text: str, **kw):
    with pytest.raises(TaxonomyFileError) as info:
        parse_taxonomies(text, "t.yaml", **kw)
    return [(p.line, p.field, p.message) for p in info.value.problems]


def test_dump_then_parse_round_trips_names_descriptions_depths_and_nesting():
    original = _set()
    back = parse_taxonomies(dump_taxonomies(original))
    assert set_to_data(back) == set_to_data(original)
    assert [t.depth for t in back.taxonomies] == [2, 3]


def test_the_file_starts_with_the_editing_header():
    text = dump_taxonomies(_set())
    assert text.startswith(HEADER)
    assert "rename a node" in HEADER


def test_leaves_are_written_as_plain_strings_and_other_nodes_as_mappings():
    data = yaml.safe_load(dump_taxonomies(_set()))
    topic, style = data["factors"]
    assert topic == {
        "name": "Topic",
        "description": "What it is about",
        "depth": 2,
        "children": [
            {"name": "Science", "children": ["Physics", {"name": "Biology", "description": "Life: cells and more"}]},
            {"name": "Art", "description": "Making things"},
            "2020",
            "yes",
        ],
    }
    assert style == {"name": "Style", "depth": 3, "children": []}
    assert "provenance" not in data


def test_provenance_is_written_after_the_factors_and_ignored_on_read():
    plans = [LevelPlan(factor="Topic", level=1, plan="broad areas")]
    decisions = [NodeDecision(factor="Topic", path=["Topic"], children=["Science", "Art"])]
    text = dump_taxonomies(_set(), plans, decisions)
    data = yaml.safe_load(text)
    assert data["provenance"]["plans"] == [{"factor": "Topic", "level": 1, "plan": "broad areas"}]
    assert data["provenance"]["decisions"] == [{"factor": "Topic", "path": ["Topic"], "children": ["Science", "Art"]}]
    assert text.index("factors:") < text.index("provenance:")
    assert set_to_data(parse_taxonomies(text)) == set_to_data(_set())


def test_provenance_with_any_content_is_ignored_on_read():
    text = "factors:\n  - Topic\nprovenance:\n  whatever: [1, {x: y}]\n  decisions: not even a list\n"
    tset = parse_taxonomies(text)
    assert [t.factor for t in tset.taxonomies] == ["Topic"]


def test_a_factor_without_depth_gets_the_default_depth():
    tset = parse_taxonomies("factors:\n  - name: Topic\n  - Style\n", default_depth=4)
    assert [(t.factor, t.depth) for t in tset.taxonomies] == [("Topic", 4), ("Style", 4)]


def test_user_written_nodes_are_read_in_every_accepted_form():
    text = """\
factors:
  - name: Topic
    depth: 3
    children:
      - Plain   leaf
      - name: With description
        description: >
          folded
          text
      - name: Empty children
        children:
      - {name: Flow, children: [A, B]}
"""
    (tax,) = parse_taxonomies(text).taxonomies
    assert tax.root == Node("Topic", "", [
        Node("Plain leaf"),
        Node("With description", "folded text"),
        Node("Empty children"),
        Node("Flow", "", [Node("A"), Node("B")]),
    ])
    assert tax.depth == 3


def test_errors_list_every_problem_with_its_line_and_field():
    text = """\
factors:
  - name: Topic
    depth: 9
    colour: red
    children:
      - Science
      - science
      - {description: no name}
      - name: Art
        depth: 2
  - name: topic
  - children: [A]
  - name: ""
extra: 1
"""
    problems = _problems(text)
    assert sorted(problems) == [
        (3, "factors[0].depth", "depth is a whole number from 1 to 8"),
        (4, "factors[0].colour", "unknown key (a node has name, description, children)"),
        (7, "factors[0].children[1]", "duplicate sibling name 'science'"),
        (8, "factors[0].children[2]", "a node needs a name"),
        (10, "factors[0].children[3].depth", "unknown key (a node has name, description, children)"),
        (11, "factors[1].name", "duplicate factor 'topic'"),
        (12, "factors[2]", "a node needs a name"),
        (13, "factors[3].name", "expected a non-empty text"),
        (14, "extra", "unknown key (expected factors, provenance)"),
    ]


def test_taxonomy_file_error_is_a_spec_error_naming_the_file():
    with pytest.raises(SpecError) as info:
        parse_taxonomies("factors:\n  - name: A\n    depth: two\n", "run/taxonomy.yaml")
    assert str(info.value) == "run/taxonomy.yaml:3: factors[0].depth: depth is a whole number from 1 to 8"


@pytest.mark.parametrize("depth", ["0", "9", "two", "2.5", "[2]"])
def test_a_bad_depth_is_reported(depth):
    assert _problems(f"factors:\n  - name: A\n    depth: {depth}\n") == [
        (3, "factors[0].depth", "depth is a whole number from 1 to 8")
    ]


def test_a_duplicate_factor_is_reported_case_and_spacing_insensitively():
    assert _problems("factors:\n  - Topic\n  - name: Style\n  - '  TOPIC '\n") == [
        (4, "factors[2].name", "duplicate factor 'TOPIC'")
    ]


def test_a_duplicate_sibling_is_reported_at_the_later_sibling():
    text = "factors:\n  - name: T\n    children:\n      - Light rain\n      - Snow\n      - light   RAIN\n"
    assert _problems(text) == [(6, "factors[0].children[2]", "duplicate sibling name 'light RAIN'")]


def test_children_that_are_not_a_list_are_reported():
    assert _problems("factors:\n  - name: A\n    children: x\n") == [(3, "factors[0].children", "children is a list")]


@pytest.mark.parametrize("text", ["provenance: {}\n", "factors: 3\n", "factors:\n", "factors: {a: 1}\n"])
def test_a_missing_or_non_list_factors_section_is_reported(text):
    assert _problems(text) == [(1, "factors", "a list of factors is required")]


@pytest.mark.parametrize("text", ["- a\n", "just text\n", ""])
def test_a_document_that_is_not_a_mapping_is_reported(text):
    assert _problems(text) == [(1, "", "expected a mapping with a 'factors' list")]


def test_invalid_yaml_is_reported_with_its_line():
    problems = _problems("factors:\n  - name: A\n    children: [a, [b\n")
    assert len(problems) == 1
    line, field, message = problems[0]
    assert line == 4 and field == ""
    assert message.startswith("not valid YAML: ")


def test_read_taxonomies_reads_a_file_and_names_a_missing_one(tmp_path):
    path = tmp_path / "taxonomy.yaml"
    path.write_text(dump_taxonomies(_set()), encoding="utf-8")
    assert set_to_data(read_taxonomies(path)) == set_to_data(_set())
    missing = tmp_path / "nope.yaml"
    with pytest.raises(TaxonomyFileError) as info:
        read_taxonomies(missing)
    (problem,) = info.value.problems
    assert problem.file == str(missing) and problem.line is None
    assert problem.message.startswith("cannot read the file")


# Comments the user wrote survive a rewrite (dump_taxonomies with `previous`, the file as the user left it).

def _commented(text: str, edits: list[tuple[str, str]]) -> str:
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_a_rewrite_without_user_comments_is_byte_identical():
    decisions = [NodeDecision(factor="Topic", path=["Topic"], children=["Science", "Art"])]
    plain = dump_taxonomies(_set(), [], decisions)
    assert dump_taxonomies(_set(), [], decisions, previous=plain) == plain
    assert dump_taxonomies(_set(), previous="factors: [Topic]\n") == dump_taxonomies(_set())


def test_a_rewrite_keeps_comments_on_the_same_nodes_at_the_top_and_at_the_end():
    decisions = [NodeDecision(factor="Topic", path=["Topic"], children=["Science", "Art"])]
    previous = _commented(dump_taxonomies(_set(), [], decisions), [
        ("factors:\n", "# my notes: checked twice\nfactors:  # one per factor\n"),
        ("  depth: 2\n", "  depth: 2  # deep enough\n"),
        ("  - name: Science\n", "  # keep this branch small\n  - name: Science  # the big one\n"),
        ("    - Physics\n", "    - Physics   # inline on a leaf\n    # before Biology\n"),
        ("  - '2020'\n", "  - '2020'  # a year\n"),
        ("- name: Style\n", "# about style\n- name: Style\n"),
        ("\nprovenance:\n", "# last words\n\nprovenance:  # not kept: seedless rewrites this\n"),
    ])
    grown = _set()
    grown.get("Topic").root.children[0].children.append(Node("Chemistry"))
    text = dump_taxonomies(grown, [], decisions, previous=previous)
    assert text.startswith(HEADER + "# my notes: checked twice\nfactors:  # one per factor\n")
    assert HEADER.splitlines()[0] not in text[len(HEADER):]  # seedless's own header is not repeated
    for kept in ["  depth: 2  # deep enough\n", "  # keep this branch small\n  - name: Science  # the big one\n",
                 "    - Physics  # inline on a leaf\n    # before Biology\n    - name: Biology\n",
                 "    - Chemistry\n", "  - '2020'  # a year\n", "# about style\n- name: Style\n",
                 "  children: []\n# last words\n\nprovenance:\n"]:
        assert kept in text
    assert "not kept" not in text
    assert set_to_data(parse_taxonomies(text)) == set_to_data(grown)
    assert dump_taxonomies(grown, [], decisions, previous=text) == text  # stable from one rewrite to the next


def test_comments_of_removed_nodes_go_with_them():
    previous = _commented(dump_taxonomies(_set()), [
        ("    - Physics\n", "    # about physics\n    - Physics  # physics\n"),
        ("  - name: Art\n", "  - name: Art  # art\n"),
    ])
    smaller = _set()
    smaller.get("Topic").root.children[0].children.pop(0)  # Physics is gone
    text = dump_taxonomies(smaller, previous=previous)
    assert "physics" not in text and "  - name: Art  # art\n" in text


def test_an_end_of_line_comment_on_a_text_spanning_lines_is_kept_above_it():
    tset = TaxonomySet([Taxonomy(Node("Topic", " ".join(["lorem ipsum"] * 12), [Node("Leaf")]), 1)])
    written = dump_taxonomies(tset)
    first = next(line for line in written.splitlines() if line.startswith("  description:"))
    last = written.split(first + "\n")[1].splitlines()[0]
    assert last.startswith("    ")  # the text goes on to a second line
    text = dump_taxonomies(tset, previous=written.replace(last, last + "  # too long?"))
    assert "  # too long?\n" + first + "\n" + last + "\n" in text  # a comment after `first` would end the text
    assert set_to_data(parse_taxonomies(text)) == set_to_data(tset)


def test_hashes_inside_names_and_texts_are_not_comments():
    tset = TaxonomySet([Taxonomy(Node("Language", "", [Node("C#"), Node("F # sharp"), Node("Notes", "a | b")]), 1)])
    written = dump_taxonomies(tset)
    assert dump_taxonomies(tset, previous=written) == written


def test_a_previous_file_that_cannot_be_read_as_yaml_carries_nothing():
    assert dump_taxonomies(_set(), previous="factors: [a, [b\n# note\n") == dump_taxonomies(_set())
    assert dump_taxonomies(_set(), previous="just text # with a hash\n") == dump_taxonomies(_set())
