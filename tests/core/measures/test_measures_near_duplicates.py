"""Near-duplicate groups (threshold, chaining, blocks) and contamination against reference vectors, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from seedless.core.measures.near_duplicates import DEFAULT_THRESHOLD, contamination, near_duplicates


def at(degrees: float) -> list[float]:
    """A unit vector in the plane: the cosine of two of them is cos(difference of angles)."""
    r = np.radians(degrees)
    return [float(np.cos(r)), float(np.sin(r))]


def test_default_threshold_is_095():
    assert DEFAULT_THRESHOLD == 0.95


def test_near_duplicate_groups_by_hand():
    # 0 and 10 degrees: cos 10 = 0.985 -> one group; 90 and 95: cos 5 = 0.996 -> another; 45 stays alone
    x = np.array([at(0), at(90), at(45), at(10), at(95)])
    found = near_duplicates(x)
    assert found.groups == ((0, 3), (1, 4))
    assert found.pairs == 2
    assert found.n == 5
    assert found.redundant == 2
    assert found.redundant_fraction == pytest.approx(0.4)


def test_identical_vectors_form_one_group_of_all():
    found = near_duplicates(np.ones((6, 4)))
    assert found.groups == ((0, 1, 2, 3, 4, 5),)
    assert found.pairs == 15
    assert found.redundant == 5


def test_pairs_chain_into_one_group_through_a_middle_item():
    # 0 and 15 degrees: cos 15 = 0.966 >= 0.95; 0 and 30: cos 30 = 0.866 < 0.95; all three join through 15
    found = near_duplicates(np.array([at(0), at(30), at(15)]))
    assert found.groups == ((0, 1, 2),)
    assert found.pairs == 2


def test_threshold_is_inclusive_and_adjustable():
    x = np.array([at(0), at(15)])  # cos 15 = 0.9659
    assert near_duplicates(x, threshold=0.96).groups == ((0, 1),)
    assert near_duplicates(x, threshold=0.97).groups == ()
    assert near_duplicates(np.array([at(0), at(0)]), threshold=1.0).groups == ((0, 1),)


def test_groups_do_not_depend_on_the_block_size():
    rng = np.random.default_rng(3)
    base = rng.normal(size=(20, 8))
    x = np.concatenate([base, base[::2] + 0.01 * rng.normal(size=(10, 8)), base[:3] * 5.0])
    expected = near_duplicates(x)
    assert expected.groups and all(len(g) >= 2 for g in expected.groups)
    for block in (1, 2, 5, 33, 1000):
        assert near_duplicates(x, block=block) == expected


def test_near_duplicates_of_an_empty_or_single_set_are_none():
    assert near_duplicates(np.zeros((0, 3))).groups == ()
    assert near_duplicates(np.ones((1, 3))).redundant_fraction == 0.0


def test_threshold_outside_cosine_range_is_refused():
    with pytest.raises(ValueError, match="threshold"):
        near_duplicates(np.eye(2), threshold=1.5)
    with pytest.raises(ValueError, match="threshold"):
        contamination(np.eye(2), np.eye(2), threshold=-2)


def test_contamination_finds_each_items_best_reference_match():
    reference = np.array([at(0), at(90), at(180)])
    items = np.array([at(5), at(60), at(181), at(130)])
    found = contamination(items, reference)
    assert found.best_index.tolist() == [0, 1, 2, 1]
    assert np.allclose(found.best_similarity, np.cos(np.radians([5, 30, 1, 40])), atol=1e-6)
    assert found.contaminated.tolist() == [True, False, True, False]
    assert found.count == 2
    assert found.fraction == pytest.approx(0.5)


def test_contamination_does_not_depend_on_the_block_size():
    rng = np.random.default_rng(4)
    reference, items = rng.normal(size=(50, 6)), rng.normal(size=(23, 6))
    items[:5] = reference[10:15] * 2.0
    expected = contamination(items, reference)
    assert expected.contaminated[:5].all() and expected.best_index[:5].tolist() == [10, 11, 12, 13, 14]
    for block in (1, 4, 100):
        found = contamination(items, reference, block=block)
        assert found.best_index.tolist() == expected.best_index.tolist()
        assert np.allclose(found.best_similarity, expected.best_similarity)


def test_contamination_against_an_empty_reference_flags_nothing():
    found = contamination(np.eye(3), np.zeros((0, 3)))
    assert found.best_index.tolist() == [-1, -1, -1]
    assert np.isnan(found.best_similarity).all()
    assert found.count == 0 and found.fraction == 0.0


def test_contamination_refuses_mismatched_dimensions():
    with pytest.raises(ValueError, match="dimensions"):
        contamination(np.eye(3), np.eye(4))
