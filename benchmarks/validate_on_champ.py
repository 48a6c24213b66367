"""Validate `seedless eval` on real labelled data nobody on the team wrote: CHAMP (270 competition maths
problems, MIT licence, on PyPI as champ-dataset), with ground-truth categories and human step-wise solutions.

Checks: (1) a subset confined to one category gets lower coverage and lower diversity than the full set and
than a random subset of the same size; (2) the assigner's category agrees with the ground truth far above
chance; (3) Elo complexity rises with the length of the human solution (steps), our difficulty proxy (CHAMP
has no difficulty grades). Run by hand:

    pip install -e ".[validation]"     # champ-dataset==1.0.0
    python benchmarks/validate_on_champ.py --items 100 [--base-url URL --model NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
from collections import Counter
from importlib import resources
from pathlib import Path

import numpy as np

from seedless.engine.commands.evaluate import evaluate
from seedless.spec.eval_settings import EvalSettings
from seedless.spec.models import EmbeddedEndpoint, ModelsSettings
from seedless.spec.overrides import with_single_endpoint

CATEGORIES = {
    "Number-Theory": "divisibility, primes, remainders, digits and integer equations",
    "Inequality": "bounds, extreme values and proving one expression is at least another",
    "Polynomial": "roots, coefficients, factorisation and polynomial identities",
    "Sequence": "recurrences, series, limits and terms of a sequence",
    "Combinatorics": "counting arrangements, selections, paths and configurations",
}


def load_champ() -> list[dict]:
    raw = resources.files("champ_dataset").joinpath("dataset_files/v0.json").read_text(encoding="utf-8")
    problems = json.loads(raw)["problems"]
    return [{"id": p["identifier"], "problem": p["_text"], "category": p["category"], "answer": p["_answer"],
             "steps": len(p["solution"]["steps"])} for p in problems.values()]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def spearman(a: list[float], b: list[float]) -> float:
    ra = np.argsort(np.argsort(a)).astype(float)
    rb = np.argsort(np.argsort(b)).astype(float)
    return float(np.corrcoef(ra, rb)[0, 1])


def embedding_checks(rows: list[dict], embedder_name: str, seed: int) -> dict:
    """Over all 270 problems, no model calls: each category's diversity against a random subset of the same
    size, and nearest-category (embedding-mode) assignment accuracy."""
    from seedless.core.measures.diversity import global_diversity, local_diversity
    from seedless.engine.llm.embedders import make_embedder

    embedder = make_embedder(embedder_name)
    vectors = embedder.embed([r["problem"] for r in rows])
    rng = random.Random(seed)
    per_category = {}
    for cat in CATEGORIES:
        own = [i for i, r in enumerate(rows) if r["category"] == cat]
        other = rng.sample(range(len(rows)), len(own))
        per_category[cat] = {
            "items": len(own),
            "category": [round(global_diversity(vectors[own]), 4), round(local_diversity(vectors[own]), 4)],
            "random_same_size": [round(global_diversity(vectors[other]), 4),
                                 round(local_diversity(vectors[other]), 4)]}
    names = list(CATEGORIES)
    anchors = embedder.embed([f"Topic > {c}: {d}" for c, d in CATEGORIES.items()])
    nearest = np.argmax(vectors @ anchors.T, axis=1)
    correct = sum(names[j] == r["category"] for j, r in zip(nearest, rows))
    return {"embedder": embedder.identity, "full": [round(global_diversity(vectors), 4),
                                                    round(local_diversity(vectors), 4)],
            "per_category": per_category,
            "lower_than_random": sum(v["category"][0] < v["random_same_size"][0] and
                                     v["category"][1] < v["random_same_size"][1] for v in per_category.values()),
            "embedding_assignment_accuracy": round(correct / len(rows), 3)}


def run(data: Path, settings: EvalSettings, taxonomy: Path, report: Path) -> dict:
    result = asyncio.run(evaluate(data, settings, report, taxonomy=taxonomy))
    report.write_text(json.dumps(result.as_dict(), indent=1), encoding="utf-8")
    return result.as_dict()


def level1(report: dict) -> tuple[int, int]:
    level = report["coverage"]["taxonomies"][0]["levels"][0]
    return level["hit"], level["nodes"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=100, help="stratified sample size (270 = all)")
    ap.add_argument("--category", default="Combinatorics", help="the one-category subset")
    ap.add_argument("--out", default="runs/validate-champ")
    ap.add_argument("--base-url")
    ap.add_argument("--model")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--embedder", default="minilm",
                    help="minilm (the default), static, or st (sentence-transformers, the st extra)")
    ap.add_argument("--embedding-only", action="store_true", help="only the checks that need no model call")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    rows = load_champ()
    embedding = embedding_checks(rows, args.embedder, args.seed)
    if args.embedding_only:
        print(json.dumps(embedding, indent=1))
        return
    by_cat: dict[str, list[dict]] = {}
    for r in rows:
        by_cat.setdefault(r["category"], []).append(r)
    share = args.items / len(rows)
    sample = [r for cat in sorted(by_cat) for r in rng.sample(by_cat[cat], max(1, round(share * len(by_cat[cat]))))]
    one = [r for r in sample if r["category"] == args.category]
    same_size = rng.sample(sample, len(one))
    taxonomy = out / "expert_taxonomy.yaml"
    taxonomy.write_text("factors:\n- name: Topic\n  description: the area of competition mathematics\n  children:\n"
                        + "".join(f"  - name: {c}\n    description: {d}\n" for c, d in CATEGORIES.items()))
    models = ModelsSettings(endpoints={"embedded": EmbeddedEndpoint(n_parallel=4)})
    base = EvalSettings(fields=["problem"], models=models, seed=args.seed)
    if args.base_url and args.model:
        base = with_single_endpoint(base, args.base_url, args.model)  # type: ignore[arg-type]
    full = run(write_jsonl(out / "full.jsonl", sample),
               base.model_copy(update={"metrics": ["coverage", "diversity", "complexity"]}), taxonomy,
               out / "full.report.json")
    cover = base.model_copy(update={"metrics": ["coverage", "diversity"]})
    single = run(write_jsonl(out / "one_category.jsonl", one), cover, taxonomy, out / "one_category.report.json")
    random_subset = run(write_jsonl(out / "random_subset.jsonl", same_size), cover, taxonomy,
                        out / "random_subset.report.json")
    truth = {r["id"]: r["category"] for r in sample}
    assigned = {k: v.get("Topic", []) for k, v in full["coverage"]["assignments"].items()}
    placed = {k: p[1] for k, p in assigned.items() if len(p) > 1}
    correct = sum(placed[k] == truth[k] for k in placed)
    majority = max(Counter(truth.values()).values()) / len(truth)
    ratings = full["complexity"]["ratings"]
    steps = {r["id"]: r["steps"] for r in sample}
    ids = list(ratings)
    rho = spearman([ratings[i] for i in ids], [steps[i] for i in ids])
    terciles = np.array_split(sorted(ids, key=lambda i: steps[i]), 3)
    figures = {
        "embedding_checks": embedding,
        "items": len(sample), "model": full["usage"][0]["model"] if full["usage"] else None,
        "coverage_level1": {"full": level1(full), "one_category": level1(single), "random_same_size":
                            level1(random_subset)},
        "diversity": {name: (r["diversity"]["global"], r["diversity"]["local"])
                      for name, r in (("full", full), ("one_category", single), ("random_same_size", random_subset))},
        "assignment": {"placed": len(placed), "correct": correct,
                       "accuracy_of_placed": round(correct / len(placed), 3) if placed else None,
                       "accuracy_of_all": round(correct / len(sample), 3), "chance": 0.2,
                       "majority_class": round(majority, 3)},
        "complexity": {"spearman_elo_vs_solution_steps": round(rho, 3),
                       "mean_elo_by_steps_tercile": [round(float(np.mean([ratings[i] for i in t])), 1)
                                                     for t in terciles],
                       "mean_steps_by_tercile": [round(float(np.mean([steps[i] for i in t])), 2) for t in terciles]},
    }
    (out / "figures.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
