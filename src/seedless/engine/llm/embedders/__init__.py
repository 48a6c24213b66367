"""Text embedders for evaluation: `make_embedder(name_or_url)` picks one; each returns unit-length float32 rows.

`name_or_url` forms (see docs/eval-embeddings.md for how to choose):

    None, "", "minilm"          the packaged all-MiniLM-L6-v2 run in numpy (384 dims; no torch, offline): the default
    "minilm:PATH"               any BERT directory (config.json, model.safetensors, tokenizer.json), mean-pooled
    "static"                    the packaged static distillation of MiniLM (model2vec, 256 dims): fast, approximate
    "static:PATH"               any model2vec static model directory
    "st"                        sentence-transformers all-MiniLM-L6-v2, packaged by the `st` extra (torch)
    "st:NAME_OR_PATH"           any sentence-transformers model name or local directory (the `st` extra)
    "http://..." "https://..."  an OpenAI-compatible API root (`.../v1`); `model=` is required
    PATH                        an existing directory: static if it is a model2vec model, else sentence-transformers

Keyword arguments go to the chosen embedder: `model`, `api_key_env`, `dimensions`, `max_concurrency`,
`timeout_s`, `max_retries`, `max_rate_limit_retries`, `on_retry` (OpenAI); `device` (st); `batch_size` (all).
Unknown forms raise ValueError; a missing extra raises EmbedderUnavailable naming the install command. Modules
load only when chosen.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from seedless.engine.llm.embedders.base import Embedder, EmbedderUnavailable, unit_float32

FORMS = '"minilm", "minilm:PATH", "static", "static:PATH", "st", "st:NAME_OR_PATH", an http(s) URL with model=..., or a model directory'
_OPENAI_ONLY = ("model", "api_key_env", "dimensions", "max_concurrency", "timeout_s", "max_retries",
                "max_rate_limit_retries", "on_retry")


def _is_static_dir(path: Path) -> bool:
    if (path / "0_StaticEmbedding" / "model.safetensors").is_file():
        return True
    config = path / "config.json"
    if not (config.is_file() and (path / "model.safetensors").is_file()):
        return False
    try:
        return json.loads(config.read_text()).get("model_type") == "model2vec"
    except (ValueError, AttributeError):
        return False


def _no_extras(kind: str, options: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ValueError(f"the {kind} embedder takes no {', '.join(unknown)}")


def _static(path: str | Path | None, options: dict[str, Any]) -> Embedder:
    from seedless.engine.llm.embedders.static import StaticEmbedder

    _no_extras("static", options, ("batch_size", "max_length"))
    return StaticEmbedder(path, **options)


def _minilm(path: str | Path | None, options: dict[str, Any]) -> Embedder:
    from seedless.engine.llm.embedders.transformer import TransformerEmbedder

    _no_extras("minilm", options, ("batch_size",))
    return TransformerEmbedder(path, **options)


def _st(model: str | Path | None, options: dict[str, Any]) -> Embedder:
    from seedless.engine.llm.embedders.sentence_transformer import SentenceTransformerEmbedder

    _no_extras("sentence-transformers", options, ("batch_size", "device"))
    return SentenceTransformerEmbedder(model, **options)


def embedder_note(identity: str) -> str | None:
    """What a reader of a figure should know about the embedder behind it: the static one is an approximation."""
    if identity.startswith("static:"):
        return ("the static embedder is an approximation of all-MiniLM-L6-v2 (a bag of token vectors: no word order, "
                "no context) and can misrank datasets; --embedder minilm runs the full model")
    return None


def make_embedder(name_or_url: str | None = None, **options: Any) -> Embedder:
    """The embedder named by `name_or_url` (forms in the module docstring), built with `options`."""
    spec = (name_or_url or "").strip()
    if spec in ("", "minilm"):
        return _minilm(None, options)
    if spec.startswith("minilm:"):
        return _minilm(spec.removeprefix("minilm:"), options)
    if spec == "static":
        return _static(None, options)
    if spec.startswith("static:"):
        return _static(spec.removeprefix("static:"), options)
    if spec == "st":
        return _st(None, options)
    if spec.startswith("st:"):
        return _st(spec.removeprefix("st:"), options)
    if spec.startswith(("http://", "https://")):
        from seedless.engine.llm.embedders.openai_embeddings import OpenAIEmbedder

        model = options.pop("model", None)
        if not model:
            raise ValueError(f"an embeddings endpoint needs a model name: make_embedder({spec!r}, model=...)")
        _no_extras("OpenAI-compatible", options, ("batch_size", *_OPENAI_ONLY))
        return OpenAIEmbedder(spec, model, **options)
    path = Path(spec).expanduser()
    if path.is_dir():
        return _static(path, options) if _is_static_dir(path) else _st(path, options)
    raise ValueError(f"unknown embedder {name_or_url!r}: expected {FORMS}")


__all__ = ["Embedder", "EmbedderUnavailable", "embedder_note", "make_embedder", "unit_float32"]
