"""Contracts of `seedless run` and `seedless export` at the command line (fake endpoint, loopback stub)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from openai_stub import StubServer
from seedless.interface.cli import main

SPEC = """\
description: Word problems in arithmetic for primary school pupils.
factors:
  - {name: Topic, description: the maths topic}
  - {name: Format, description: how the problem is told, depth: 1}
taxonomy: {depth: 2, proposals: 2, min_children: 1, max_children: 3}
size: 12
output:
  kind: fields
  fields: [{name: question, max_chars: 200}, {name: answer, type: integer}]
"""
FAKE = "models:\n  endpoints: {fake: {kind: fake}}\n  default: fake\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "LINES": "50", "SEEDLESS_BASE_URL": None, "SEEDLESS_MODEL": None,
                          "SEEDLESS_API_KEY_ENV": None, "FORCE_COLOR": None, "TTY_COMPATIBLE": None})


def test_run_writes_the_dataset_and_prints_rejection_rates_per_critic(runner, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC + "generation: {max_attempts: 500, slot_attempts: 3}\n" + FAKE)
    result = runner.invoke(main, ["run", str(spec), "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert "Coverage budget N/V = 12/" in result.output
    assert "requirements" in result.output and "stage" in result.output and "per stage" in result.output
    assert f"{tmp_path / 'run' / 'dataset.jsonl'} (12 datapoints)" in result.output
    lines = (tmp_path / "run" / "dataset.jsonl").read_text().splitlines()
    assert len(lines) == 12 and (tmp_path / "run" / "dataset.parquet").is_file()
    exported = runner.invoke(main, ["export", str(tmp_path / "run"), "--format", "jsonl"])
    assert exported.exit_code == 0, exported.output
    rows = (tmp_path / "run" / "export" / "jsonl.jsonl").read_text().splitlines()
    assert [json.loads(r) for r in rows] == [json.loads(line)["data"] for line in lines]


def test_run_exits_3_at_the_attempt_bound_and_says_how_to_continue(runner, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC + "generation: {max_attempts: 3}\n" + FAKE)
    result = runner.invoke(main, ["run", str(spec), "--out", str(tmp_path / "run")])
    assert result.exit_code == 3, result.output
    assert "Raise generation.max_attempts" in result.output


def test_run_against_an_openai_server_with_base_url(runner, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("size: 12", "size: 4") + "generation: {max_attempts: 200}\n")
    with StubServer() as server:
        result = runner.invoke(main, ["run", str(spec), "--out", str(tmp_path / "run"), "--base-url", server.url,
                                      "--model", "m"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (tmp_path / "run" / "dataset.jsonl").read_text().splitlines()]
    assert len(records) == 4 and {r["lineage"]["model"] for r in records} == {"openai:m"}


def test_run_stops_at_the_budget_with_exit_1_and_says_how_to_continue(runner, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC + FAKE + "  budget: {tokens: 3000}\n")
    result = runner.invoke(main, ["run", str(spec), "--out", str(tmp_path / "run")])
    assert result.exit_code == 1, result.output
    assert "token budget (3,000) would be exceeded" in result.output and "Raise models.budget.tokens" in result.output
