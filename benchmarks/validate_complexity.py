"""Validate Elo complexity on real labelled data: do the rater's calibrated ratings follow the difficulty levels of
benchmarks/data/judge_set.jsonl (DeepMind mathematics_dataset, Apache 2.0: easy, medium and hard questions of the
same eight modules)? `seedless eval --metrics complexity` rates the questions; the script prints (and writes to
--out) the Spearman correlation of Elo with the level (ties ranked by their mean rank), the mean Elo per level,
the share of easy-hard pairs of the same module ordered right, calls, tokens and seconds. Run by hand (it calls a
real model):

    python benchmarks/validate_complexity.py --embedded-model qwen2.5-coder-1.5b
    python benchmarks/validate_complexity.py --subset --embedded-model qwen2.5-coder-0.5b   # the 24-item subset
    python benchmarks/validate_complexity.py --base-url URL --model NAME
    python benchmarks/validate_complexity.py --fake          # the plumbing only: the fake model answers at random
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

import numpy as np
from validate_assignment import JUDGE_SET, model_arguments, models_for, usage_figures

from seedless.engine.commands.evaluate import evaluate

LEVELS = {"easy": 1, "medium": 2, "hard": 3}


def ranks(values: list[float]) -> np.ndarray:
    """Ranks from 1, tied values sharing their mean rank."""
    array = np.asarray(values, dtype=float)
    order = np.argsort(array, kind="stable")
    result = np.empty(len(array))
    result[order] = np.arange(1, len(array) + 1)
    for value in np.unique(array):
        tied = array == value
        result[tied] = result[tied].mean()
    return result


def spearman(a: list[float], b: list[float]) -> float:
    return float(np.corrcoef(ranks(a), ranks(b))[0, 1])


def load_rows(subset: bool) -> list[dict]:
    rows = [json.loads(line) for line in JUDGE_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if not subset or r["id"].endswith("-0")]


def figures(report: dict, rows: list[dict], seconds: float) -> dict:
    ratings = report["complexity"]["ratings"]
    rated = [r for r in rows if r["id"] in ratings]
    level = [LEVELS[r["difficulty"]] for r in rated]
    elo = [float(ratings[r["id"]]) for r in rated]
    by_level = {name: round(float(np.mean([e for e, lv in zip(elo, level) if lv == n])), 1)
                for name, n in LEVELS.items() if n in level}
    pairs = right = 0
    for easy in (r for r in rated if r["difficulty"] == "easy"):
        for hard in (r for r in rated if r["difficulty"] == "hard" and r["module"] == easy["module"]):
            pairs += 1
            right += ratings[hard["id"]] > ratings[easy["id"]]
    return {
        "items": len(rows), "rated": len(rated),
        "spearman_elo_vs_level": round(spearman(elo, level), 3),
        "mean_elo_by_level": by_level,
        "easy_hard_pairs_same_module_ordered_right": round(right / pairs, 3) if pairs else None,
        "pairs": pairs,
        **usage_figures(report, seconds),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/validate-complexity/figures.json", help="the figures (JSON); the data, "
                    "report and call store go beside it")
    ap.add_argument("--subset", action="store_true", help="only the 24 items whose id ends in -0")
    args = model_arguments(ap)
    out = Path(args.out)
    work = out.parent
    work.mkdir(parents=True, exist_ok=True)
    rows = load_rows(args.subset)
    data = work / "judge_set_questions.jsonl"
    data.write_text("".join(json.dumps({"id": r["id"], "question": r["question"]}) + "\n" for r in rows),
                    encoding="utf-8")
    settings = models_for(args).model_copy(update={"metrics": ["complexity"]})
    started = time.monotonic()
    report = asyncio.run(evaluate(data, settings, work / "complexity.report.json")).as_dict()
    (work / "complexity.report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    result = {"data": str(JUDGE_SET), **figures(report, rows, time.monotonic() - started)}
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
