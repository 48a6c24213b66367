"""Contracts of the options rule: which option a value names (text, without the option's label, or a letter), and
the options lettered A, B, ... with their own labels replaced."""

from __future__ import annotations

import pytest

from seedless.core.dataset.options import can_letter, lettered, option_index

OPTIONS = ["Venus", "B) Mercury", 12, "Mars"]


@pytest.mark.parametrize("value, index", [
    ("venus", 0), ("  VENUS ", 0), ("B) Mercury", 1), ("mercury", 1), (12, 2), ("12.0", 2), ("D", 3), ("(d)", 3),
    ("c.", 2), ("E", None), ("Jupiter", None), (None, None),
])
def test_option_index_matches_normalised_text_then_unlabelled_text_then_a_letter(value, index):
    assert option_index(value, OPTIONS) == index


def test_an_option_that_is_a_letter_is_matched_as_text_before_as_a_position():
    assert option_index("B", ["C", "B", "A"]) == 1


def test_lettered_replaces_an_options_own_label_and_writes_non_text_as_json():
    assert [lettered(i, o) for i, o in enumerate(OPTIONS)] == ["A. Venus", "B. Mercury", "C. 12", "D. Mars"]
    assert can_letter(OPTIONS) and not can_letter([]) and not can_letter([str(i) for i in range(27)])
