"""Nearest neighbours by cosine: exact (blockwise numpy) for small sets, an inverted-file index (faiss) past APPROX_FROM.

`nearest(queries, base, k)` gives each query row its k most similar base rows, most similar first. The exact
path computes every similarity, `block` rows at a time (O(block * len(base)) memory). The approximate path
builds a faiss IVF-Flat index over `base` (inner product on unit float32 rows; sqrt(N) lists trained by k-means
on evenly spaced rows, so a run repeats itself) and searches the NPROBE lists nearest each query: about
NPROBE / sqrt(N) of the work, with recall near 1 for the high similarities near-duplicate and contamination
checks look for (measured against the exact path in benchmarks/diversity_speed.py and the tests). An HNSW
graph (usearch, faiss) was slower than exact search on 2 cores at 100,000 x 384 (docs/eval-embeddings.md).
`method="auto"` picks the index when the larger side has at least APPROX_FROM rows and faiss is installed
(the `ann` extra, part of `local`), else the exact path; `exact` and `approximate` force one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

BLOCK_ELEMENTS = 1 << 22  # similarities per block when block=None: 4M (16 MB float32 + 32 MB argpartition)
APPROX_FROM = 50_000  # rows from which `auto` uses the index (exact search takes minutes past here on 2 cores)
NPROBE = 8  # lists searched per query
TRAIN_PER_LIST = 64  # k-means training rows per list (at most)
Method = Literal["auto", "exact", "approximate"]


def row_block(n_columns: int, block: int | None = None) -> int:
    """Rows per block: `block` when given (at least 1), else about BLOCK_ELEMENTS / n_columns."""
    if block is not None:
        if block < 1:
            raise ValueError(f"block must be at least 1, got {block}")
        return block
    return max(1, BLOCK_ELEMENTS // max(1, n_columns))


@dataclass(frozen=True, eq=False)
class Neighbours:
    """Row i: the indices (into base) of query i's nearest base rows and their cosine similarities, best first;
    index -1 and similarity -inf pad rows with fewer than k found. `method` is the path that ran."""

    indices: np.ndarray
    similarities: np.ndarray
    method: Literal["exact", "approximate"]


def approximate_available() -> bool:
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


def chosen(method: Method, rows: int) -> Literal["exact", "approximate"]:
    """The path `method` resolves to for a search whose larger side has `rows` rows."""
    if method == "auto":
        return "approximate" if rows >= APPROX_FROM and approximate_available() else "exact"
    if method == "approximate" and not approximate_available():
        raise RuntimeError("approximate neighbour search needs faiss: pip install 'seedless[ann]'")
    return method


class NeighbourIndex:
    """`base` (unit rows) ready to search: the faiss index is built once, on the first approximate search."""

    def __init__(self, base: np.ndarray, method: Method = "auto", block: int | None = None):
        self.base = base
        self.block = block
        self.method: Literal["exact", "approximate"] = chosen(method, len(base))
        self._index: object | None = None

    def search(self, queries: np.ndarray, k: int, *, exclude_self: bool = False,
               rows: np.ndarray | None = None) -> Neighbours:
        """The k nearest base rows of each query. exclude_self: query i is base row `rows[i]` (default i), never
        its own neighbour."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        own = (np.arange(len(queries)) if rows is None else np.asarray(rows)) if exclude_self else None
        k = min(k, len(self.base) - (1 if exclude_self else 0))
        if k < 1 or not len(queries):
            empty = np.zeros((len(queries), 0))
            return Neighbours(empty.astype(np.int64), empty.astype(np.float32), self.method)
        if self.method == "exact":
            return _exact(queries, self.base, k, own, self.block)
        return self._approximate(queries, k, own)

    def _approximate(self, queries: np.ndarray, k: int, own: np.ndarray | None) -> Neighbours:
        import faiss

        if self._index is None:
            base = np.ascontiguousarray(self.base, dtype=np.float32)
            lists = max(1, int(round(math.sqrt(len(base)))))
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(base.shape[1]), base.shape[1], lists,
                                       faiss.METRIC_INNER_PRODUCT)
            index.train(base[:: max(1, len(base) // (TRAIN_PER_LIST * lists))])
            index.add(base)
            index.nprobe = min(lists, NPROBE)
            self._index = index
        want = k + (1 if own is not None else 0)
        similarities, keys = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), want)  # type: ignore[attr-defined]
        valid = keys >= 0
        if own is not None:
            valid &= keys != own[:, None]
        similarities = np.where(valid, similarities, -np.inf).astype(np.float32)
        order = np.argsort(-similarities, axis=1, kind="stable")[:, :k]
        indices = np.where(np.take_along_axis(valid, order, axis=1), np.take_along_axis(keys, order, axis=1), -1)
        return Neighbours(indices.astype(np.int64), np.take_along_axis(similarities, order, axis=1), "approximate")


def nearest(queries: np.ndarray, base: np.ndarray, k: int, *, exclude_self: bool = False,
            method: Method = "auto", block: int | None = None) -> Neighbours:
    """The k nearest base rows of each query row by cosine, on unit rows (the caller normalises).

    exclude_self: queries and base are the same array and a row is never its own neighbour."""
    return NeighbourIndex(base, chosen(method, max(len(queries), len(base))), block).search(
        queries, k, exclude_self=exclude_self)


def _exact(queries: np.ndarray, base: np.ndarray, k: int, own: np.ndarray | None, block: int | None) -> Neighbours:
    n = len(queries)
    indices = np.empty((n, k), dtype=np.int64)
    similarities = np.empty((n, k), dtype=np.float32)
    rows = row_block(len(base), block)
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        sims = queries[start:stop] @ base.T
        if own is not None:
            sims[np.arange(stop - start), own[start:stop]] = -np.inf
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < sims.shape[1] else np.argsort(-sims, axis=1)
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        indices[start:stop] = np.take_along_axis(top, order, axis=1)
        similarities[start:stop] = np.take_along_axis(top_sims, order, axis=1)
    return Neighbours(indices, similarities, "exact")
