"""Contracts of seedless.core.taxonomy.names: clean model-proposed names and keep only usable, distinct ones."""

from __future__ import annotations

import pytest

from seedless.core.taxonomy.names import Rejected, clean_name, select_names


@pytest.mark.parametrize(
    "raw",
    [
        "1. Foo", "12. Foo", "1) Foo", "(1) Foo", "1: Foo",  # numbering
        "- Foo", "* Foo", "• Foo", "-- Foo",  # bullets
        "a) Foo", "(b) Foo", "B) Foo",  # lettered items ("a. Foo" is kept: "E. coli" must survive)
    ],
)
def test_clean_name_strips_bullets_and_numbering(raw):
    assert clean_name(raw) == "Foo"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("E. coli infection", "E. coli infection"),  # a letter and a full stop is an initial, not lettering
        ("1234. Foo", "1234. Foo"),  # at most three digits are numbering
        ("1.Foo", "1.Foo"),  # numbering needs a space after it
        ("-Foo", "-Foo"),
        ("ab. Foo", "ab. Foo"),
        ("3D modelling", "3D modelling"),
        ("U.S. history", "U.S. history"),
        ("Foo!", "Foo!"),
        ("Foo?", "Foo?"),
    ],
)
def test_clean_name_leaves_text_that_is_not_a_bullet_or_numbering(raw, expected):
    assert clean_name(raw) == expected


def test_clean_name_strips_only_one_leading_marker():
    assert clean_name("- 1. Foo") == "1. Foo"
    assert clean_name("1. 2. Foo") == "2. Foo"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"Foo"', "Foo"),
        ("'Foo.'", "Foo"),
        ("\u201cFoo\u201d", "Foo"),
        ("\u00abFoo\u00bb", "Foo"),
        ("`Foo`", "Foo"),
        ('"Foo":', "Foo"),
        ("**Foo**", "Foo"),
        ("_Foo_", "Foo"),
        ("- **Foo**", "Foo"),
        ("Foo.", "Foo"),
        ("Foo,;:", "Foo"),
        ("  Foo \t  bar\n ", "Foo bar"),
    ],
)
def test_clean_name_strips_quotes_emphasis_trailing_punctuation_and_extra_spaces(raw, expected):
    assert clean_name(raw) == expected


def test_clean_name_strips_bold_markers_before_a_trailing_colon():
    assert clean_name("**Foo**:") == "Foo"


@pytest.mark.parametrize("raw", ["- ", "1. "])
def test_clean_name_of_an_empty_list_item_is_empty(raw):
    assert clean_name(raw) == ""


def test_clean_name_keeps_an_abbreviated_initial_that_is_part_of_the_name():
    assert clean_name("E. coli infection") == "E. coli infection"


def _select(candidates, ancestors=("Root",), max_chars=20, limit=10):
    return select_names(list(candidates), ancestors=list(ancestors), max_chars=max_chars, limit=limit)


def test_select_names_keeps_clean_distinct_names_in_order():
    kept, rejected = _select(["1. Rain", "- Snow", '"Fog"'])
    assert kept == ["Rain", "Snow", "Fog"]
    assert rejected == []


def test_empty_names_are_rejected_with_the_raw_text():
    kept, rejected = _select(["", "   ", "...", '""'])
    assert kept == []
    assert rejected == [Rejected("", "empty name"), Rejected("   ", "empty name"),
                        Rejected("...", "empty name"), Rejected('""', "empty name")]


def test_overlong_names_are_rejected_with_the_limit_in_the_reason():
    kept, rejected = _select(["x" * 20, "y" * 21], max_chars=20)
    assert kept == ["x" * 20]
    assert rejected == [Rejected("y" * 21, "longer than 20 characters")]


def test_length_is_measured_after_cleaning():
    kept, rejected = _select(["1. " + "z" * 20], max_chars=20)
    assert kept == ["z" * 20] and rejected == []


def test_a_repeat_of_the_parent_or_an_ancestor_is_rejected_case_and_spacing_insensitively():
    kept, rejected = _select(["weather", "RAIN  FALL", "Snow"], ancestors=["Weather", "Rain fall"])
    assert kept == ["Snow"]
    assert rejected == [Rejected("weather", "repeats its parent or an ancestor"),
                        Rejected("RAIN FALL", "repeats its parent or an ancestor")]


def test_duplicates_are_rejected_case_and_spacing_insensitively_keeping_the_first():
    kept, rejected = _select(["Light rain", "light   RAIN", "2. Light rain.", "Snow"])
    assert kept == ["Light rain", "Snow"]
    assert rejected == [Rejected("light RAIN", "duplicate of a sibling"),
                        Rejected("Light rain", "duplicate of a sibling")]


def test_the_limit_is_enforced_and_each_name_over_it_is_rejected_with_the_limit():
    kept, rejected = _select(["A", "B", "C", "D"], limit=2)
    assert kept == ["A", "B"]
    assert rejected == [Rejected("C", "over the limit of 2 children"),
                        Rejected("D", "over the limit of 2 children")]


def test_rejected_names_do_not_count_against_the_limit():
    kept, rejected = _select(["", "Root", "A", "a", "B"], limit=2)
    assert kept == ["A", "B"]
    assert [r.reason for r in rejected] == ["empty name", "repeats its parent or an ancestor", "duplicate of a sibling"]


def test_a_limit_of_zero_keeps_nothing():
    kept, rejected = _select(["A"], limit=0)
    assert kept == []
    assert rejected == [Rejected("A", "over the limit of 0 children")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Weather > Rain", "Rain"),
        ("Weather -> Rain > Drizzle", "Drizzle"),
        ("Weather \u2192 Rain", "Rain"),
        ("Weather \u00bb Rain", "Rain"),
        ("- Weather > Rain", "Rain"),
        ("Weather>Rain", "Weather>Rain"),  # a separator needs spaces around it
    ],
)
def test_clean_name_keeps_only_the_last_step_of_a_path(raw, expected):
    assert clean_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Rain (3)", "Rain"), ("2. Rain (12)", "Rain"), ("Rain (1234)", "Rain (1234)"), ("Rain (a)", "Rain (a)")],
)
def test_clean_name_drops_a_trailing_vote_counter(raw, expected):
    assert clean_name(raw) == expected


def test_a_repeat_of_a_node_above_is_rejected_but_ancestors_keep_their_own_reason():
    kept, rejected = select_names(
        ["rain", "Hail", "Weather", "Snow"],
        ancestors=["Weather"], above=["Rain", "Weather"], max_chars=20, limit=10,
    )
    assert kept == ["Hail", "Snow"]
    assert rejected == [Rejected("rain", "repeats a node higher in the taxonomy"),
                        Rejected("Weather", "repeats its parent or an ancestor")]
