"""The embedder contract: texts in, one float32 row per text out, every row of unit length; a stable identity."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """`identity` names the model, not where it runs (no URL, port or install path), and changes when the model
    does, so it can key stored embeddings. `embed` returns a (len(texts), dim) float32 array, rows L2-normalised,
    row i for texts[i]; an empty list gives a (0, dim) array."""

    identity: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


class EmbedderUnavailable(RuntimeError):
    """The embedder cannot be built here: an extra not installed, or model files missing."""


def unit_float32(rows: np.ndarray) -> np.ndarray:
    """Rows as contiguous float32 of unit length; an all-zero row stays zero (callers avoid producing one)."""
    out = np.asarray(rows, dtype=np.float32)
    if out.ndim != 2:
        raise ValueError(f"expected a 2-d array of embeddings, got shape {out.shape}")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.ascontiguousarray(out / np.where(norms > 0, norms, 1.0), dtype=np.float32)


def files_digest(paths: Iterable[Path], length: int = 12) -> str:
    """A short sha256 over the files' names and bytes, in the order given: the model part of an identity."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()[:length]
