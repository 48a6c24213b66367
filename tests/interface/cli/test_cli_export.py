"""The `seedless export` command: what it wrote and how many rows; input problems as a red error and exit 2."""

from __future__ import annotations

import sys

import click
import pytest
from click.testing import CliRunner

from run_files import FIELDS_OUTPUT, make_run, mcq, read_lines, record
from seedless.interface.cli.export import export


@click.group()
def cli() -> None:
    """A stand-in for `seedless`, which registers the command the same way."""


cli.add_command(export)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "LINES": "50", "FORCE_COLOR": None, "TTY_COMPATIBLE": None})


def test_export_command_says_what_it_wrote_and_how_many_rows(runner, tmp_path):
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, [record(i, mcq(i)) for i in range(2)])
    result = runner.invoke(cli, ["export", str(run)])
    assert result.exit_code == 0, result.output
    assert f"wrote {run / 'export' / 'jsonl.jsonl'}  (2 rows, format jsonl)" in result.output
    assert len(read_lines(run / "export" / "jsonl.jsonl")) == 2


def test_export_command_chat_takes_comma_separated_fields_and_a_system_message(runner, tmp_path):
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, [record(3, mcq(3))])
    out = tmp_path / "sft.jsonl"
    result = runner.invoke(cli, ["export", str(run), "--format", "chat", "--out", str(out),
                                 "--user-fields", "question, options", "--assistant-fields", "answer",
                                 "--system", "Pick one option."])
    assert result.exit_code == 0, result.output
    assert "(1 row, format chat)" in result.output
    (line,) = read_lines(out)
    assert line["messages"] == [{"role": "system", "content": "Pick one option."},
                                {"role": "user", "content": "question: What is 3 + 1?\noptions:\nA. 3\nB. 4"},
                                {"role": "assistant", "content": "B. 4"}]


def test_export_command_without_a_dataset_prints_a_red_error_and_exits_2(runner, tmp_path):
    (tmp_path / "run").mkdir()
    result = runner.invoke(cli, ["export", str(tmp_path / "run")], env={"FORCE_COLOR": "1"})
    assert result.exit_code == 2
    assert "\x1b[31merror\x1b[0m" in result.output and "dataset.jsonl not found" in result.output


def test_export_command_names_the_bad_line(runner, tmp_path):
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, [record(0, mcq(0))], extra_lines=["{oops"])
    result = runner.invoke(cli, ["export", str(run), "--format", "chat"])
    assert result.exit_code == 2
    assert "error" in result.output and "dataset.jsonl:2: not JSON" in result.output


def test_export_command_tells_how_to_map_unmappable_fields(runner, tmp_path):
    output = {"kind": "fields", "fields": [{"name": "title"}, {"name": "body"}]}
    run = make_run(tmp_path / "run", output, [record(0, {"title": "t", "body": "b"})])
    result = runner.invoke(cli, ["export", str(run), "--format", "chat"])
    assert result.exit_code == 2
    assert "--user-fields and --assistant-fields" in result.output
    fixed = runner.invoke(cli, ["export", str(run), "--format", "chat", "--assistant-fields", "body"])
    assert fixed.exit_code == 0, fixed.output


def test_export_command_mapping_flags_need_the_chat_format(runner, tmp_path):
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, [record(0, mcq(0))])
    result = runner.invoke(cli, ["export", str(run), "--system", "x"])
    assert result.exit_code == 2
    assert "apply to --format chat only" in result.output


def test_export_command_hf_without_datasets_says_how_to_install_it(runner, tmp_path, monkeypatch):
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, [record(0, mcq(0))])
    monkeypatch.setitem(sys.modules, "datasets", None)
    result = runner.invoke(cli, ["export", str(run), "--format", "hf"])
    assert result.exit_code == 2
    assert "pip install 'seedless[hf]'" in result.output


SPEC_CHAT = {**FIELDS_OUTPUT, "chat": {"user_fields": ["@meta_prompt", "question", "options"],
                                       "assistant_fields": ["answer"], "system": "Pick one option."}}


def test_export_command_chat_uses_the_mapping_of_the_runs_spec(runner, tmp_path):
    run = make_run(tmp_path / "run", SPEC_CHAT, [record(3, mcq(3), "A pupil adds.")])
    result = runner.invoke(cli, ["export", str(run), "--format", "chat"])
    assert result.exit_code == 0, result.output
    (line,) = read_lines(run / "export" / "chat.jsonl")
    assert line["messages"] == [
        {"role": "system", "content": "Pick one option."},
        {"role": "user", "content": "meta_prompt: A pupil adds.\nquestion: What is 3 + 1?\noptions:\nA. 3\nB. 4"},
        {"role": "assistant", "content": "B. 4"}]


def test_export_command_chat_flags_override_the_spec_mapping_one_by_one(runner, tmp_path):
    run = make_run(tmp_path / "run", SPEC_CHAT, [record(3, mcq(3), "A pupil adds.")])
    result = runner.invoke(cli, ["export", str(run), "--format", "chat", "--user-fields", "question",
                                 "--system", "Answer with the number only."])
    assert result.exit_code == 0, result.output
    (line,) = read_lines(run / "export" / "chat.jsonl")
    assert line["messages"] == [  # the spec's assistant fields kept; no options in the mapping: the answer as it is
        {"role": "system", "content": "Answer with the number only."},
        {"role": "user", "content": "What is 3 + 1?"},
        {"role": "assistant", "content": "4"}]
