"""The golden run: on the fake model, a fixed spec's dataset.jsonl, taxonomy.yaml, strategies.yaml and eval report
are pinned byte for byte (sha256), so a change that alters any output, even by one byte, is seen and decided on."""

from __future__ import annotations

import asyncio
import hashlib
import json

from seedless.engine.commands.evaluate import evaluate
from seedless.engine.commands.run import run_dataset
from seedless.spec import parse_spec
from seedless.spec.eval_settings import EvalSettings
from seedless.spec.models import FakeEndpoint, ModelsSettings

SPEC = """
description: Short arithmetic word problems for primary school pupils, each with one numeric answer.
factors:
  - {name: Topic, description: the arithmetic topic}
  - {name: Setting, description: where the story happens, depth: 1}
taxonomy: {depth: 2, proposals: 2, min_children: 2, max_children: 3}
size: 8
generation: {candidates: 2, complexify: 0.5, max_repairs: 1, slot_attempts: 2}
output:
  kind: fields
  fields: [{name: question, max_chars: 200}, {name: answer, type: integer}]
  answer_field: answer
models: {endpoints: {fake: {kind: fake}}, default: fake}
"""
# (bytes, sha256) of each file, the run's folder written as ROOT. A deliberate change of the output updates these
# (the assertion prints the new values); an unexplained one is a regression.
GOLDEN = {
    "run/dataset.jsonl": (3973, "87c0394c62b8276f"),
    "run/taxonomy.yaml": (4024, "86dc88e28eebb7ef"),
    "run/strategies.yaml": (2510, "0f4a1b598c94c461"),
    "report.json": (4447, "b97a0aa0df18ce68"),
}


def test_the_fake_model_run_and_its_eval_report_are_byte_identical_to_the_golden_files(tmp_path):
    run = tmp_path / "run"
    asyncio.run(run_dataset(parse_spec(SPEC), run))
    settings = EvalSettings(models=ModelsSettings(endpoints={"fake": FakeEndpoint()}, default="fake"))
    report = asyncio.run(evaluate(run, settings, tmp_path / "report.json"))
    (tmp_path / "report.json").write_text(json.dumps(report.as_dict(), indent=1, ensure_ascii=False),
                                          encoding="utf-8")
    seen = {}
    for name in GOLDEN:
        data = (tmp_path / name).read_bytes().replace(str(tmp_path).encode(), b"ROOT")
        seen[name] = (len(data), hashlib.sha256(data).hexdigest()[:16])
    assert seen == GOLDEN, f"outputs changed; if deliberately, GOLDEN = {seen!r}"
