"""End to end: `seedless taxonomy` killed with SIGKILL mid-run resumes without re-sending finished calls."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import yaml

from openai_stub import StubServer
from seedless.engine.store.calls import Store

SPEC = """
description: Short mystery stories for teenagers, each with a twist at the end.
factors:
  - {name: Setting, description: where the story happens}
  - {name: Culprit, description: who did it}
taxonomy: {depth: 2, proposals: 3, min_children: 2, max_children: 3}
"""


def command(spec, out, url):
    return [sys.executable, "-m", "seedless", "taxonomy", str(spec), "--out", str(out),
            "--base-url", url, "--model", "stub"]


def test_sigkill_midway_then_rerun_resends_only_calls_in_flight(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    with StubServer(latency=0.15) as server:
        proc = subprocess.Popen(command(spec, tmp_path / "run", server.url), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while sum(server.answered.values()) < 12 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        before = set(server.received)
        stored = Store(tmp_path / "run" / "seedless.db").call_count()
        assert 0 < stored <= len(before)

        done = subprocess.run(command(spec, tmp_path / "run", server.url), capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        resent = [k for k in before if server.received[k] > 1]
        # Only calls that were in flight at the kill (sent, not yet stored) go out again.
        assert len(resent) == len(before) - stored
        assert len(resent) <= 64

        reference = subprocess.run(command(spec, tmp_path / "ref", server.url), capture_output=True, text=True,
                                   timeout=120)
        assert reference.returncode == 0
    resumed = yaml.safe_load((tmp_path / "run" / "taxonomy.yaml").read_text())["factors"]
    uninterrupted = yaml.safe_load((tmp_path / "ref" / "taxonomy.yaml").read_text())["factors"]
    assert resumed == uninterrupted
