"""The default embedder: all-MiniLM-L6-v2 run in numpy matches sentence-transformers, offline and without torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import seedless
from seedless.engine.llm.embedders import EmbedderUnavailable, embedder_note, make_embedder
from seedless.engine.llm.embedders.transformer import PACKAGED, TOKENS_PER_BATCH, TransformerEmbedder

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.npz"  # benchmarks/package_minilm.py --reference


@pytest.fixture(scope="module")
def embedder() -> TransformerEmbedder:
    return TransformerEmbedder()


def test_make_embedder_defaults_to_the_packaged_minilm():
    assert make_embedder().identity == TransformerEmbedder().identity
    assert make_embedder("minilm").identity.startswith("minilm:all-MiniLM-L6-v2@")
    assert make_embedder(f"minilm:{PACKAGED}").identity.split("@")[1] == TransformerEmbedder().identity.split("@")[1]
    assert make_embedder("minilm", batch_size=8).batch_size == 8
    with pytest.raises(ValueError, match="takes no device"):
        make_embedder("minilm", device="cuda")


def test_packaged_model_is_complete_and_float16():
    files = {p.name: p.stat().st_size for p in PACKAGED.iterdir()}
    assert set(files) == {"config.json", "model.safetensors", "tokenizer.json"}
    assert sum(files.values()) < 48 * 1024 * 1024
    config = json.loads((PACKAGED / "config.json").read_text())
    assert (config["model_type"], config["hidden_size"], config["max_seq_length"]) == ("bert", 384, 256)


def test_vectors_match_sentence_transformers_all_minilm(embedder):
    reference = np.load(REFERENCE)
    texts = [str(t) for t in reference["texts"]]
    vectors = embedder.embed(texts)
    assert vectors.shape == (len(texts), 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = (vectors * reference["vectors"]).sum(axis=1)
    assert cosines.min() > 0.99999, cosines


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(embedder):
    cat, kitten, stocks = embedder.embed(["A cat sleeps on the mat.", "A kitten naps on the rug.",
                                          "Stocks fell sharply today."])
    assert cat @ kitten > 0.5 > cat @ stocks


def test_batching_and_order_do_not_change_a_vector(embedder):
    texts = [f"item {i}: " + "word " * (i % 37) for i in range(70)] + ["x " * 400]
    whole = embedder.embed(texts)
    small = TransformerEmbedder(batch_size=3).embed(texts[::-1])[::-1]
    assert np.abs(whole - small).max() < 1e-5
    assert TOKENS_PER_BATCH >= 256  # a text at the 256-token limit fits in one pass


def test_long_texts_are_cut_at_256_tokens(embedder):
    base = "The river flows past the old mill. " * 60
    a, b = embedder.embed([base, base + "Completely different ending about quantum chromodynamics."])
    assert a @ b > 0.9999


def test_empty_input_gives_an_empty_array(embedder):
    assert embedder.embed([]).shape == (0, 384)


def test_identity_changes_with_the_files_and_names_the_directory(embedder, tmp_path):
    copy = tmp_path / "my-bert"
    shutil.copytree(PACKAGED, copy)
    assert TransformerEmbedder(copy).identity == "minilm:my-bert@" + embedder.identity.split("@")[1]
    config = json.loads((copy / "config.json").read_text())
    (copy / "config.json").write_text(json.dumps({**config, "layer_norm_eps": 1e-6}))
    assert TransformerEmbedder(copy).identity != TransformerEmbedder(PACKAGED).identity


def test_a_directory_it_cannot_run_is_refused_with_the_reason(tmp_path):
    with pytest.raises(EmbedderUnavailable, match="missing config.json"):
        TransformerEmbedder(tmp_path)
    copy = tmp_path / "cls"
    shutil.copytree(PACKAGED, copy)
    (copy / "1_Pooling").mkdir()
    (copy / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    with pytest.raises(EmbedderUnavailable, match="mean only"):
        TransformerEmbedder(copy).embed(["a"])


def test_only_the_static_embedder_is_noted_as_an_approximation():
    assert "approximation" in embedder_note(make_embedder("static").identity)
    assert embedder_note(make_embedder().identity) is None


@pytest.mark.parametrize(("name", "dims"), [("minilm", 384), ("static", 256)])
def test_the_packaged_embedders_load_without_torch_or_model2vec(name, dims):
    code = (
        "import sys; from seedless.engine.llm.embedders import make_embedder; "
        f"v = make_embedder({name!r}).embed(['a cat']); "
        "heavy = {'torch', 'transformers', 'sentence_transformers', 'model2vec'} & set(sys.modules); "
        "assert not heavy, heavy; print(v.shape)"
    )
    src = str(Path(seedless.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"(1, {dims})"
