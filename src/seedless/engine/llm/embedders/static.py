"""Static (model2vec) embeddings without torch: tokenize, look up one vector per token, average, normalise.

The default model is the packaged `data/minilm-static/`, a model2vec distillation of all-MiniLM-L6-v2
(PCA to 256 dims, float16, SIF-weighted; rebuilt by `benchmarks/distill_static_embedder.py`). Any other
model2vec static model directory loads too: the model2vec layout (`config.json`, `model.safetensors` with
`embeddings` and optional `weights` / `mapping`, `tokenizer.json`) or the sentence-transformers
`0_StaticEmbedding/` layout. Runtime needs numpy, tokenizers and safetensors only (no torch, no model2vec).
Inference matches model2vec's `StaticModel.encode`: no special tokens, unknown tokens dropped, at most
`max_length` tokens (the model's config, 512 by default), per-token weights if the model has them, the mean.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from seedless.engine.llm.embedders.base import EmbedderUnavailable, LocalEmbedder, files_digest

PACKAGED = Path(__file__).resolve().parent / "data" / "minilm-static"
PACKAGED_NAME = "minilm-l6-v2-static256"
CHARS_PER_TOKEN_CAP = 16  # texts are cut to max_length * 16 characters before tokenizing (speed on huge texts)


@dataclass(frozen=True)
class _Layout:
    config: Path
    tensors: Path
    tokenizer: Path
    embeddings_key: str


def _layout(folder: Path) -> _Layout:
    nested = folder / "0_StaticEmbedding"
    candidates = [
        _Layout(folder / "config.json", folder / "model.safetensors", folder / "tokenizer.json", "embeddings"),
        _Layout(folder / "config_sentence_transformers.json", nested / "model.safetensors",
                nested / "tokenizer.json", "embedding.weight"),
    ]
    for layout in candidates:
        if layout.tensors.is_file() and layout.tokenizer.is_file():
            return layout
    raise EmbedderUnavailable(
        f"{folder} is not a model2vec static model: expected model.safetensors and tokenizer.json "
        "(or 0_StaticEmbedding/ with both)"
    )


class _Model:
    """The loaded arrays and tokenizer; built on first use so that constructing an embedder is cheap."""

    def __init__(self, layout: _Layout, max_length: int | None):
        from safetensors import safe_open
        from tokenizers import Tokenizer

        with safe_open(str(layout.tensors), framework="numpy") as tensors:
            keys = set(tensors.keys())
            key = layout.embeddings_key if layout.embeddings_key in keys else "embeddings"
            if key not in keys:
                raise EmbedderUnavailable(f"{layout.tensors} has no '{layout.embeddings_key}' tensor")
            self.embeddings: np.ndarray = tensors.get_tensor(key)
            self.weights: np.ndarray | None = (
                tensors.get_tensor("weights").astype(np.float32) if "weights" in keys else None
            )
            self.mapping: np.ndarray | None = tensors.get_tensor("mapping") if "mapping" in keys else None
        self.tokenizer = Tokenizer.from_file(str(layout.tokenizer))
        self.tokenizer.no_padding()
        if max_length is None:
            self.tokenizer.no_truncation()
        else:
            self.tokenizer.enable_truncation(max_length)
        self.max_length = max_length
        self.unk_id = _unk_id(self.tokenizer)
        # A text with no known token embeds as [UNK] (or token 0): equal to other such texts, never a zero row.
        self.fallback_id = self.unk_id if self.unk_id is not None else 0

    @property
    def dim(self) -> int:
        return int(self.embeddings.shape[1])

    def token_ids(self, texts: list[str]) -> list[np.ndarray]:
        if self.max_length is not None:
            cap = self.max_length * CHARS_PER_TOKEN_CAP
            texts = [t[:cap] for t in texts]
        encodings = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        out = []
        for encoding in encodings:
            ids = np.asarray(encoding.ids, dtype=np.int64)
            if self.unk_id is not None:
                ids = ids[ids != self.unk_id]
            out.append(ids if ids.size else np.asarray([self.fallback_id], dtype=np.int64))
        return out

    def vectors(self, texts: list[str], batch_size: int) -> np.ndarray:
        parts = [self.mean_vectors(texts[i:i + batch_size]) for i in range(0, len(texts), batch_size)]
        return np.concatenate(parts, axis=0)

    def mean_vectors(self, texts: list[str]) -> np.ndarray:
        per_text = self.token_ids(texts)
        ids = np.concatenate(per_text)
        starts = np.cumsum([0] + [len(x) for x in per_text[:-1]])
        rows = self.embeddings[self.mapping[ids] if self.mapping is not None else ids].astype(np.float32)
        if self.weights is not None:
            rows *= self.weights[ids][:, None]
        sums = np.add.reduceat(rows, starts, axis=0)
        return sums / np.asarray([len(x) for x in per_text], dtype=np.float32)[:, None]


def _unk_id(tokenizer: Any) -> int | None:
    unk = getattr(tokenizer.model, "unk_token", None)
    if unk is not None:
        return tokenizer.token_to_id(unk)
    unk_id = json.loads(tokenizer.to_str())["model"].get("unk_id")  # Unigram models
    return None if unk_id is None else int(unk_id)


def _config_max_length(path: Path) -> int | None:
    if not path.is_file():
        return 512
    config = json.loads(path.read_text())
    return config.get("max_length", 512) if isinstance(config, dict) else 512


class StaticEmbedder(LocalEmbedder):
    """`StaticEmbedder()` is the packaged MiniLM distillation; `StaticEmbedder(path)` any model2vec static model.

    identity: `static:<name>@<sha256 of the model files, 12 hex>`, with name `minilm-l6-v2-static256` for the
    packaged model and the directory's name otherwise; the digest ties stored embeddings to the exact files.
    `max_length` overrides the model's token limit (None: no limit). Texts are embedded `batch_size` at a time.
    """

    def __init__(self, path: str | Path | None = None, *, max_length: int | None | str = "config",
                 batch_size: int = 512):
        folder = Path(path).expanduser() if path is not None else PACKAGED
        if not folder.is_dir():
            raise EmbedderUnavailable(f"no static model directory at {folder}")
        self.path = folder
        self._layout = _layout(folder)
        self.max_length = _config_max_length(self._layout.config) if max_length == "config" else max_length
        if self.max_length is not None and (not isinstance(self.max_length, int) or self.max_length < 1):
            raise ValueError(f"max_length must be a positive integer or None, got {self.max_length!r}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.batch_size = batch_size
        name = PACKAGED_NAME if path is None else folder.resolve().name
        parts = [p for p in (self._layout.config, self._layout.tensors, self._layout.tokenizer) if p.is_file()]
        self.identity = f"static:{name}@{files_digest(parts)}"
        self._model: _Model | None = None

    def _build(self) -> _Model:
        return _Model(self._layout, self.max_length)
