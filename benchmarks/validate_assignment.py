"""Validate coverage assignment on real labelled data: the whole taxonomy in context (as the paper does it) against
the level-by-level descent, on the 72 questions of benchmarks/data/judge_set.jsonl (DeepMind mathematics_dataset,
Apache 2.0), whose `module` field is the ground truth.

The taxonomy "Topic" is written from the modules: Arithmetic > {Addition or subtraction, Multiplication, Division,
Mixed operations}; Number theory > {Remainders, Greatest common divisor, Least common multiple}; Measurement >
{Unit conversion}. `seedless eval --metrics coverage` runs twice, with coverage_assignment tree and descent, and
the script prints (and writes to --out) per mode: the share of items placed, accuracy against the module at level
1 and level 2 (over all items: an unplaced item is wrong; and over the placed ones), the level-1 confusion, calls,
tokens and seconds. Run by hand (it calls a real model):

    python benchmarks/validate_assignment.py --embedded-model qwen2.5-coder-1.5b
    python benchmarks/validate_assignment.py --base-url URL --model NAME
    python benchmarks/validate_assignment.py --fake          # the plumbing only: the fake model answers at random
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from pathlib import Path

from seedless.engine.commands.evaluate import evaluate
from seedless.spec.eval_settings import EvalSettings
from seedless.spec.models import EmbeddedEndpoint, FakeEndpoint, ModelsSettings
from seedless.spec.overrides import with_single_endpoint

JUDGE_SET = Path(__file__).parent / "data" / "judge_set.jsonl"
FACTOR = ("Topic", "the kind of school maths question")
# level-1 node -> (description, {module -> (level-2 node, description)})
TREE: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "Arithmetic": ("calculating the value of an expression", {
        "arithmetic__add_or_sub": ("Addition or subtraction", "the sum or difference of two numbers"),
        "arithmetic__mul": ("Multiplication", "the product of two numbers"),
        "arithmetic__div": ("Division", "the quotient of two numbers"),
        "arithmetic__mixed": ("Mixed operations", "an expression combining several operations and brackets"),
    }),
    "Number theory": ("properties of whole numbers", {
        "numbers__div_remainder": ("Remainders", "the remainder of a whole-number division"),
        "numbers__gcd": ("Greatest common divisor", "the largest number dividing two numbers"),
        "numbers__lcm": ("Least common multiple", "the smallest common multiple of numbers"),
    }),
    "Measurement": ("quantities with units", {
        "measurement__conversion": ("Unit conversion", "a quantity converted from one unit to another"),
    }),
}
LABEL = {module: (top, name) for top, (_, children) in TREE.items() for module, (name, _) in children.items()}
MODES = ("tree", "descent")


def taxonomy_yaml() -> str:
    lines = [f"factors:\n- name: {FACTOR[0]}\n  description: {FACTOR[1]}\n  children:\n"]
    for top, (description, children) in TREE.items():
        lines.append(f"  - name: {top}\n    description: {description}\n    children:\n")
        lines += [f"    - name: {name}\n      description: {about}\n" for name, about in children.values()]
    return "".join(lines)


def load_items() -> list[dict]:
    rows = [json.loads(line) for line in JUDGE_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"id": r["id"], "question": r["question"], "module": r["module"]} for r in rows]


def models_for(args: argparse.Namespace) -> EvalSettings:
    if args.fake:
        models = ModelsSettings(endpoints={"fake": FakeEndpoint()}, default="fake")
    elif args.embedded_model:
        models = ModelsSettings(endpoints={"embedded": EmbeddedEndpoint(model=args.embedded_model,
                                                                        n_parallel=args.n_parallel)})
    else:
        models = ModelsSettings(endpoints={"embedded": EmbeddedEndpoint(n_parallel=args.n_parallel)})
    base = EvalSettings(metrics=["coverage"], fields=["question"], coverage_batch=args.batch, models=models,
                        seed=args.seed)
    if args.base_url and args.model:
        base = with_single_endpoint(base, args.base_url, args.model)
    return base


def model_arguments(ap: argparse.ArgumentParser) -> argparse.Namespace:
    """The model options these validation scripts share (for `models_for`), parsed and checked."""
    ap.add_argument("--embedded-model", choices=["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"])
    ap.add_argument("--base-url")
    ap.add_argument("--model")
    ap.add_argument("--fake", action="store_true", help="the fake model (random valid answers): plumbing only")
    ap.add_argument("--batch", type=int, default=8, help="coverage_batch: items per assigner call")
    ap.add_argument("--n-parallel", type=int, default=4, help="embedded server slots")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if bool(args.base_url) != bool(args.model):
        ap.error("--base-url and --model go together")
    if sum(map(bool, (args.fake, args.embedded_model, args.base_url))) > 1:
        ap.error("choose one of --fake, --embedded-model, --base-url/--model")
    return args


def usage_figures(report: dict, seconds: float) -> dict:
    """Calls, tokens, model and seconds of one eval report, as these validation scripts record them."""
    usage = report.get("usage") or []
    return {"calls": sum(int(u.get("calls", 0)) for u in usage),
            "prompt_tokens": sum(int(u.get("prompt_tokens", 0)) for u in usage),
            "completion_tokens": sum(int(u.get("completion_tokens", 0)) for u in usage),
            "model": usage[0].get("model") if usage else None, "seconds": round(seconds, 1)}


def figures(report: dict, truth: dict[str, tuple[str, str]], seconds: float) -> dict:
    paths = {k: v.get(FACTOR[0], []) for k, v in report["coverage"]["assignments"].items()}
    n = len(truth)
    placed = [k for k in truth if len(paths.get(k, [])) > 1]
    deep = [k for k in truth if len(paths.get(k, [])) > 2]
    right1 = [k for k in placed if paths[k][1] == truth[k][0]]
    right2 = [k for k in deep if tuple(paths[k][1:3]) == truth[k]]
    confusion = Counter(f"{truth[k][0]} -> {paths[k][1] if k in placed else 'unplaced'}" for k in truth)
    return {
        "mode": report["coverage"]["mode"],
        "items": n, "placed": round(len(placed) / n, 3), "placed_level2": round(len(deep) / n, 3),
        "accuracy_level1": round(len(right1) / n, 3), "accuracy_level2": round(len(right2) / n, 3),
        "accuracy_level1_of_placed": round(len(right1) / len(placed), 3) if placed else None,
        "accuracy_level2_of_placed": round(len(right2) / len(deep), 3) if deep else None,
        "confusion_level1": dict(sorted(confusion.items())),
        "failures": [f for t in report["coverage"]["taxonomies"] for f in t["failures"]],
        **usage_figures(report, seconds),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/validate-assignment/figures.json", help="the figures (JSON); the "
                    "data, taxonomy, reports and call stores go beside it")
    args = model_arguments(ap)
    out = Path(args.out)
    work = out.parent
    work.mkdir(parents=True, exist_ok=True)
    rows = load_items()
    data = work / "judge_set_items.jsonl"
    data.write_text("".join(json.dumps({"id": r["id"], "question": r["question"]}) + "\n" for r in rows),
                    encoding="utf-8")
    taxonomy = work / "topic_taxonomy.yaml"
    taxonomy.write_text(taxonomy_yaml(), encoding="utf-8")
    truth = {r["id"]: LABEL[r["module"]] for r in rows}
    base = models_for(args)
    result: dict = {"data": str(JUDGE_SET), "items": len(rows), "taxonomy": taxonomy_yaml(),
                    "chance_level1": round(max(Counter(t[0] for t in truth.values()).values()) / len(rows), 3),
                    "chance_level2": round(max(Counter(truth.values()).values()) / len(rows), 3)}
    for mode in MODES:
        settings = base.model_copy(update={"coverage_assignment": mode})
        started = time.monotonic()
        report = asyncio.run(evaluate(data, settings, work / f"{mode}.report.json", taxonomy=taxonomy)).as_dict()
        (work / f"{mode}.report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
        result[mode] = figures(report, truth, time.monotonic() - started)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "taxonomy"}, indent=1))


if __name__ == "__main__":
    main()
