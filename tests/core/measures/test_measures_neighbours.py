"""Nearest neighbours: the faiss inverted-file index agrees with the exact search, and the measures built on it agree too."""

from __future__ import annotations

import numpy as np
import pytest

from seedless.core.measures import neighbours
from seedless.core.measures.diversity import local_diversity
from seedless.core.measures.near_duplicates import contamination, near_duplicates
from seedless.core.measures.neighbours import APPROX_FROM, NeighbourIndex, chosen, nearest

pytest.importorskip("faiss", reason="the approximate path needs faiss (pip install 'seedless[ann]')")


def clustered(n: int, dim: int = 48, seed: int = 0, copies: int = 0) -> np.ndarray:
    """Unit rows around n/20 centres; the first `copies` rows repeated (with a tiny jitter) at the end."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(1, n // 20), dim))
    x = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.normal(size=(n, dim))
    if copies:
        x = np.concatenate([x, x[:copies] + 1e-4 * rng.normal(size=(copies, dim))])
    x = x.astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_auto_uses_the_index_only_for_large_sets():
    assert chosen("auto", APPROX_FROM - 1) == "exact"
    assert chosen("auto", APPROX_FROM) == "approximate"
    assert chosen("exact", 10 * APPROX_FROM) == "exact"


def test_the_index_finds_the_same_neighbours_as_the_exact_search():
    x = clustered(2000)
    exact = nearest(x, x, 10, exclude_self=True, method="exact")
    approx = nearest(x, x, 10, exclude_self=True, method="approximate")
    assert approx.method == "approximate" and exact.method == "exact"
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact.indices, approx.indices)])
    assert recall > 0.98
    assert not (exact.indices == np.arange(2000)[:, None]).any()  # never a row's own neighbour
    assert not (approx.indices == np.arange(2000)[:, None]).any()
    assert (np.diff(exact.similarities, axis=1) <= 1e-6).all()  # best first


def test_approximate_search_repeats_itself():
    x = clustered(1500, seed=3)
    a = NeighbourIndex(x, "approximate").search(x[:50], 5)
    b = NeighbourIndex(x, "approximate").search(x[:50], 5)
    assert np.array_equal(a.indices, b.indices)


def test_near_duplicates_approximate_matches_exact_including_large_groups():
    x = clustered(3000, copies=300)
    x = np.concatenate([x, np.repeat(x[:1], 40, axis=0)])  # one group of 42: more than the first k = 16
    exact = near_duplicates(x, 0.95, method="exact")
    approx = near_duplicates(x, 0.95, method="approximate")
    assert approx.groups == exact.groups
    assert approx.pairs == exact.pairs
    assert max(len(g) for g in exact.groups) == 42


def test_contamination_approximate_matches_exact():
    reference = clustered(3000, seed=1)
    items = np.concatenate([clustered(500, seed=2), reference[:100]])
    exact = contamination(items, reference, 0.95, method="exact")
    approx = contamination(items, reference, 0.95, method="approximate")
    assert np.array_equal(exact.contaminated, approx.contaminated) and exact.count == 100
    assert np.array_equal(exact.best_index[-100:], approx.best_index[-100:])
    assert np.allclose(exact.best_similarity[-100:], approx.best_similarity[-100:], atol=1e-5)
    assert (approx.best_similarity <= exact.best_similarity + 1e-5).all()  # a miss only ever understates


def test_local_diversity_approximate_is_within_a_hair_of_exact():
    x = clustered(2500, seed=4)
    assert abs(local_diversity(x, 10, method="approximate") - local_diversity(x, 10, method="exact")) < 2e-3


def test_forcing_the_index_without_faiss_names_the_extra(monkeypatch):
    monkeypatch.setattr(neighbours, "approximate_available", lambda: False)
    assert chosen("auto", 10 * APPROX_FROM) == "exact"
    with pytest.raises(RuntimeError, match=r"seedless\[ann\]"):
        chosen("approximate", 10)
