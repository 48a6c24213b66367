"""A fake-model run directory with an eval report (coverage, complexity, diversity, duplicates) for the report's
tests: made once per test session, read-only for the tests."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from seedless.engine.commands.evaluate import evaluate
from seedless.engine.commands.run import run_dataset
from seedless.spec import parse_spec
from seedless.spec.eval_settings import EvalSettings
from seedless.spec.models import FakeEndpoint, ModelsSettings

SPEC = """
name: report-test
description: Short arithmetic word problems for primary school pupils, each with one numeric answer.
factors:
  - {name: Topic, description: the arithmetic topic}
  - {name: Setting, description: where the story happens, depth: 1}
taxonomy: {depth: 2, proposals: 2, min_children: 2, max_children: 3}
size: 12
generation: {candidates: 2, complexify: 0.5, max_repairs: 1, slot_attempts: 2}
output:
  kind: fields
  fields: [{name: question, max_chars: 200}, {name: answer, type: integer}]
  answer_field: answer
models: {endpoints: {fake: {kind: fake}}, default: fake}
"""


def make_report_run(root: Path) -> Path:
    """ROOT/run (the fake model's dataset) with ROOT/run/eval.json, the eval report of it."""
    run = root / "run"
    asyncio.run(run_dataset(parse_spec(SPEC), run))
    settings = EvalSettings(models=ModelsSettings(endpoints={"fake": FakeEndpoint()}, default="fake"),
                            metrics=["coverage", "complexity", "diversity", "duplicates"])
    report = asyncio.run(evaluate(run, settings, run / "eval.json"))
    (run / "eval.json").write_text(json.dumps(report.as_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    return run
