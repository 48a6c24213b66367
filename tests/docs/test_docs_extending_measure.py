"""Contract of docs/extending.md's eval-measure example: the documented `length` measure registers with one call, then
`seedless eval --metrics length` writes its typed section, prints its summary, and the report reads back."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from extending_examples import run_example

from seedless.core.measures.report import EvalReport
from seedless.engine.evaluation.registry import MEASURES, plugin_sections, unregister_measure
from seedless.interface.cli import main
from seedless.spec.eval_settings import EvalSettings, metric_names


@pytest.fixture
def example():
    namespace = run_example("eval-measure")
    try:
        yield namespace
    finally:
        unregister_measure("length")


def test_the_documented_measure_runs_from_the_command_line_and_its_section_reads_back(example, tmp_path):
    assert "length" in MEASURES and "length" in metric_names() and EvalSettings(metrics=["length"])
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"id": f"q{i}", "text": "x" * n}) + "\n" for i, n in enumerate((4, 8, 30))))
    runner = CliRunner(env={"COLUMNS": "200", "SEEDLESS_BASE_URL": None, "SEEDLESS_MODEL": None})
    result = runner.invoke(main, ["eval", str(data), "--metrics", "length,diversity", "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "r.json").read_text()
    written = json.loads(text)
    assert written["length"] == {"mean": 14.0, "median": 8, "longest": "q2"}
    assert list(written).index("length") == list(written).index("critic") + 1  # after the built-in sections
    assert "length mean 14.0, median 8.0 characters per item (longest: q2)" in result.output
    assert "Embedding diversity" in result.output
    report = EvalReport.read(written, plugins=plugin_sections())
    assert isinstance(report.section("length"), example["LengthSection"]) and report.model_dump() == written


def test_a_removed_measure_is_no_longer_a_metric(example):
    unregister_measure("length")
    assert "length" not in MEASURES and "length" not in metric_names()
    with pytest.raises(ValueError, match="unknown measure"):
        EvalSettings(metrics=["length"])
