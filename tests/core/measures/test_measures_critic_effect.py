"""Contracts of critic effectiveness: p, q, rejection rate, and accuracy after filtering with its lift."""

from __future__ import annotations

import pytest

from seedless.core.measures.critic_effect import Filtering, critic_effect


def test_p_q_and_the_rejection_rate_count_acceptances_on_both_sets():
    effect = critic_effect([True] * 9 + [False], [True] * 2 + [False] * 8)
    # p = 9 / 10 = 0.9; q = 2 / 10 = 0.2; rejected = 1 + 8 = 9 of 20 -> 0.45
    assert (effect.p, effect.q, effect.rejection_rate) == (0.9, 0.2, 0.45)
    assert effect.separates is True


def test_filtering_gives_the_accepted_fraction_the_accuracy_after_and_the_lift():
    effect = critic_effect([True] * 9 + [False], [True] * 2 + [False] * 8)
    result = effect.filtering(0.7)
    # A = 0.7 * 0.9 + 0.3 * 0.2 = 0.63 + 0.06 = 0.69
    # accuracy = 0.63 / 0.69 = 0.913043...; lift = 0.913043 - 0.7 = 0.213043
    assert result.accepted == pytest.approx(0.69)
    assert result.accuracy == pytest.approx(0.63 / 0.69)
    assert result.lift == pytest.approx(0.63 / 0.69 - 0.7)


def test_a_critic_that_cannot_tell_correct_from_corrupted_gives_no_lift():
    effect = critic_effect([True, False], [True, False])
    # p = q = 0.5: A = 0.5 for any mu, accuracy = mu * 0.5 / 0.5 = mu
    assert effect.separates is False
    assert effect.filtering(0.6).lift == pytest.approx(0.0)


def test_zero_denominators_give_none_instead_of_a_rate():
    assert critic_effect([], [True]).p is None
    assert critic_effect([True], []).q is None
    assert critic_effect([], []).rejection_rate is None
    assert critic_effect([], [True]).filtering(0.5) == Filtering(0.5, None, None, None)
    # nothing accepted: p = q = 0 -> A = 0, accuracy undefined
    assert critic_effect([False], [False]).filtering(0.5) == Filtering(0.5, 0.0, None, None)


def test_mu_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError):
        critic_effect([True], [False]).filtering(1.5)
