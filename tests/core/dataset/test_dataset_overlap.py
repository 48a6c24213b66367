"""Text overlap: normalisation, n-grams, resemblance and containment, and the index that finds what a text repeats."""

from __future__ import annotations

import pytest

from seedless.core.dataset.overlap import (
    OverlapIndex,
    containment,
    fields_text,
    normalise,
    resemblance,
    shingles,
)

FARMER = "A farmer has 12 cows and buys 5 more cows at the market on Monday. How many cows does the farmer have now?"


def test_case_spacing_and_punctuation_do_not_make_a_text_different():
    assert normalise("  How many   APPLES do you have?! ") == normalise("how many apples, do you have") \
        == "how many apples do you have"
    assert normalise("Ｆｕｌｌ\u00a0width_and-dashes") == "full width and dashes"


def test_a_text_shorter_than_n_words_is_one_shingle_and_an_empty_one_none():
    assert shingles("How many apples?", 5) == frozenset({"how many apples"})
    assert shingles("a b c d", 3) == frozenset({"a b c", "b c d"})
    assert shingles(" ?! ", 5) == frozenset()
    with pytest.raises(ValueError):
        shingles("a", 0)


def test_resemblance_is_symmetric_and_containment_is_not():
    short, long = shingles("one two three four five six", 3), shingles("one two three four five six seven eight", 3)
    assert resemblance(short, long) == resemblance(long, short) == pytest.approx(4 / 6)
    assert containment(short, long) == 1.0 and containment(long, short) == pytest.approx(4 / 6)
    assert resemblance(frozenset(), frozenset()) == 0.0 and containment(frozenset(), long) == 0.0


def test_the_index_finds_an_exact_repeat_after_normalisation_first():
    index = OverlapIndex(5, 0.8)
    index.add("s000000", "How many apples do you have?")
    match = index.find("how many APPLES do you have")
    assert match is not None and (match.key, match.how, match.score) == ("s000000", "exact", 1.0)


def test_a_near_copy_is_found_and_a_changed_number_or_a_shared_ending_is_not():
    index = OverlapIndex(5, 0.8)
    index.add("a", FARMER)
    near = index.find(FARMER.replace(" now?", " now in total?"))
    assert near is not None and near.key == "a" and near.how == "ngram" and 0.8 <= near.score < 1
    assert index.find(FARMER.replace("buys 5", "buys 7")) is None  # a different problem
    index.add("b", "How many cows does the farmer have now?")
    assert index.find("Anna owns 3 dogs and 4 cats and buys 2 more dogs. How many cows does the farmer have now?") \
        is None  # a short held text inside a longer new one: Jaccard stays low


def test_containment_finds_a_held_text_copied_into_a_longer_one():
    refs = OverlapIndex(5, 0.8, "containment")
    refs.add("bench.jsonl:3", FARMER)
    match = refs.find("Solve this carefully. " + FARMER + " Show your working.")
    assert match is not None and match.key == "bench.jsonl:3" and match.score == 1.0
    assert refs.find("A farmer has 12 cows.") is None


def test_the_best_score_wins_and_ties_go_to_the_text_added_first_and_a_skipped_key_is_passed_over():
    index = OverlapIndex(2, 0.5)
    index.add("first", "a b c d e")
    index.add("second", "a b c d e")
    index.add("closer", "a b c d e f")
    assert index.find("a b c d e f g").key == "closer"
    assert index.find("a b c d e x").key == "first"
    assert index.find("a b c d e", skip="first").key == "second"
    assert len(index) == 3


def test_thresholds_and_n_are_checked_and_an_empty_text_repeats_nothing():
    with pytest.raises(ValueError):
        OverlapIndex(5, 0.0)
    with pytest.raises(ValueError):
        OverlapIndex(0, 0.8)
    index = OverlapIndex(5, 0.8)
    index.add("empty", "?!")
    assert len(index) == 0 and index.find("") is None


def test_fields_text_joins_values_without_names_in_the_order_given():
    data = {"question": "Q?", "options": ["x", "y"], "answer": 5, "meta": {"k": 1}}
    assert fields_text(data, ["question", "options", "missing", "meta"]) == 'Q?\nx\ny\n{"k": 1}'
