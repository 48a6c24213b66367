"""Contracts of `seedless eval --metrics taxonomy_quality,critic` at the command line: flag errors exit 2 with a clear
message; both measures run against a loopback OpenAI-compatible stub, are summarised, and resume."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from openai_stub import StubServer
from seedless.interface.cli import main

GENERATED = """
factors:
- name: Topic
  children:
  - name: Fractions
    children: [Halves, Quarters]
  - Geometry
"""
EXPERT = """
factors:
- name: Topic
  children:
  - name: Fractions
    children: [Halves]
  - Algebra
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "LINES": "50", "SEEDLESS_BASE_URL": None, "SEEDLESS_MODEL": None,
                          "SEEDLESS_API_KEY_ENV": None, "FORCE_COLOR": None, "TTY_COMPATIBLE": None})


@pytest.fixture
def files(tmp_path):
    (tmp_path / "gen.yaml").write_text(GENERATED)
    (tmp_path / "expert.yaml").write_text(EXPERT)
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"id": f"q{i}", "question": f"{i} + {i}?", "answer": 2 * i}) + "\n"
                            for i in range(3)))
    return tmp_path


def invoke(runner, files, *args):
    return runner.invoke(main, ["eval", *args, "--out", str(files / "r.json")])


@pytest.mark.parametrize("args, message", [
    (["DATA", "--metrics", "critic"], "the critic measure needs --answer-field NAME"),
    (["--metrics", "taxonomy_quality", "--taxonomy", "GEN"], "taxonomy_quality needs --expert EXPERT.yaml"),
    (["--metrics", "taxonomy_quality", "--expert", "EXPERT"], "taxonomy_quality needs the generated taxonomy"),
    (["--metrics", "coverage,taxonomy_quality", "--taxonomy", "GEN", "--expert", "EXPERT"],
     "missing DATA: coverage measure"),
    (["DATA", "--metrics", "critics", "--answer-field", "answer"], "unknown measure(s) critics"),
    (["DATA", "--metrics", "critic", "--answer-field", "answer", "--generator-accuracy", "1.5"],
     "--generator-accuracy"),
])
def test_flag_errors_exit_2_saying_what_is_missing(runner, files, args, message):
    paths = {"DATA": str(files / "data.jsonl"), "GEN": str(files / "gen.yaml"), "EXPERT": str(files / "expert.yaml")}
    result = invoke(runner, files, *[paths.get(a, a) for a in args])
    assert result.exit_code == 2 and message in result.output, result.output


def test_taxonomy_quality_needs_no_data_and_critic_runs_on_answers_then_both_resume(runner, files):
    with StubServer() as server:
        args = [str(files / "data.jsonl"), "--metrics", "taxonomy_quality,critic", "--taxonomy",
                str(files / "gen.yaml"), "--expert", str(files / "expert.yaml"), "--answer-field", "answer",
                "--generator-accuracy", "0.8", "--base-url", server.url, "--model", "m"]
        result = invoke(runner, files, *args)
        assert result.exit_code == 0, result.output
        again = invoke(runner, files, *args)
        alone = runner.invoke(main, ["eval", "--metrics", "taxonomy_quality", "--taxonomy", str(files / "gen.yaml"),
                                     "--expert", str(files / "expert.yaml"), "--out", str(files / "t.json"),
                                     "--base-url", server.url, "--model", "m"])
    assert "model calls sent: 0" in again.output
    assert alone.exit_code == 0, alone.output
    report = json.loads((files / "r.json").read_text())
    assert report["taxonomy_quality"]["expert_nodes"] == 3 and report["taxonomy_quality"]["factors"][0]["factor"] == "Topic"
    assert report["critic"]["items"] == 3 and [f["mu"] for f in report["critic"]["filtering"]] == [0.5, 0.7, 0.8, 0.9]
    assert "Taxonomy quality" in result.output and "Critic effectiveness (answer field answer)" in result.output
    assert json.loads((files / "t.json").read_text())["data"] is None


def test_the_default_metrics_leave_out_the_opt_in_measures(runner, files):
    result = runner.invoke(main, ["eval", "--help"])
    assert "[default: coverage,diversity,complexity,duplicates]" in " ".join(result.output.split())
