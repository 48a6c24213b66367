"""End to end: `seedless run` killed with SIGKILL mid-generation resumes: no finished call re-sent, no datapoint
lost or duplicated, and the same dataset as an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from openai_stub import StubServer
from seedless.engine.store.calls import Store

SPEC = """
description: Short factual quiz questions about world geography for adult learners.
factors:
  - {name: Region, description: the part of the world}
  - {name: Question kind, description: what the question asks for, depth: 1}
taxonomy: {depth: 2, proposals: 2, min_children: 2, max_children: 3}
size: 30
generation: {candidates: 2, complexify: 0.5, max_repairs: 1, slot_attempts: 3, max_attempts: 1000}
output:
  kind: fields
  fields: [{name: question, max_chars: 200}, {name: explanation, max_chars: 200}]
"""


def command(spec, out, url):
    return [sys.executable, "-m", "seedless", "run", str(spec), "--out", str(out), "--base-url", url,
            "--model", "stub", "--max-concurrency", "16"]


def accepted(db):
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT COUNT(*) FROM records WHERE accepted = 1").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def test_sigkill_mid_generation_then_rerun_resends_only_calls_in_flight(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    run = tmp_path / "run"
    with StubServer(latency=0.05) as server:
        proc = subprocess.Popen(command(spec, run, server.url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while accepted(run / "seedless.db") < 12 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        before = set(server.received)
        stored = Store(run / "seedless.db").call_count()
        kept = accepted(run / "seedless.db")
        assert 12 <= kept < 30 and 0 < stored <= len(before)

        done = subprocess.run(command(spec, run, server.url), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        resent = [k for k in before if server.received[k] > 1]
        assert len(resent) == len(before) - stored  # exactly the calls in flight at the kill

        reference = subprocess.run(command(spec, tmp_path / "ref", server.url), capture_output=True, text=True,
                                   timeout=300)
        assert reference.returncode == 0, reference.stdout + reference.stderr
    resumed = (run / "dataset.jsonl").read_text()
    ids = [json.loads(line)["id"] for line in resumed.splitlines()]
    assert len(ids) == len(set(ids)) == 30
    assert resumed == (tmp_path / "ref" / "dataset.jsonl").read_text()
