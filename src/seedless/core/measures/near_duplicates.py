"""Near-duplicates by cosine similarity: groups within one set (union-find) and contamination against a reference.

Exact: numpy, blockwise, at most `block` rows of similarities at once (O(block*N) memory, never N x N), every
pair computed. Approximate (from core.measures.neighbours.APPROX_FROM rows, or `method="approximate"`): each item's
nearest neighbours from an inverted-file index, k = 16 and four times more for an item whose k-th is still a duplicate,
so a group of any size is found whole; a pair the index misses is the only difference (a test compares them).
Two items are near-duplicates when the cosine similarity of their embeddings is >= `threshold`; groups are the
connected components of that relation (so a group may chain a ~ b ~ c with a and c further apart).

Default threshold 0.95 (our choice): measured with all-MiniLM-L6-v2 and its packaged static distillation,
copies and trivial edits (case, punctuation, one changed word) score about 0.83-1.0, paraphrases mostly
0.55-0.94, same-topic texts below 0.75 and unrelated ones below 0.2 (docs/eval-embeddings.md). 0.95 flags
copies and near-copies and errs toward leaving paraphrases alone; scores depend on the embedder, so
recalibrate the threshold for another one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seedless.core.measures.diversity import unit_rows
from seedless.core.measures.neighbours import Method, NeighbourIndex, chosen, row_block

DEFAULT_THRESHOLD = 0.95
FIRST_K = 16  # approximate path: neighbours asked for first (x4 for items whose k-th is still a duplicate)


@dataclass(frozen=True)
class NearDuplicates:
    """groups: each a sorted tuple of >= 2 row indices, ordered by first index; pairs: pairs >= threshold."""

    groups: tuple[tuple[int, ...], ...]
    pairs: int
    n: int
    threshold: float

    @property
    def redundant(self) -> int:
        """Items beyond the first of each group: what keeping one item per group would drop."""
        return sum(len(g) - 1 for g in self.groups)

    @property
    def redundant_fraction(self) -> float:
        return self.redundant / self.n if self.n else 0.0


@dataclass(frozen=True, eq=False)
class Contamination:
    """Per item: the index of its most similar reference row and that similarity (-1 and NaN when the
    reference is empty); an item is contaminated when its best similarity is >= threshold."""

    best_index: np.ndarray
    best_similarity: np.ndarray
    threshold: float

    @property
    def contaminated(self) -> np.ndarray:
        return np.greater_equal(self.best_similarity, self.threshold, where=~np.isnan(self.best_similarity),
                                out=np.zeros(self.best_similarity.shape, dtype=bool))

    @property
    def count(self) -> int:
        return int(self.contaminated.sum())

    @property
    def fraction(self) -> float:
        return self.count / len(self.best_index) if len(self.best_index) else 0.0


def _check_threshold(threshold: float) -> None:
    if not -1.0 <= threshold <= 1.0:
        raise ValueError(f"threshold is a cosine similarity in [-1, 1], got {threshold}")


def _roots(parent: np.ndarray) -> np.ndarray:
    """Pointer jumping to a fixed point: every entry then holds its root (the smallest index of its group)."""
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return parent
        parent = grand


def _union(parent: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Join the groups of each pair (a[i], b[i]). Roots always hook to a smaller root, so parent[x] <= x."""
    while a.size:
        parent = _roots(parent)
        ra, rb = parent[a], parent[b]
        apart = ra != rb
        lo, hi = np.minimum(ra[apart], rb[apart]), np.maximum(ra[apart], rb[apart])
        np.minimum.at(parent, hi, lo)  # a root hooked from several pairs takes the smallest; the rest retry
        a, b = lo, hi
    return parent


def _approximate_pairs(u: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) at >= threshold among each row's nearest neighbours, widening k where all k qualify."""
    index = NeighbourIndex(u, "approximate")
    rows, k, found = np.arange(len(u)), FIRST_K, []
    while rows.size:
        near = index.search(u[rows], k, exclude_self=True, rows=rows)
        hits = near.similarities >= threshold
        r, c = np.nonzero(hits)
        found.append(np.stack([rows[r], near.indices[r, c]], axis=1))
        if k >= len(u) - 1:
            break
        rows, k = rows[hits[:, -1]], k * 4
    pairs = np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)
    pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


def near_duplicates(vectors: np.ndarray, threshold: float = DEFAULT_THRESHOLD,
                    block: int | None = None, method: Method = "auto") -> NearDuplicates:
    """Groups of rows whose cosine similarity chains at >= threshold; exact: only the upper triangle is computed."""
    _check_threshold(threshold)
    u = unit_rows(vectors)
    n = len(u)
    parent = np.arange(n, dtype=np.int64)
    pairs = 0
    if n > 1 and chosen(method, n) == "approximate":
        i, j = _approximate_pairs(u, threshold)
        return _grouped(_union(parent, i, j) if i.size else parent, int(i.size), n, threshold)
    rows = row_block(n, block)
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        hits = (u[start:stop] @ u[start:].T) >= threshold  # columns are rows start.. of u
        width = stop - start
        hits[:, :width] &= np.triu(np.ones((width, width), dtype=bool), k=1)  # j > i only
        i, j = np.nonzero(hits)
        del hits
        pairs += int(i.size)
        if i.size:
            parent = _union(parent, i + start, j + start)
    return _grouped(parent, pairs, n, threshold)


def _grouped(parent: np.ndarray, pairs: int, n: int, threshold: float) -> NearDuplicates:
    roots = _roots(parent)
    order = np.argsort(roots, kind="stable")
    bounds = np.flatnonzero(np.diff(roots[order])) + 1
    groups = tuple(tuple(int(x) for x in g) for g in np.split(order, bounds) if len(g) > 1)
    return NearDuplicates(groups=groups, pairs=pairs, n=n, threshold=threshold)


def contamination(items: np.ndarray, reference: np.ndarray, threshold: float = DEFAULT_THRESHOLD,
                  block: int | None = None, method: Method = "auto") -> Contamination:
    """For each item row, the most similar reference row (exact: first on ties) and whether it is >= threshold."""
    _check_threshold(threshold)
    x, ref = unit_rows(items), unit_rows(reference)
    if x.shape[1] != ref.shape[1] and len(x) and len(ref):
        raise ValueError(f"items have {x.shape[1]} dimensions, the reference {ref.shape[1]}")
    n = len(x)
    best_index = np.full(n, -1, dtype=np.int64)
    best_similarity = np.full(n, np.nan, dtype=np.float32)
    if len(ref) and n and chosen(method, max(n, len(ref))) == "approximate":
        near = NeighbourIndex(ref, "approximate").search(x, 1)
        best_index, best_similarity = near.indices[:, 0], near.similarities[:, 0]
        best_similarity[best_index < 0] = np.nan
    elif len(ref):
        rows = row_block(len(ref), block)
        for start in range(0, n, rows):
            sims = x[start:start + rows] @ ref.T
            top = sims.argmax(axis=1)
            best_index[start:start + rows] = top
            best_similarity[start:start + rows] = sims[np.arange(len(top)), top]
    return Contamination(best_index=best_index, best_similarity=best_similarity, threshold=threshold)
