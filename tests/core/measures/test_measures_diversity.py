"""Global and local embedding diversity: hand-computed values on tiny sets, brute-force agreement, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from seedless.core.measures.diversity import global_diversity, local_diversity, row_block, unit_rows


def brute_global(x: np.ndarray) -> float:
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    n = len(u)
    d = 1.0 - u @ u.T
    return float(d[np.triu_indices(n, 1)].mean())


def brute_local(x: np.ndarray, k: int) -> float:
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    s = u @ u.T
    values = []
    for i in range(len(u)):
        order = [j for j in np.argsort(-s[i], kind="stable") if j != i][:k]
        hood = [i, *order]
        d = 1.0 - s[np.ix_(hood, hood)]
        values.append(d[np.triu_indices(len(hood), 1)].mean())
    return float(np.mean(values))


def clustered(n: int = 60, d: int = 16, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(4, d))
    return centres[rng.integers(0, 4, n)] + 0.3 * rng.normal(size=(n, d))


def test_global_diversity_of_orthogonal_vectors_is_one():
    assert global_diversity(np.eye(2)) == pytest.approx(1.0)
    assert global_diversity(np.eye(5)) == pytest.approx(1.0)


def test_global_diversity_of_identical_vectors_is_zero():
    assert global_diversity(np.tile([[3.0, 4.0]], (7, 1))) == pytest.approx(0.0, abs=1e-12)


def test_global_diversity_of_opposite_vectors_is_two():
    assert global_diversity(np.array([[1.0, 0.0], [-2.0, 0.0]])) == pytest.approx(2.0)


def test_global_diversity_averages_distinct_pairs_by_hand():
    # e1, e1, e2: pair distances 0, 1, 1 -> 2/3
    assert global_diversity(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])) == pytest.approx(2 / 3)
    # 0 and 60 degrees and 90 degrees: distances 1-cos60=0.5, 1, 1-cos30 -> (0.5 + 1 + 1 - sqrt(3)/2) / 3
    x = np.array([[1.0, 0.0], [0.5, np.sqrt(3) / 2], [0.0, 1.0]])
    assert global_diversity(x) == pytest.approx((2.5 - np.sqrt(3) / 2) / 3)


def test_global_diversity_ignores_vector_lengths():
    x = clustered()
    scales = np.random.default_rng(1).uniform(0.1, 10.0, size=(len(x), 1))
    assert global_diversity(x * scales) == pytest.approx(global_diversity(x), abs=1e-9)


def test_global_diversity_matches_the_pairwise_definition():
    x = clustered()
    assert global_diversity(x) == pytest.approx(brute_global(x), abs=1e-9)


def test_diversity_of_fewer_than_two_vectors_is_zero():
    assert global_diversity(np.ones((1, 3))) == 0.0
    assert global_diversity(np.zeros((0, 3))) == 0.0
    assert local_diversity(np.ones((1, 3))) == 0.0


def test_local_diversity_of_two_tight_clusters_is_zero_while_global_is_not():
    # three copies of e1 and three of e2, k=2: every neighbourhood is one cluster (distance 0);
    # globally 9 of the 15 pairs cross clusters at distance 1 -> 0.6
    x = np.array([[1.0, 0.0]] * 3 + [[0.0, 1.0]] * 3)
    assert local_diversity(x, k=2) == pytest.approx(0.0, abs=1e-7)
    assert global_diversity(x) == pytest.approx(0.6)


def test_local_diversity_by_hand_with_one_neighbour():
    # e1, e1, e2 with k=1: points 0 and 1 pair with each other (distance 0); point 2's nearest is an e1 copy
    # (distance 1); neighbourhood means 0, 0, 1 -> 1/3, below the global 2/3
    x = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert local_diversity(x, k=1) == pytest.approx(1 / 3)
    assert local_diversity(x, k=1) < global_diversity(x)


def test_local_diversity_is_below_global_on_a_clustered_set():
    x = clustered(n=200)
    assert local_diversity(x, k=10) < 0.5 * global_diversity(x)


def test_local_diversity_with_k_at_least_n_minus_one_equals_global():
    x = clustered(n=8)
    assert local_diversity(x, k=7) == pytest.approx(global_diversity(x), abs=1e-6)
    assert local_diversity(x, k=50) == pytest.approx(global_diversity(x), abs=1e-6)


def test_local_diversity_matches_the_neighbourhood_definition():
    x = clustered(n=80)
    for k in (1, 3, 10):
        assert local_diversity(x, k=k) == pytest.approx(brute_local(x, k), abs=1e-5)


def test_local_diversity_does_not_depend_on_the_block_size():
    x = clustered(n=97)
    expected = local_diversity(x, k=5)
    for block in (1, 7, 96, 97, 1000):
        assert local_diversity(x, k=5, block=block) == pytest.approx(expected, abs=1e-6)


def test_zero_nan_and_non_matrix_inputs_are_refused():
    with pytest.raises(ValueError, match="zero vector"):
        global_diversity(np.array([[1.0, 0.0], [0.0, 0.0]]))
    with pytest.raises(ValueError, match="NaN"):
        local_diversity(np.array([[1.0, np.nan], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="N x d"):
        global_diversity(np.ones(3))
    with pytest.raises(ValueError, match="k must be"):
        local_diversity(np.eye(3), k=0)


def test_unit_rows_normalises_and_row_block_bounds_memory():
    u = unit_rows(np.array([[3.0, 4.0]]))
    assert u.dtype == np.float32 and np.allclose(u, [[0.6, 0.8]])
    assert row_block(10_000) * 10_000 <= 1 << 22
    assert row_block(10, block=3) == 3
    with pytest.raises(ValueError):
        row_block(10, block=0)
