"""Contracts of `seedless eval` and `seedless split` at the command line (a loopback OpenAI-compatible stub)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from openai_stub import StubServer
from seedless.interface.cli import main

TAXONOMY = """
factors:
- name: Topic
  children: [Fractions, Geometry, Algebra]
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "LINES": "50", "SEEDLESS_BASE_URL": None, "SEEDLESS_MODEL": None,
                          "SEEDLESS_API_KEY_ENV": None, "FORCE_COLOR": None, "TTY_COMPATIBLE": None})


def write(tmp_path, n=12):
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"id": f"q{i}", "question": f"Question {i}: " + "word " * i}) + "\n"
                            for i in range(n)))
    (tmp_path / "tax.yaml").write_text(TAXONOMY)
    return data


def test_eval_writes_every_measure_then_split_writes_tiers(runner, tmp_path):
    data = write(tmp_path)
    with StubServer() as server:
        args = ["eval", str(data), "--taxonomy", str(tmp_path / "tax.yaml"), "--out", str(tmp_path / "r.json"),
                "--base-url", server.url, "--model", "m"]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        again = runner.invoke(main, args)
    assert "reused from the store" in again.output and "model calls sent: 0" in again.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["items"] == 12 and report["coverage"]["taxonomies"][0]["factor"] == "Topic"
    assert set(report["complexity"]["ratings"]) == {f"q{i}" for i in range(12)}
    assert 0 < report["diversity"]["global"] <= 2 and report["duplicates"]["threshold"] == 0.95
    assert "Taxonomic coverage (model: whole taxonomy in context)" in result.output and "Embedding diversity" in result.output
    split = runner.invoke(main, ["split", str(data), "--report", str(tmp_path / "r.json"), "--out",
                                 str(tmp_path / "tiers")])
    assert split.exit_code == 0, split.output
    counts = [len((tmp_path / "tiers" / f"tier_{t}.jsonl").read_text().splitlines()) for t in (1, 2, 3)]
    assert sum(counts) == 12


def test_eval_of_a_bad_file_exits_2_naming_the_line(runner, tmp_path):
    data = tmp_path / "bad.jsonl"
    data.write_text('{"text": "fine"}\nnot json\n')
    result = runner.invoke(main, ["eval", str(data), "--out", str(tmp_path / "r.json"), "--metrics", "diversity"])
    assert result.exit_code == 2 and "bad.jsonl:2: not JSON" in result.output


def test_eval_without_a_taxonomy_skips_coverage_and_says_so(runner, tmp_path):
    data = write(tmp_path, 4)
    result = runner.invoke(main, ["eval", str(data), "--out", str(tmp_path / "r.json"),
                                  "--metrics", "coverage,diversity,duplicates"])
    assert result.exit_code == 0, result.output
    assert "coverage skipped: no taxonomy" in result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["coverage"] is None and report["diversity"]["k"] == 10


def test_eval_error_messages_show_file_names_as_written_not_as_markup_or_emoji(runner, tmp_path):
    data = tmp_path / "q :fire: [red]x.jsonl"
    data.write_text('{"text": "fine"}\nnot json\n')
    result = runner.invoke(main, ["eval", str(data), "--out", str(tmp_path / "r.json"), "--metrics", "diversity"])
    assert result.exit_code == 2 and "q :fire: [red]x.jsonl:2: not JSON" in result.output


def test_a_token_budget_stops_eval_cleanly_and_the_same_command_with_more_budget_continues(runner, tmp_path):
    data = write(tmp_path)
    with StubServer() as server:
        args = ["eval", str(data), "--out", str(tmp_path / "r.json"), "--metrics", "complexity",
                "--base-url", server.url, "--model", "m"]
        stopped = runner.invoke(main, args + ["--budget-tokens", "600"])
        assert stopped.exit_code == 1 and "budget" in stopped.output.lower(), stopped.output
        assert "run the same command again to continue" in " ".join(stopped.output.split())
        done = runner.invoke(main, args + ["--budget-tokens", "1000000"])
    assert done.exit_code == 0, done.output
    assert set(json.loads((tmp_path / "r.json").read_text())["complexity"]["ratings"]) == {f"q{i}" for i in range(12)}


def test_a_packaged_judge_and_a_server_are_one_or_the_other(runner, tmp_path):
    data = write(tmp_path)
    result = runner.invoke(main, ["eval", str(data), "--out", str(tmp_path / "r.json"), "--metrics", "complexity",
                                  "--embedded-model", "qwen2.5-coder-1.5b", "--base-url", "http://127.0.0.1:9/v1",
                                  "--model", "m"])
    assert result.exit_code == 2 and "choose one" in result.output


def test_eval_names_its_embedder_and_warns_only_for_the_static_approximation(runner, tmp_path):
    data = write(tmp_path)
    common = ["eval", str(data), "--metrics", "diversity,duplicates"]
    default = runner.invoke(main, [*common, "--out", str(tmp_path / "a.json")])
    assert default.exit_code == 0, default.output
    assert default.output.count("minilm:all-MiniLM-L6-v2@") == 2 and "approximation" not in default.output
    static = runner.invoke(main, [*common, "--embedder", "static", "--out", str(tmp_path / "b.json")])
    assert static.exit_code == 0, static.output
    assert "static:minilm-l6-v2-static256@" in static.output and "is an approximation of all-MiniLM-L6-v2" in static.output
    assert json.loads((tmp_path / "a.json").read_text())["duplicates"]["embedder"].startswith("minilm:")


def test_eval_of_a_run_directory_writes_its_report_into_it_unless_told_otherwise(runner, tmp_path):
    from run_files import FIELDS_OUTPUT, make_run, mcq, record

    run = make_run(tmp_path / "run", FIELDS_OUTPUT, [record(i, mcq(i)) for i in range(4)])
    result = runner.invoke(main, ["eval", str(run), "--metrics", "diversity", "--embedder", "static"])
    assert result.exit_code == 0, result.output
    assert json.loads((run / "eval.json").read_text())["items"] == 4
    data = write(tmp_path)
    refused = runner.invoke(main, ["eval", str(data), "--metrics", "diversity"])
    assert refused.exit_code == 2 and "--out REPORT.json is needed unless DATA is a run directory" in refused.output
