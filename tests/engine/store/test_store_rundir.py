"""Contracts of the run directory: one command holds it (an OS lock a SIGKILL releases), foreign directories are
refused, killed writers' temps and invocations are cleaned up, writes are atomic, the dataset set is checked."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import signal
import subprocess
import sys

import pytest

from conftest import ScriptedModel, fake_clients
from seedless.engine.store.rundir import RunDir, RunDirError, RunLock
from seedless.engine.session import Session
from seedless.engine.store.calls import Store


def session(spec, out, command="run"):
    return Session(spec, out, command, clients=fake_clients(ScriptedModel())[0])


def test_a_second_command_on_a_held_run_directory_is_refused_naming_the_pid(spec, tmp_path):
    async def both():
        async with session(spec, tmp_path / "run"):
            with pytest.raises(RunDirError) as refused:
                async with session(spec, tmp_path / "run", "plan"):
                    pass
            return str(refused.value)

    message = asyncio.run(both())
    assert f"{tmp_path / 'run'}: in use by `seedless run` (pid {os.getpid()})" in message

    async def again():
        async with session(spec, tmp_path / "run", "plan"):  # released when the first ended
            pass

    asyncio.run(again())


HOLD = """
import sys, time
from pathlib import Path
from seedless.engine.store.rundir import RunDir, RunLock
run = RunDir(Path(sys.argv[1]))
run.claim()
RunLock.exclusive(run, "run")
print("held", flush=True)
time.sleep(60)
"""


def test_a_sigkilled_holder_releases_the_run_directory_and_its_invocation_is_marked_killed(spec, tmp_path):
    run = RunDir(tmp_path / "run")
    run.claim()
    Store(run.db, command="run")  # an invocation left `running`, as a SIGKILL leaves it
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(run.root)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(RunDirError, match=f"pid {child.pid}"):
            RunLock.probe(run)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)

    async def enter():
        async with session(spec, run.root) as s:
            return s.store.statuses(), s.store.invocation

    statuses, own = asyncio.run(enter())
    assert statuses.pop(own) == "running" and list(statuses.values()) == ["killed"]


@pytest.mark.parametrize("raised, status", [(KeyboardInterrupt, "interrupted"), (asyncio.CancelledError, "interrupted"),
                                            (RuntimeError, "failed")])
def test_an_interrupt_is_recorded_as_interrupted_and_an_error_as_failed(spec, tmp_path, raised, status):
    async def fail():
        async with session(spec, tmp_path) as s:
            raise raised()

    with pytest.raises(raised):
        asyncio.run(fail())
    store = Store(tmp_path / "seedless.db")
    assert status in store.statuses().values()
    store.close()


def test_a_directory_seedless_did_not_write_is_refused_unless_forced(tmp_path):
    (tmp_path / "dataset.jsonl").write_text("mine\n")
    (tmp_path / "spec.yaml").write_text("# mine\n")
    with pytest.raises(RunDirError, match=r"not a seedless run directory and not empty \(dataset.jsonl, spec.yaml\)"):
        RunDir(tmp_path).claim()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset.jsonl", "spec.yaml"]  # nothing written
    RunDir(tmp_path).claim(force=True)
    RunDir(tmp_path).claim()  # now marked as a run directory
    assert (tmp_path / "dataset.jsonl").read_text() == "mine\n"


def test_the_commands_own_spec_file_does_not_make_its_folder_foreign(tmp_path):
    spec = tmp_path / "seedless.yaml"
    spec.write_text("# mine\n")
    RunDir(tmp_path).claim(spec_file=spec)
    assert (tmp_path / ".seedless.lock").is_file()


def test_a_dangling_symlink_or_a_file_as_the_run_directory_is_a_clear_error(tmp_path):
    (tmp_path / "link").symlink_to(tmp_path / "missing")
    with pytest.raises(RunDirError, match=f"^{tmp_path / 'link'}: a symbolic link to {tmp_path / 'missing'}, which"):
        RunDir(tmp_path / "link").claim()
    (tmp_path / "file").write_text("x")
    with pytest.raises(RunDirError, match="file: not a directory"):
        RunDir(tmp_path / "file").claim()


def test_temps_of_killed_writers_are_removed_when_a_command_takes_the_lock(spec, tmp_path):
    run = RunDir(tmp_path)
    run.claim()
    (tmp_path / "export").mkdir()
    stale = [tmp_path / ".dataset.jsonl.tmp-99999", tmp_path / ".dataset.parquet.tmp-99999",
             tmp_path / "export" / ".chat.jsonl.tmp-99999"]
    for path in stale:
        path.write_text("half")
    (tmp_path / "export" / ".hf.tmp-k2j_x9").mkdir()
    kept = [tmp_path / "notes.tmp-1", tmp_path / ".hidden"]
    for path in kept:
        path.write_text("mine")

    async def enter():
        async with session(spec, tmp_path):
            pass

    asyncio.run(enter())
    assert not any(p.exists() for p in stale) and not (tmp_path / "export" / ".hf.tmp-k2j_x9").exists()
    assert all(p.exists() for p in kept)


def test_a_failed_atomic_write_leaves_the_old_file_and_no_temp_and_names_the_file(tmp_path):
    target = tmp_path / "dataset.jsonl"
    target.write_text("old\n")

    def lines():
        yield "new"
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError) as failed:
        RunDir.write_lines_atomic(target, lines())
    assert failed.value.errno == errno.ENOSPC and failed.value.filename == str(target)
    assert target.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["dataset.jsonl"]


def test_dataset_files_from_two_writes_are_reported_with_how_to_mend_them(tmp_path):
    run = RunDir(tmp_path)
    for path in (run.dataset, run.rejected, run.parquet):
        path.write_text("first\n")
    assert run.dataset_mismatch() is None  # no manifest: files not written by seedless, not checked
    staged = {}
    for path in (run.dataset, run.rejected, run.parquet):
        staged[path] = RunDir.temp_for(path)
        staged[path].write_text("second\n")
    run.write_manifest(staged, accepted=1, rejected=0)
    os.replace(staged[run.dataset], run.dataset)  # killed here: one file of the new set in place
    problem = run.dataset_mismatch()
    assert problem.startswith(f"{run.rejected}: does not match dataset.manifest.json")
    assert "run the same `seedless run` command to rewrite them" in problem
    for path in (run.rejected, run.parquet):
        os.replace(staged[path], path)
    assert run.dataset_mismatch() is None
    assert json.loads(run.manifest.read_text())["accepted"] == 1


def test_an_export_is_refused_while_a_command_writes_the_run_directory(tmp_path):
    run = RunDir(tmp_path)
    run.claim()
    held = RunLock.exclusive(run, "run")
    try:
        with pytest.raises(RunDirError, match=f"pid {os.getpid()}"):
            RunLock.shared(run)
    finally:
        held.release()
    RunLock.shared(run).release()
    assert (tmp_path / ".seedless.lock").read_text() == ""  # an idle directory names no holder


def test_a_taxonomy_or_strategies_file_to_start_from_does_not_make_a_folder_foreign(tmp_path):
    (tmp_path / "taxonomy.yaml").write_text("factors: []\n")
    (tmp_path / "strategies.yaml").write_text("strategies: []\n")
    RunDir(tmp_path).claim()
    assert (tmp_path / ".seedless.lock").is_file()
    other = tmp_path / "other"
    other.mkdir()
    (other / "taxonomy.yaml").write_text("factors: []\n")
    (other / "notes.txt").write_text("mine\n")
    assert RunDir(other).foreign_files() == ["notes.txt"]
