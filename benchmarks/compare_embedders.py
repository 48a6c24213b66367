"""Do the embedders rank real data right? Each named embedder on real labelled sets nobody on the team wrote:
a sample drawn across all categories should be more diverse than one drawn from a single category.

Sets: CHAMP (270 competition maths problems, 5 categories; `pip install -e ".[validation]"`), the judge
set (benchmarks/data/judge_set.jsonl: 72 questions of DeepMind's mathematics_dataset generator, 8 modules)
and Python's standard library docstrings (functions and classes of 12 packages, the package as the label).
For each set and category, S seeds: `n` items of that category against `n` drawn from all categories;
an embedder is right when the mixed draw has the higher global (and local) diversity. Also: nearest-category
accuracy (leave-one-out centroid), the correlation of its pairwise cosines with MiniLM's (`st`, when listed)
and the embedding rate. Run by hand; `st` needs torch (`pip install torch==2.13.0 && pip install -e '.[st]'`):

    python benchmarks/compare_embedders.py --embedders minilm,static,st [--seeds 5] [--markdown]
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import random
import time
from importlib import resources
from pathlib import Path

import numpy as np

from seedless.core.measures.diversity import global_diversity, local_diversity
from seedless.engine.llm.embedders import make_embedder

HERE = Path(__file__).resolve().parent
STDLIB_PACKAGES = ("asyncio", "email", "json", "xml", "http", "unittest", "logging", "multiprocessing",
                   "importlib", "concurrent", "sqlite3", "urllib")


def champ() -> list[tuple[str, str]]:
    raw = resources.files("champ_dataset").joinpath("dataset_files/v0.json").read_text(encoding="utf-8")
    return [(p["_text"], p["category"]) for p in json.loads(raw)["problems"].values()]


def judge_set() -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in (HERE / "data" / "judge_set.jsonl").read_text().splitlines() if line]
    return [(r["question"], r["module"]) for r in rows]


def stdlib_docstrings(per_package: int = 60) -> list[tuple[str, str]]:
    """The first paragraph of docstrings of public functions and classes, per package (sorted, then capped)."""
    out = []
    for package in STDLIB_PACKAGES:
        seen: dict[str, str] = {}
        for name in sorted(_modules(package)):
            try:
                module = importlib.import_module(name)
            except Exception:  # noqa: BLE001 - an optional stdlib module may not import here
                continue
            for attr, obj in sorted(vars(module).items()):
                if attr.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                    continue
                doc = (inspect.getdoc(obj) or "").split("\n\n")[0].strip()
                if len(doc) >= 40 and getattr(obj, "__module__", "").startswith(package):
                    seen.setdefault(doc, package)
        out += [(doc, package) for doc in list(seen)[:per_package]]
    return out


def _modules(package: str) -> list[str]:
    import pkgutil

    root = importlib.import_module(package)
    names = [package]
    if hasattr(root, "__path__"):
        names += [m.name for m in pkgutil.walk_packages(root.__path__, package + ".") if "test" not in m.name]
    return names


SETS = {"champ": champ, "judge_set": judge_set, "stdlib_docstrings": stdlib_docstrings}


def ranking(vectors: np.ndarray, labels: list[str], seeds: int) -> dict:
    categories = sorted(set(labels))
    right_global = right_local = trials = 0
    margins = []
    for seed in range(seeds):
        rng = random.Random(seed)
        for category in categories:
            own = [i for i, label in enumerate(labels) if label == category]
            n = min(len(own), len(labels) - len(own), 60)
            if n < 5:
                continue
            one = rng.sample(own, n)
            mixed = rng.sample(range(len(labels)), n)
            g1, g2 = global_diversity(vectors[one]), global_diversity(vectors[mixed])
            right_global += g2 > g1
            right_local += local_diversity(vectors[mixed]) > local_diversity(vectors[one])
            margins.append(g2 - g1)
            trials += 1
    return {"trials": trials, "global_right": right_global, "local_right": right_local,
            "mean_global_margin": round(float(np.mean(margins)), 4)}


def nearest_centroid(vectors: np.ndarray, labels: list[str]) -> float:
    """Leave-one-out: each item's nearest category centroid (computed without the item) is its own label."""
    categories = sorted(set(labels))
    index = np.asarray([categories.index(label) for label in labels])
    sums = np.stack([vectors[index == c].sum(0) for c in range(len(categories))])
    counts = np.bincount(index, minlength=len(categories)).astype(np.float32)
    correct = 0
    for i, v in enumerate(vectors):
        s = sums.copy()
        s[index[i]] -= v
        c = counts.copy()
        c[index[i]] -= 1
        centroids = s / np.maximum(c, 1)[:, None]
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-9)
        correct += int(np.argmax(centroids @ v) == index[i])
    return round(correct / len(vectors), 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedders", default="minilm,static", help="comma-separated make_embedder forms")
    ap.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--out", type=Path, help="write the figures as JSON here")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    embedders = [make_embedder(name) for name in args.embedders.split(",")]
    figures = []
    for set_name in args.sets.split(","):
        rows = SETS[set_name]()
        texts, labels = [t for t, _ in rows], [label for _, label in rows]
        vectors = {}
        for name, embedder in zip(args.embedders.split(","), embedders):
            start = time.perf_counter()
            vectors[name] = embedder.embed(texts)
            rate = len(texts) / (time.perf_counter() - start)
            row = {"set": set_name, "items": len(texts), "categories": len(set(labels)), "embedder": name,
                   "identity": embedder.identity, "texts_per_s": round(rate),
                   "full_global": round(global_diversity(vectors[name]), 4),
                   **ranking(vectors[name], labels, args.seeds),
                   "nearest_centroid": nearest_centroid(vectors[name], labels)}
            figures.append(row)
        if "st" in vectors:
            upper = np.triu_indices(len(texts), 1)
            reference = (vectors["st"] @ vectors["st"].T)[upper]
            for row in figures:
                if row["set"] == set_name:
                    mine = (vectors[row["embedder"]] @ vectors[row["embedder"]].T)[upper]
                    row["pearson_vs_st"] = round(float(np.corrcoef(mine, reference)[0, 1]), 4)
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1) + "\n")
    if args.markdown:
        print("| set (items, categories) | embedder | one category less diverse than a mixed draw: global, local "
              "| mean global margin | nearest-centroid accuracy | pairwise cosines vs MiniLM (Pearson) | texts/s |")
        print("|---|---|---|---|---|---|---|")
        for r in figures:
            print(f"| {r['set']} ({r['items']}, {r['categories']}) | {r['embedder']} | "
                  f"{r['global_right']}/{r['trials']}, {r['local_right']}/{r['trials']} | {r['mean_global_margin']} | "
                  f"{r['nearest_centroid']} | {r.get('pearson_vs_st', '-')} | {r['texts_per_s']} |")
    else:
        print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
