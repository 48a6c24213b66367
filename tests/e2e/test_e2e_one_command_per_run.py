"""End to end: two `seedless run` processes on one run directory: the second is refused at once naming the first's
PID (exit 2), the first completes with distinct ids; SIGINT exits 130, recorded as interrupted, and resumes."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time

from openai_stub import StubServer

SPEC = """
description: Short factual quiz questions about world geography for adult learners.
factors:
  - {name: Region, description: the part of the world}
  - {name: Question kind, description: what the question asks for, depth: 1}
taxonomy: {depth: 2, proposals: 2, min_children: 2, max_children: 3}
size: 12
generation: {candidates: 2, complexify: 0.5, max_repairs: 1, slot_attempts: 3, max_attempts: 500}
output:
  kind: fields
  fields: [{name: question, max_chars: 200}, {name: explanation, max_chars: 200}]
"""


class GatedStub(StubServer):
    """The stub, holding every chat request until `gate` opens: the first command stays mid-run, deterministically."""

    def __init__(self):
        super().__init__()
        self.gate = threading.Event()
        self.waiting = 0  # chat requests that reached the gate

    async def _chat(self, request):
        self.waiting += 1
        await asyncio.get_running_loop().run_in_executor(None, self.gate.wait)
        return await super()._chat(request)


def command(spec, out, url):
    return [sys.executable, "-m", "seedless", "run", str(spec), "--out", str(out), "--base-url", url,
            "--model", "stub", "--max-concurrency", "4"]


def test_a_second_run_on_a_held_directory_is_refused_naming_the_pid_and_the_first_completes(tmp_path):
    spec, out = tmp_path / "spec.yaml", tmp_path / "run"
    spec.write_text(SPEC)
    with GatedStub() as server:
        first = subprocess.Popen(command(spec, out, server.url), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True)
        try:
            wait_for_lock(out, first)
            second = subprocess.run(command(spec, out, server.url), capture_output=True, text=True, timeout=60)
            assert second.returncode == 2, second.stdout + second.stderr
            assert f"{out}: in use by `seedless run` (pid {first.pid})" in second.stdout
            assert "Traceback" not in second.stdout + second.stderr
        finally:
            server.gate.set()
        output, _ = first.communicate(timeout=300)
    assert first.returncode == 0, output
    ids = [json.loads(line)["id"] for line in (out / "dataset.jsonl").read_text().splitlines()]
    assert len(ids) == len(set(ids)) == 12


def wait_for_lock(out, proc):
    deadline = time.monotonic() + 60
    lock = out / ".seedless.lock"
    while time.monotonic() < deadline and proc.poll() is None and \
            not (lock.is_file() and lock.read_text().startswith(f"{proc.pid} ")):
        time.sleep(0.05)
    assert lock.read_text() == f"{proc.pid} run\n"


def test_sigint_exits_130_is_recorded_as_interrupted_and_the_same_command_continues(tmp_path):
    spec, out = tmp_path / "spec.yaml", tmp_path / "run"
    spec.write_text(SPEC)
    with GatedStub() as server:
        proc = subprocess.Popen(command(spec, out, server.url), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        try:
            wait_for_lock(out, proc)
            deadline = time.monotonic() + 60
            while not server.waiting and time.monotonic() < deadline:  # its first call is waiting at the gate
                time.sleep(0.05)
            proc.send_signal(signal.SIGINT)
            output, _ = proc.communicate(timeout=60)
        finally:
            server.gate.set()
        assert proc.returncode == 130, output
        assert "interrupted" in output and "run the same command to continue" in output
        assert "Traceback" not in output
        con = sqlite3.connect(out / "seedless.db")
        assert con.execute("SELECT status FROM invocations").fetchall() == [("interrupted",)]
        con.close()
        assert (out / ".seedless.lock").read_text() == ""
        done = subprocess.run(command(spec, out, server.url), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len((out / "dataset.jsonl").read_text().splitlines()) == 12
