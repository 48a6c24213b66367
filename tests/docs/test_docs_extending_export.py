"""The export-format example of docs/extending.md runs as written: its `alpaca` format registers, and
`seedless export RUN --format alpaca` writes instruction/input/output rows; unregistered afterwards."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from extending_examples import run_example
from run_files import FIELDS_OUTPUT, make_run, mcq, read_lines, record

from seedless.engine.outputs.registry import FORMATS, unregister
from seedless.interface.cli.export import export


@click.group()
def cli() -> None:
    """A stand-in for `seedless`, which registers the command the same way."""


cli.add_command(export)


@pytest.fixture
def alpaca():
    namespace = run_example("export-format")
    try:
        yield namespace["AlpacaFormat"]
    finally:
        if "alpaca" in FORMATS:
            unregister("alpaca")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "LINES": "50", "FORCE_COLOR": None, "TTY_COMPATIBLE": None})


def test_the_example_registers_alpaca_and_export_writes_its_rows(alpaca, runner, tmp_path):
    assert isinstance(FORMATS["alpaca"], alpaca)
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, [record(i, mcq(i)) for i in range(2)])
    result = runner.invoke(cli, ["export", str(run), "--format", "alpaca"])
    assert result.exit_code == 0, result.output
    assert f"wrote {run / 'export' / 'alpaca.jsonl'}  (2 rows, format alpaca)" in result.output
    assert read_lines(run / "export" / "alpaca.jsonl") == [
        {"instruction": f"question: What is {i} + 1?\noptions:\nA. {i}\nB. {i + 1}\npoints: {i}", "input": "",
         "output": f"B. {i + 1}"} for i in range(2)]


def test_the_example_takes_the_chat_flags_with_the_system_message_as_instruction(alpaca, runner, tmp_path):
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, [record(3, mcq(3))])
    out = tmp_path / "alpaca.jsonl"
    result = runner.invoke(cli, ["export", str(run), "--format", "alpaca", "--out", str(out),
                                 "--user-fields", "question", "--system", "Answer with the number only."])
    assert result.exit_code == 0, result.output
    assert read_lines(out) == [{"instruction": "Answer with the number only.", "input": "What is 3 + 1?",
                                "output": "options:\nA. 3\nB. 4\npoints: 3\nanswer: B. 4"}]


def test_the_example_format_is_listed_by_help_while_registered_only(alpaca, runner):
    shown = " ".join(runner.invoke(cli, ["export", "--help"]).output.split())
    assert "alpaca: {instruction, input, output} for instruction tuning" in shown and "jsonl|chat|hf|alpaca" in shown
    unregister("alpaca")
    assert "alpaca" not in runner.invoke(cli, ["export", "--help"]).output
    refused = runner.invoke(cli, ["export", "RUN", "--format", "alpaca"])
    assert refused.exit_code == 2 and "'alpaca' is not one of 'jsonl', 'chat', 'hf'" in refused.output
