"""The packaged static embedder: loads without torch, unit rows, similar texts closer, stable identity; make_embedder."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from seedless.engine.llm.embedders import EmbedderUnavailable, make_embedder
from seedless.engine.llm.embedders.static import PACKAGED, StaticEmbedder


@pytest.fixture(scope="module")
def embedder() -> StaticEmbedder:
    return StaticEmbedder()


def test_packaged_model_is_small_and_complete():
    files = {p.name: p.stat().st_size for p in PACKAGED.iterdir()}
    assert set(files) == {"config.json", "model.safetensors", "tokenizer.json"}
    assert sum(files.values()) < 16 * 1024 * 1024
    assert json.loads((PACKAGED / "config.json").read_text())["model_type"] == "model2vec"


def test_static_embedder_returns_unit_float32_rows_of_256_dims(embedder):
    vectors = embedder.embed(["A cat sleeps on the mat.", "Stocks fell sharply today.", "hello"])
    assert vectors.shape == (3, 256) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.dim == 256


def test_similar_sentences_are_closer_than_unrelated_ones(embedder):
    cat, kitten, market = embedder.embed([
        "The cat is sleeping on the warm windowsill.",
        "A kitten naps in the sun by the window.",
        "The stock market fell sharply after the interest rate announcement.",
    ])
    assert cat @ kitten > cat @ market + 0.2
    assert cat @ kitten > kitten @ market + 0.2


def test_embedding_is_deterministic_and_independent_of_batching(embedder):
    texts = [f"Question {i}: what is {i} plus {i + 1}?" for i in range(25)]
    whole = embedder.embed(texts)
    small = StaticEmbedder(batch_size=4).embed(texts)
    assert np.allclose(whole, small, atol=1e-6)
    assert np.array_equal(whole, embedder.embed(texts))
    assert np.allclose(embedder.embed(texts[3:4])[0], whole[3], atol=1e-6)


def test_identity_names_the_model_and_its_files_not_the_install_path(embedder, tmp_path):
    assert embedder.identity.startswith("static:minilm-l6-v2-static256@")
    assert StaticEmbedder().identity == embedder.identity
    copy = tmp_path / "somewhere" / "minilm-static"
    shutil.copytree(PACKAGED, copy)
    moved = StaticEmbedder(copy)
    assert moved.identity.split("@")[1] == embedder.identity.split("@")[1]
    assert np.allclose(moved.embed(["same model"]), embedder.embed(["same model"]))


def test_identity_changes_when_the_model_files_change(embedder, tmp_path):
    copy = tmp_path / "edited"
    shutil.copytree(PACKAGED, copy)
    config = json.loads((copy / "config.json").read_text())
    config["max_length"] = 64
    (copy / "config.json").write_text(json.dumps(config))
    assert StaticEmbedder(copy).identity.split("@")[1] != embedder.identity.split("@")[1]


def test_texts_without_known_tokens_embed_alike_and_never_as_zero_rows(embedder):
    vectors = embedder.embed(["", "   ", "A cat."])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[0], vectors[1])
    assert embedder.embed([]).shape == (0, 256)


def test_long_texts_are_cut_at_the_token_limit(embedder):
    long = "The cat sat on the mat. " * 400
    limited = StaticEmbedder(max_length=8).embed([long, "The cat sat on the mat. the cat sat"])
    assert np.allclose(limited[0], limited[1], atol=1e-6)
    assert embedder.embed([long]).shape == (1, 256)


def test_a_directory_without_model_files_is_refused(tmp_path):
    with pytest.raises(EmbedderUnavailable, match="not a model2vec static model"):
        StaticEmbedder(tmp_path)
    with pytest.raises(EmbedderUnavailable, match="no static model directory"):
        StaticEmbedder(tmp_path / "missing")


def test_make_embedder_builds_the_packaged_static_model_by_name(tmp_path):
    assert make_embedder("static").identity == StaticEmbedder().identity
    assert make_embedder(f"static:{PACKAGED}").identity.split("@")[1] == StaticEmbedder().identity.split("@")[1]
    assert isinstance(make_embedder(str(PACKAGED)), StaticEmbedder)
    assert make_embedder("static", batch_size=8).batch_size == 8


def test_make_embedder_refuses_unknown_forms_and_options():
    with pytest.raises(ValueError, match="unknown embedder"):
        make_embedder("word2vec")
    with pytest.raises(ValueError, match="takes no api_key_env"):
        make_embedder("static", api_key_env="KEY")
    with pytest.raises(ValueError, match="needs a model name"):
        make_embedder("http://127.0.0.1:1/v1")

