"""Contracts of reading a judge's own result: exact comparisons only, words and several numbers left to the judge."""

from __future__ import annotations

from fractions import Fraction

import pytest

from seedless.core.stated_result import compare_result, number_in, read_result, stated_text


@pytest.mark.parametrize("explanation,stated", [
    ("27 + 16 = 43; 43 - 3 = 40. My result: 40. The proposed 14 is different.", "40"),
    ("my result: 12.5. Same.", "12.5"),
    ("My result differs from the proposed 14.", None),
    ("My result: 36 - 5 = 31 rolls\nso no", "36 - 5 = 31 rolls"),
    ("First My result: 3. Then, checking again, My result: 4", "4"),
    ('My result: "Mercury".', "Mercury"),
    ("I added them up and got 7.", None),
    ("My result: ", None),
])
def test_the_stated_result_is_the_text_after_the_last_my_result_to_the_end_of_its_sentence(explanation, stated):
    assert stated_text(explanation) == stated


@pytest.mark.parametrize("value,number", [
    (7, Fraction(7)), (2.5, Fraction(5, 2)), ("1,200", Fraction(1200)), ("3/4", Fraction(3, 4)),
    ("31 rolls", Fraction(31)), ("36 - 5 = 31", Fraction(31)), ("-4", Fraction(-4)),
    (True, None), ("2 hours 30 minutes", None), ("seven", None), (None, None), ([3], None), (float("nan"), None),
])
def test_a_value_holds_a_number_only_when_it_is_one_number(value, number):
    assert number_in(value) == number


@pytest.mark.parametrize("explanation,proposed,agrees", [
    ("My result: 40. The proposed 14 is different.", 14, False),
    ("My result: 40.", 40, True),
    ("My result: 40", "40", True),
    ("My result: 40 apples.", 40.0, True),
    ("My result: 3.33.", 10 / 3, True),
    ("My result: 3.3.", 3.25, False),
    ("My result: 0.5", 0.5, True),
    ("My result: cannot be determined. The proposed 12 is a guess.", 12, False),
    ("My result: not enough information.", "Mercury", False),
])
def test_a_stated_number_settles_agreement_exactly_and_an_unsolvable_task_disagrees(explanation, proposed, agrees):
    read = read_result(explanation, proposed)
    assert read is not None and read.agrees is agrees


@pytest.mark.parametrize("explanation,proposed", [
    ("It looks right to me.", 14),                    # no stated result
    ("My result: Mercury.", "Mercury"),               # words are the judge's to compare
    ("My result: 2 hours 30 minutes.", 150),          # several numbers
    ("My result: 40.", "between 30 and 50"),          # the proposed answer is not one number
])
def test_what_cannot_be_compared_exactly_is_left_to_the_judges_word(explanation, proposed):
    assert read_result(explanation, proposed) is None


@pytest.mark.parametrize("stated,proposed,agrees", [
    ("31", 31, True), ('"31"', 31.0, True), ("31 rolls", "31", True), ("0.33", 1 / 3, True), ("30", 31, False),
    ("cannot be determined", 12, False), ("Unknown", 12, False), ("seven", 7, None), ("", 7, None),
    ("3 and 4", 7, None)])
def test_a_blind_result_compares_with_the_answer_by_the_same_rules(stated, proposed, agrees):
    found = compare_result(stated, proposed)
    assert (None if found is None else found.agrees) is agrees
