"""Hand-made run directories for export tests: a resolved spec.yaml and a dataset.jsonl of valid records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from seedless.core.dataset.record import Lineage, Record

FIELDS_OUTPUT = {
    "kind": "fields", "answer_field": "answer",
    "fields": [{"name": "question"}, {"name": "options", "type": "list"}, {"name": "answer"},
               {"name": "points", "type": "integer"}],
}
TEXT_OUTPUT = {"kind": "text"}


def lineage(i: int = 0, meta_prompt: str | None = None) -> dict[str, Any]:
    return Lineage(strategy="default", mix={"Topic": ["Maths", "Fractions"]},
                   meta_prompt=meta_prompt or f"Scenario {i}: a fraction problem for a pupil.",
                   model="fake", slot=i).model_dump(mode="json")


def record(i: int, data: dict[str, Any], meta_prompt: str | None = None) -> dict[str, Any]:
    return Record(id=f"dp-{i:04d}", data=data, lineage=lineage(i, meta_prompt)).model_dump(mode="json")


def mcq(i: int) -> dict[str, Any]:
    return {"question": f"What is {i} + 1?", "options": [str(i), str(i + 1)], "answer": str(i + 1), "points": i}


def make_run(root: Path, output: dict[str, Any], rows: list[dict[str, Any]], extra_lines: list[str] = ()) -> Path:
    """A run directory with spec.yaml (this output format) and dataset.jsonl (these records, then extra lines)."""
    root.mkdir(parents=True, exist_ok=True)
    spec = {"description": "Arithmetic word problems for primary school pupils.", "output": output}
    (root / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    lines = [json.dumps(r) for r in rows] + list(extra_lines)
    (root / "dataset.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return root


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
