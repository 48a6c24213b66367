"""Write benchmarks/data/judge_set.jsonl: school maths questions with known answers and a difficulty level, drawn
from DeepMind's mathematics_dataset generator (Saxton et al., 2019; Apache 2.0), for measuring judges.

mathematics_dataset needs an old sympy, so it runs in a venv of its own (not a seedless dependency):

    python3 -m venv /tmp/mdvenv && /tmp/mdvenv/bin/pip install mathematics-dataset==1.0.1 sympy==1.5.1
    /tmp/mdvenv/bin/python benchmarks/make_judge_set.py --per-module 4 --out benchmarks/data/judge_set.jsonl

Each line: {"id", "question", "answer" (text, as the generator gives it), "module", "difficulty" (easy, medium,
hard: the generator's train-easy/medium/hard entropy)}. Seeded, so the same command writes the same file.
"""

from __future__ import annotations

import argparse
import json
import random

import numpy as np
from mathematics_dataset.modules import modules
from mathematics_dataset.util import composition

MODULES = ("arithmetic__add_or_sub", "arithmetic__mul", "arithmetic__div", "arithmetic__mixed",
           "numbers__div_remainder", "numbers__gcd", "numbers__lcm", "measurement__conversion")
LEVELS = {"easy": (0, 3), "medium": (1, 3), "hard": (2, 3)}


def entropy_fn(level: int, count: int):
    lower, upper = level / count, (level + 1) / count

    def fn(range_):
        lo, hi = range_
        return lo + lower * (hi - lo), lo + upper * (hi - lo)

    return fn


def flatten(tree, prefix=""):
    for name, value in tree.items():
        full = f"{prefix}__{name}" if prefix else name
        if isinstance(value, dict):
            yield from flatten(value, full)
        else:
            yield full, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-module", type=int, default=4, help="questions per module and difficulty")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="benchmarks/data/judge_set.jsonl")
    args = parser.parse_args()
    random.seed(args.seed)
    np.random.seed(args.seed)
    rows = []
    for difficulty, (level, count) in LEVELS.items():
        available = dict(flatten(modules.train(entropy_fn(level, count))))
        for name in MODULES:
            made = 0
            while made < args.per_module:
                problem = available[name]()
                if isinstance(problem, composition.Entity):
                    continue
                question, answer = str(problem.question), str(problem.answer)
                if len(question) > 200 or len(answer) > 30:
                    continue
                rows.append({"id": f"{difficulty}-{name}-{made}", "question": question, "answer": answer,
                             "module": name, "difficulty": difficulty})
                made += 1
    with open(args.out, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} questions to {args.out}")


if __name__ == "__main__":
    main()
