"""Contracts of `seedless compare` at the command line (a loopback OpenAI-compatible stub): compare.json, the shared
taxonomy and the table; a second run reuses every call; diversity alone needs no model; usage errors exit 2."""

from __future__ import annotations

import importlib.util
import json

import pytest
from click.testing import CliRunner

from openai_stub import StubServer
from seedless.interface.cli import main

DEEP = """
factors:
- name: Topic
  depth: 2
  children:
  - name: Fractions
    children: [Halves, Quarters]
  - name: Geometry
    children: [Angles, Areas]
"""
SHALLOW = """
factors:
- name: Topic
  depth: 1
  children: [Fractions, Geometry, Algebra]
"""
HAS_PAGE = importlib.util.find_spec("seedless.interface.report.compare_page") is not None


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "LINES": "50", "SEEDLESS_BASE_URL": None, "SEEDLESS_MODEL": None,
                          "SEEDLESS_API_KEY_ENV": None, "FORCE_COLOR": None, "TTY_COMPATIBLE": None})


def write_run(path, n, taxonomy, word):
    path.mkdir(parents=True)
    path.joinpath("dataset.jsonl").write_text("".join(
        json.dumps({"id": f"{word}{i}", "question": f"{word} question {i}: " + "word " * i}) + "\n" for i in range(n)))
    path.joinpath("taxonomy.yaml").write_text(taxonomy)
    return path


def test_compare_writes_the_comparison_on_the_union_taxonomy_and_a_rerun_sends_nothing(runner, tmp_path):
    base = write_run(tmp_path / "baseline", 6, SHALLOW, "base")
    full = write_run(tmp_path / "full", 8, DEEP, "full")
    out = tmp_path / "cmp"
    with StubServer() as server:
        args = ["compare", str(base), str(full), "--out", str(out), "--field", "question", "--embedder", "static",
                "--base-url", server.url, "--model", "m"]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        again = runner.invoke(main, args)
    assert again.exit_code == 0 and "model calls sent: 0" in again.output
    comparison = json.loads((out / "compare.json").read_text())
    assert [d["name"] for d in comparison["datasets"]] == ["baseline", "full"]
    assert comparison["levels"] == 2 and comparison["pool"]["items"] == 14
    assert set(comparison["datasets"][0]["complexity"]["ratings"]) == {f"base{i}" for i in range(6)}
    union = (out / "taxonomy.yaml").read_text()
    assert "Algebra" in union and "Halves" in union
    for shown in ("shared taxonomy", "joint Elo pool", "cov.", "median", "q1-q3", "baseline", "full"):
        assert shown in result.output
    assert (out / "compare.html").is_file() == HAS_PAGE
    assert ("no page written" in result.output) != HAS_PAGE


def test_compare_of_diversity_alone_calls_no_model(runner, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("".join(json.dumps({"text": f"The same sentence {i}"}) + "\n" for i in range(6)))
    b.write_text("".join(json.dumps({"text": t}) + "\n" for t in ["Tax law", "Volcanoes", "Chess openings",
                                                                  "A sonnet", "Sourdough", "Orbital decay"]))
    result = runner.invoke(main, ["compare", str(a), str(b), "--out", str(tmp_path / "out"), "--metrics", "diversity",
                                  "--embedder", "static", "--name", "same", "--name", "varied"])
    assert result.exit_code == 0, result.output
    rows = {d["name"]: d["diversity"]["global"] for d in json.loads((tmp_path / "out" / "compare.json").read_text())
            ["datasets"]}
    assert rows["varied"] > rows["same"] and not (tmp_path / "out" / "seedless.db").exists()
    assert "global" in result.output and "Elo" not in result.output


@pytest.mark.parametrize("extra, message", [
    (["--metrics", "duplicates"], "compare measures coverage, diversity, complexity"),
    (["--name", "only"], "one --name per dataset"),
    (["--base-url", "http://127.0.0.1:9"], "--base-url and --model go together"),
])
def test_compare_usage_errors_exit_2_saying_what_is_wrong(runner, tmp_path, extra, message):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for path in (a, b):
        path.write_text(json.dumps({"text": "x"}) + "\n")
    result = runner.invoke(main, ["compare", str(a), str(b), "--out", str(tmp_path / "out"), *extra])
    assert result.exit_code == 2 and message in result.output, result.output
