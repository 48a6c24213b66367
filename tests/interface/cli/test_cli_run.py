"""Contracts of `seedless run` and `seedless export` at the command line (fake endpoint, loopback stub)."""

from __future__ import annotations

import errno
import json
import os
import sqlite3

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
    with sqlite3.connect(tmp_path / "run" / "seedless.db") as db:  # the window learned, for the next command
        (kept,) = db.execute("SELECT value FROM artifacts WHERE key = 'window/openai:m'").fetchone()
    assert json.loads(kept)["limit"] >= 1


def test_run_stops_at_the_budget_with_exit_1_and_says_how_to_continue(runner, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC + FAKE + "  budget: {tokens: 3000}\n")
    result = runner.invoke(main, ["run", str(spec), "--out", str(tmp_path / "run")])
    assert result.exit_code == 1, result.output
    assert "token budget (3,000) would be exceeded" in result.output and "Raise models.budget.tokens" in result.output


# The run directory: one command at a time, never someone else's files, clear errors (issue 10)


def fake_spec(tmp_path, name="spec.yaml", size=12):
    spec = tmp_path / name
    spec.write_text("# my comment, kept\n" + SPEC.replace("size: 12", f"size: {size}") +
                    "generation: {max_attempts: 500, slot_attempts: 3}\n" + FAKE)
    return spec


def no_traceback(result):
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output, result.output


def test_run_refuses_an_out_directory_holding_files_seedless_did_not_write_unless_forced(runner, tmp_path):
    spec = fake_spec(tmp_path)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "dataset.jsonl").write_text('{"my": "data"}\n')
    (out / "spec.yaml").write_text("# my other spec\n")
    refused = runner.invoke(main, ["run", str(spec), "--out", str(out)])
    assert refused.exit_code == 2, refused.output
    no_traceback(refused)
    assert f"{out}: not a seedless run directory and not empty (dataset.jsonl, spec.yaml)" in refused.output
    assert "--force" in refused.output and sorted(p.name for p in out.iterdir()) == ["dataset.jsonl", "spec.yaml"]
    forced = runner.invoke(main, ["run", str(spec), "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert (out / "spec.yaml").read_text() == "# my other spec\n"  # never replaced
    assert f"{out / 'spec.yaml'} was not written by seedless" in forced.output
    assert len((out / "dataset.jsonl").read_text().splitlines()) == 12


def test_run_with_out_as_the_specs_own_folder_keeps_the_users_spec_and_its_comments(runner, tmp_path):
    spec = fake_spec(tmp_path)
    mine = spec.read_text()
    result = runner.invoke(main, ["run", str(spec), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert spec.read_text() == mine
    again = runner.invoke(main, ["run", str(spec), "--out", str(tmp_path)])
    assert again.exit_code == 0 and "model calls sent: 0" in again.output and spec.read_text() == mine


def test_a_dangling_symlink_as_out_is_a_clear_error(runner, tmp_path):
    spec = fake_spec(tmp_path)
    (tmp_path / "link").symlink_to(tmp_path / "gone")
    result = runner.invoke(main, ["run", str(spec), "--out", str(tmp_path / "link")])
    assert result.exit_code == 2
    no_traceback(result)
    assert f"{tmp_path / 'link'}: a symbolic link to {tmp_path / 'gone'}, which does not exist" in result.output


def test_a_second_command_on_a_held_run_directory_exits_2_naming_the_holders_pid(runner, tmp_path):
    from seedless.engine.store.rundir import RunDir, RunLock

    spec = fake_spec(tmp_path)
    run_dir = RunDir(tmp_path / "run")
    run_dir.claim()
    held = RunLock.exclusive(run_dir, "run")  # as `seedless run` in another process holds it
    try:
        for command in ("run", "plan", "taxonomy"):
            result = runner.invoke(main, [command, str(spec), "--out", str(run_dir.root)])
            assert result.exit_code == 2, result.output
            no_traceback(result)
            assert f"{run_dir.root}: in use by `seedless run` (pid {os.getpid()})" in result.output
    finally:
        held.release()
    assert not run_dir.db.exists()
    assert runner.invoke(main, ["run", str(spec), "--out", str(run_dir.root)]).exit_code == 0


def test_a_full_disk_while_writing_the_dataset_files_says_which_file_and_how_to_continue(runner, tmp_path,
                                                                                         monkeypatch):
    import seedless.engine.outputs.dataset_files as dataset_files

    def full(path, lines):
        path.write_text("half a line")
        raise OSError(errno.ENOSPC, "No space left on device")

    spec, out = fake_spec(tmp_path), tmp_path / "run"
    monkeypatch.setattr(dataset_files, "write_lines", full)
    result = runner.invoke(main, ["run", str(spec), "--out", str(out)])
    assert result.exit_code == 1
    no_traceback(result)
    assert (f"{out / 'dataset.jsonl'}: no space left on device; the calls made so far are stored in "
            f"{out / 'seedless.db'}; free space, or copy the run directory elsewhere, and run the same command "
            "to continue") in result.output
    assert not [p.name for p in out.iterdir() if ".tmp-" in p.name]
    monkeypatch.undo()
    again = runner.invoke(main, ["run", str(spec), "--out", str(out)])
    assert again.exit_code == 0 and "model calls sent: 0" in again.output
    assert len((out / "dataset.jsonl").read_text().splitlines()) == 12


def test_a_full_disk_under_the_store_names_the_store_and_the_run_continues(runner, tmp_path, monkeypatch):
    from seedless.engine.store.records import RecordStore

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    spec, out = fake_spec(tmp_path), tmp_path / "run"
    monkeypatch.setattr(RecordStore, "put", full)
    result = runner.invoke(main, ["run", str(spec), "--out", str(out)])
    assert result.exit_code == 1
    no_traceback(result)
    assert f"{out / 'seedless.db'}: no space left on device (SQLite: database or disk is full)" in result.output
    monkeypatch.undo()
    assert runner.invoke(main, ["run", str(spec), "--out", str(out)]).exit_code == 0


def test_paths_and_messages_are_printed_as_text_never_as_markup_or_emoji(runner, tmp_path):
    spec = fake_spec(tmp_path)
    out = tmp_path / "[red]x[/red] :thumbs_up:"
    result = runner.invoke(main, ["taxonomy", str(spec), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'taxonomy.yaml'}" in result.output
    (tmp_path / "[bold]y").mkdir()
    (tmp_path / "[bold]y" / ":fire:").write_text("mine")
    refused = runner.invoke(main, ["run", str(spec), "--out", str(tmp_path / "[bold]y")])
    assert refused.exit_code == 2 and f"{tmp_path / '[bold]y'}: not a seedless run directory and not empty (:fire:)" \
        in refused.output


def test_export_refuses_dataset_files_from_two_writes_until_the_run_rewrites_them(runner, tmp_path):
    spec, out = fake_spec(tmp_path), tmp_path / "run"
    assert runner.invoke(main, ["run", str(spec), "--out", str(out)]).exit_code == 0
    with (out / "rejected.jsonl").open("a") as f:  # as if killed between replacing two of the three files
        f.write("{}\n")
    refused = runner.invoke(main, ["export", str(out)])
    assert refused.exit_code == 2
    assert f"{out / 'rejected.jsonl'}: does not match dataset.manifest.json" in refused.output
    assert "run the same `seedless run` command to rewrite them" in refused.output
    assert runner.invoke(main, ["run", str(spec), "--out", str(out)]).exit_code == 0
    assert runner.invoke(main, ["export", str(out)]).exit_code == 0
