"""Embedding diversity of a set of vectors: global (mean pairwise cosine distance) and local (within k-NN).

Pure numpy; the cosine distance of u and v is 1 - cos(u, v), in [0, 2]. Rows need not be normalised (every
function normalises them); zero, NaN or infinite rows are refused. Nothing builds an N x N matrix:

- global_diversity in O(N*d) time and memory: with unit rows u_i and s = sum_i u_i,
  sum over ordered pairs i != j of u_i . u_j = |s|^2 - N, so the mean cosine similarity over the
  N(N-1)/2 distinct pairs is (|s|^2 - N) / (N(N-1)), and global = 1 - that.
- local_diversity in O(N^2*d) time but O(block*N) memory: similarities are computed `block` rows at a time;
  from 50,000 points (core.measures.neighbours.APPROX_FROM) an inverted-file index (faiss) finds the neighbours instead.
  Each point's neighbourhood is the point itself plus its k nearest other points by cosine (ties broken
  arbitrarily); local = the mean pairwise cosine distance inside each neighbourhood (k+1 points, the same
  |s|^2 identity), averaged over all points. Including the point itself is our choice: it makes the
  neighbourhood the one the point sits in, and with k >= N-1 local equals global.

Fewer than two vectors have no pair: both measures are 0.0.
"""

from __future__ import annotations

import numpy as np

from seedless.core.measures.neighbours import Method, NeighbourIndex, chosen, nearest, row_block

GLOBAL_BLOCK = 4096  # rows normalised at once by global_diversity


def unit_rows(vectors: np.ndarray, dtype: type = np.float32, first_row: int = 0) -> np.ndarray:
    """`vectors` (N x d) as C-contiguous unit rows of `dtype`; ValueError for a non 2-d array or a bad row
    (row numbers in messages count from `first_row`, for callers that pass a slice)."""
    x = np.asarray(vectors, dtype=dtype)
    if x.ndim != 2:
        raise ValueError(f"expected an N x d array of vectors, got shape {x.shape}")
    if x.size and not np.isfinite(x).all():
        raise ValueError("vectors contain NaN or infinite values")
    norms = np.linalg.norm(x, axis=1)
    zero = np.flatnonzero(norms == 0)
    if zero.size:
        raise ValueError(f"{zero.size} zero vector(s) (first at row {int(zero[0]) + first_row}): "
                         "cosine is undefined")
    return np.ascontiguousarray(x / norms[:, None], dtype=dtype)


def _mean_pair_similarity(sums: np.ndarray, m: int) -> np.ndarray:
    """Mean cosine similarity over the distinct pairs of m unit vectors whose sum is each row of `sums`."""
    squared = np.einsum("ij,ij->i", sums, sums)
    return (squared - m) / (m * (m - 1))


def global_diversity(vectors: np.ndarray) -> float:
    """Mean cosine distance over all distinct pairs: 1 - (|sum of unit rows|^2 - N) / (N(N-1)); 0.0 when N < 2.

    Rows are normalised in float64, GLOBAL_BLOCK at a time, so the extra memory is O(GLOBAL_BLOCK * d)."""
    x = np.asarray(vectors)
    if x.ndim != 2:
        raise ValueError(f"expected an N x d array of vectors, got shape {x.shape}")
    n = len(x)
    total = np.zeros((1, x.shape[1]), dtype=np.float64)
    for start in range(0, n, GLOBAL_BLOCK):
        total += unit_rows(x[start:start + GLOBAL_BLOCK], np.float64, first_row=start).sum(axis=0)
    if n < 2:
        return 0.0
    return float(np.clip(1.0 - _mean_pair_similarity(total, n)[0], 0.0, 2.0))


def local_diversity(vectors: np.ndarray, k: int = 10, block: int | None = None, method: Method = "auto") -> float:
    """Mean over points of the mean pairwise cosine distance within {point} + its k nearest neighbours.

    k is capped at N-1 (then every neighbourhood is the whole set and the result is global_diversity).
    `block` rows of similarities are held at once (default: about 4M similarities), so memory is O(block*N).
    method: neighbours found exactly, or by the index of core.measures.neighbours (`auto`: from
    APPROX_FROM points, when faiss is installed).
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    u = unit_rows(vectors)
    n = len(u)
    if n < 2:
        return 0.0
    k = min(k, n - 1)
    if k == n - 1:
        return global_diversity(u)
    m = k + 1
    if chosen(method, n) == "approximate":
        found = nearest(u, u, k, exclude_self=True, method="approximate").indices
        missing = np.flatnonzero((found < 0).any(axis=1))  # rows the index returned short: found exactly
        if missing.size:
            found[missing] = NeighbourIndex(u, "exact").search(u[missing], k, exclude_self=True, rows=missing).indices
        rows = row_block(k * u.shape[1], block)  # neighbour vectors gathered a block of points at a time
        total = sum(float(np.sum(1.0 - _mean_pair_similarity(
            u[found[start:start + rows]].sum(axis=1, dtype=np.float64) + u[start:start + rows], m)))
            for start in range(0, n, rows))
        return float(np.clip(total / n, 0.0, 2.0))
    rows = row_block(n, block)
    total = 0.0
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        sims = u[start:stop] @ u.T
        sims[np.arange(stop - start), np.arange(start, stop)] = -np.inf  # a point is not its own neighbour
        neighbours = np.argpartition(sims, n - k, axis=1)[:, n - k:]
        del sims
        sums = u[neighbours].sum(axis=1, dtype=np.float64) + u[start:stop]
        total += float(np.sum(1.0 - _mean_pair_similarity(sums, m)))
    return float(np.clip(total / n, 0.0, 2.0))
