"""The embedder contract: texts in, one float32 row per text out, every row of unit length; a stable identity."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

import numpy as np


class Embedder(Protocol):
    """`identity` names the model, not where it runs (no URL, port or install path), and changes when the model
    does, so it can key stored embeddings. `embed` returns a (len(texts), dim) float32 array, rows L2-normalised,
    row i for texts[i]; an empty list gives a (0, dim) array."""

    identity: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


class EmbedderUnavailable(RuntimeError):
    """The embedder cannot be built here: an extra not installed, or model files missing."""


class LocalEmbedder(ABC):
    """An in-process embedder whose model loads on the first `embed` (building one is cheap): `_build` makes the
    model (anything with `dim` and `vectors(texts, batch_size)`), `embed` returns its rows normalised."""

    batch_size: int
    _model: Any = None

    @abstractmethod
    def _build(self) -> Any:
        """The loaded model."""

    def _loaded(self) -> Any:
        if self._model is None:
            self._model = self._build()
        return self._model

    @property
    def dim(self) -> int:
        return int(self._loaded().dim)

    def embed(self, texts: list[str]) -> np.ndarray:
        model = self._loaded()
        if not texts:
            return np.zeros((0, model.dim), dtype=np.float32)
        return unit_float32(model.vectors(list(texts), self.batch_size))


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
