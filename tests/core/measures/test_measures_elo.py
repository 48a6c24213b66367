"""Contracts of calibrated complexity: the batch schedule, batch scores as pairs, the Bradley-Terry fit on the Elo scale, tiers."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from seedless.core.measures.elo import (
    Comparison,
    batch_schedule,
    fit_ratings,
    pairwise_from_scores,
    rating_summary,
    tiers,
)


def pair_counts(schedule):
    return Counter((min(x, y), max(x, y)) for b in schedule for i, x in enumerate(b) for y in b[i + 1:])


def test_every_item_appears_per_item_times_in_full_batches_of_distinct_items():
    schedule = batch_schedule(20, per_item=5, batch_size=5, seed=3)
    # 20 items * 5 appearances / 5 per batch = 20 batches
    assert len(schedule) == 20
    assert all(len(b) == 5 and len(set(b)) == 5 for b in schedule)
    assert Counter(i for b in schedule for i in b) == Counter({i: 5 for i in range(20)})


def test_when_slots_do_not_divide_a_few_items_appear_once_more():
    schedule = batch_schedule(13, per_item=3, batch_size=4, seed=0)
    # 13 * 3 = 39 slots -> ceil(39 / 4) = 10 batches = 40 slots: one item appears 4 times, 12 appear 3
    assert len(schedule) == 10
    assert all(len(set(b)) == 4 for b in schedule)
    assert sorted(Counter(Counter(i for b in schedule for i in b).values()).items()) == [(3, 12), (4, 1)]


def test_the_same_seed_gives_the_same_schedule_and_another_seed_another():
    assert batch_schedule(30, seed=5) == batch_schedule(30, seed=5)
    assert batch_schedule(30, seed=5) != batch_schedule(30, seed=6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pairs_are_spread_as_evenly_as_the_counts_allow(seed):
    # 7 items, 7 batches of 5: 7 * C(5,2) = 70 pair slots over C(7,2) = 21 pairs -> 3 or 4 each
    small = pair_counts(batch_schedule(7, per_item=5, batch_size=5, seed=seed))
    assert len(small) == 21 and set(small.values()) <= {3, 4}
    # 100 items, 100 batches of 5: 1000 pair slots over 4950 pairs -> no pair needs to repeat
    large = pair_counts(batch_schedule(100, per_item=5, batch_size=5, seed=seed))
    assert max(large.values()) == 1


def test_fewer_items_than_a_batch_give_one_batch_of_all_and_one_item_gives_none():
    (only,) = batch_schedule(3, per_item=5, batch_size=5)
    assert sorted(only) == [0, 1, 2]
    assert batch_schedule(1) == [] and batch_schedule(0) == []


def test_each_pair_of_a_scored_batch_becomes_one_result_with_ties_as_draws():
    schedule = [(2, 0, 1), (3, 1, 2)]
    scores = [{0: 3.0, 1: 5.0, 2: 3.0}, {1: 1.0, 2: 4.0, 3: 2.0}]
    pairs = [c for batch, s in zip(schedule, scores) for c in pairwise_from_scores(batch, s)]
    # batch 1: 2 vs 0 -> 3 = 3 draw; 2 vs 1 -> 3 < 5 loss; 0 vs 1 -> 3 < 5 loss
    # batch 2: 3 vs 1 -> 2 > 1 win; 3 vs 2 -> 2 < 4 loss; 1 vs 2 -> 1 < 4 loss
    assert pairs == [Comparison(2, 0, 0.5), Comparison(2, 1, 0.0), Comparison(0, 1, 0.0),
                     Comparison(3, 1, 1.0), Comparison(3, 2, 0.0), Comparison(1, 2, 0.0)]


def test_an_item_missing_from_the_scores_is_left_out_of_every_pair():
    assert pairwise_from_scores((0, 1, 2), {0: 1.0, 2: 0.0}) == [Comparison(0, 2, 1.0)]


def three_of_four():
    return [Comparison(0, 1, 1.0)] * 3 + [Comparison(0, 1, 0.0)]


def test_without_a_prior_three_wins_in_four_give_the_bradley_terry_gap_of_odds_three():
    high, low = fit_ratings(2, three_of_four(), prior_draws=0)
    # s_A / s_B = 3 / 1 -> gap = 400 * log10(3) = 400 * 0.47712 = 190.85; centred on 1500
    assert high - low == pytest.approx(400 * math.log10(3), abs=1e-6)
    assert (high + low) / 2 == pytest.approx(1500)


def bisect(f, lo, hi):
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(lo) * f(mid) > 0 else (lo, mid)
    return (lo + hi) / 2


def test_one_virtual_draw_against_the_anchor_shrinks_the_gap():
    high, low = fit_ratings(2, three_of_four())
    # Swapping A and B and inverting strengths maps the data onto itself, so s_B = 1 / s_A = 1 / x.
    # A's score equation: observed 3 + 0.5 (half the virtual draw) = expected
    #   4 * x / (x + 1/x) + 1 * x / (x + 1)
    # times (x^2 + 1)(x + 1): 3.5(x^3 + x^2 + x + 1) = 5x^3 + 4x^2 + x  ->  3x^3 + x^2 - 5x - 7 = 0
    x = bisect(lambda x: 3 * x**3 + x**2 - 5 * x - 7, 1.0, 3.0)  # x = 1.6071...
    # gap = (400 / ln 10) * (ln x - ln(1/x)) = 800 * log10(x) = 164.84, below 190.85
    assert x == pytest.approx(1.6071, abs=1e-4)
    assert high - low == pytest.approx(800 * math.log10(x), abs=1e-6)
    assert high - low < 400 * math.log10(3)


def test_an_item_that_won_everything_stays_finite_with_the_prior_and_is_refused_without():
    high, low = fit_ratings(2, [Comparison(0, 1, 1.0)])
    # as above with one game: 1.5 = x^2 / (x^2 + 1) + x / (x + 1) -> x^3 - x^2 - x - 3 = 0, x = 2.1304
    x = bisect(lambda x: x**3 - x**2 - x - 3, 1.0, 3.0)
    assert high - low == pytest.approx(800 * math.log10(x), abs=1e-6)
    with pytest.raises(ValueError, match="infinite"):
        fit_ratings(2, [Comparison(0, 1, 1.0)], prior_draws=0)


def test_the_fit_does_not_depend_on_the_order_of_the_comparisons():
    rng = random.Random(0)
    comparisons = [Comparison(a, b, rng.choice([0.0, 0.5, 1.0]))
                   for a, b in (rng.sample(range(6), 2) for _ in range(60))]
    shuffled = comparisons[:]
    rng.shuffle(shuffled)
    flipped = [Comparison(c.b, c.a, 1.0 - c.score) for c in shuffled]  # the same results, sides swapped
    assert fit_ratings(6, comparisons) == fit_ratings(6, shuffled) == fit_ratings(6, flipped)


def test_a_transitive_chain_ranks_in_order_around_a_mean_of_1500():
    # item i beats every item below it, twice
    comparisons = [Comparison(i, j, 1.0) for i in range(5) for j in range(i) for _ in range(2)]
    ratings = fit_ratings(5, comparisons)
    assert ratings == sorted(ratings) and len(set(ratings)) == 5
    assert sum(ratings) / 5 == pytest.approx(1500)


def test_the_summary_reports_population_std_and_interpolated_quartiles():
    s = rating_summary([1400.0, 1700.0, 1500.0, 1600.0])
    # mean 6200 / 4 = 1550; deviations -150, -50, 50, 150 -> std = sqrt(50000 / 4) = 111.80
    # quartiles at ranks 3 * (1/4, 2/4, 3/4) = 0.75, 1.5, 2.25 -> 1475, 1550, 1625
    assert (s.count, s.mean, s.min, s.max) == (4, 1550.0, 1400.0, 1700.0)
    assert s.std == pytest.approx(math.sqrt(12500))
    assert (s.q1, s.median, s.q3) == pytest.approx((1475.0, 1550.0, 1625.0))
    assert rating_summary([1500.0]).q3 == 1500.0
    with pytest.raises(ValueError):
        rating_summary([])


def test_tiers_are_cut_within_each_group_and_a_small_group_takes_the_lowest_tiers():
    ratings = [1700, 1200, 1300, 1600, 1900, 1100, 1400, 1000, 2000]
    groups = ["a", "a", "a", "a", "a", "a", "a", "b", "b"]
    # group a ranked: 5(1100) 1(1200) 2(1300) 6(1400) 3(1600) 0(1700) 4(1900)
    # tier = rank * 3 // 7 -> ranks 0..6 give 0 0 0 1 1 2 2
    # group b (2 items < 3 tiers) ranked: 7(1000) 8(2000) -> tiers 0, 1 although 2000 is the highest overall
    assert tiers(ratings, groups, n_tiers=3) == [2, 0, 0, 1, 2, 0, 1, 0, 1]


def test_equal_ratings_keep_item_order_when_cut_into_tiers():
    assert tiers([1500.0] * 4, ["g"] * 4, n_tiers=2) == [0, 0, 1, 1]
