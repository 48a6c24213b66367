"""Text for people is cut between words, never inside one."""

from __future__ import annotations

from seedless.core.text import clip


def test_short_text_is_kept_with_its_spaces_made_single():
    assert clip("a  b\n c", 20) == "a b c"


def test_long_text_is_cut_after_the_last_whole_word_that_fits():
    assert clip("the judge rejected every corrupted answer", 24) == "the judge rejected…"
    assert clip("the judge rejected every corrupted answer", 20) == "the judge rejected…"
    assert clip("one two, three", 10) == "one two…"  # trailing punctuation goes with the cut


def test_a_word_ending_exactly_at_the_cut_is_kept():
    assert clip("alpha beta gamma", 11) == "alpha beta…"


def test_a_single_overlong_word_is_cut_inside_as_the_only_way():
    assert clip("x" * 30, 10) == "x" * 9 + "…"
