"""Kill `seedless run` with SIGKILL at about half of a 500-datapoint dataset against mockllm, restart it, and
check that no finished call is re-sent beyond those in flight and that the dataset has exactly N distinct
datapoints. Run by hand: python benchmarks/run_kill_resume.py [--size 500] [--latency 0.05]."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

MOCKLLM = Path(__file__).resolve().parents[2] / "shared" / "bench" / "mockllm.py"
RICH = "candidates: 3, complexify: 0.5, max_repairs: 2, slot_attempts: 3"  # the whole pipeline, 3 tries a slot
SPEC = """
description: Short factual quiz questions about world geography for adult learners.
factors:
  - {{name: Region, description: the part of the world}}
  - {{name: Question kind, description: what the question asks for, depth: 1}}
taxonomy: {{depth: 2, proposals: 2, min_children: 2, max_children: 4}}
size: {size}
generation: {{{generation}, max_attempts: {bound}}}
output:
  kind: fields
  fields: [{{name: question, max_chars: 300}}, {{name: explanation, max_chars: 300}}]
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url: str, method: str = "GET") -> dict:
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
    return json.loads(body) if body.strip().startswith(b"{") else {}


def accepted(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        n = con.execute("SELECT COUNT(*) FROM records WHERE accepted = 1").fetchone()[0]
        con.close()
        return int(n)
    except sqlite3.Error:
        return 0


def stored_calls(db: Path) -> int:
    con = sqlite3.connect(db)
    n = con.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
    con.close()
    return int(n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, default=500)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--concurrency", type=int, default=64)
    args = ap.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, str(MOCKLLM), "--port", str(port), "--latency", str(args.latency)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                http(base + "/health")
                break
            except OSError:
                time.sleep(0.1)
        work = Path(tempfile.mkdtemp(prefix="seedless-kill-"))
        spec = work / "spec.yaml"
        spec.write_text(SPEC.format(size=args.size, generation=RICH, bound=args.size * 10))
        out = work / "run"

        def command() -> list[str]:
            return [sys.executable, "-m", "seedless", "run", str(spec), "--out", str(out), "--base-url",
                    base + "/v1", "--model", "mock-model", "--max-concurrency", str(args.concurrency)]

        t0 = time.monotonic()
        proc = subprocess.Popen(command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while accepted(out / "seedless.db") < args.size // 2 and proc.poll() is None:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        killed_at = time.monotonic() - t0
        at_kill = http(base + "/stats")
        http(base + "/stats/mark", "POST")
        stored = stored_calls(out / "seedless.db")
        kept = accepted(out / "seedless.db")
        answered_not_stored = at_kill["ok"] - stored
        t1 = time.monotonic()
        rc = subprocess.run(command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        resumed_s = time.monotonic() - t1
        final = http(base + "/stats")
        lines = (out / "dataset.jsonl").read_text().splitlines()
        ids = {json.loads(line)["id"] for line in lines}
        report = {
            "size": args.size, "latency_s": args.latency, "killed_after_s": round(killed_at, 2),
            "accepted_at_kill": kept, "requests_at_kill": at_kill["chat_requests"], "ok_at_kill": at_kill["ok"],
            "open_at_kill": at_kill["open_now"], "calls_stored_at_kill": stored,
            "in_flight_at_kill": answered_not_stored + at_kill["open_now"],
            "recalled_after_restart": final["recalled_marked"], "restart_rc": rc,
            "restart_s": round(resumed_s, 2), "dataset_lines": len(lines), "distinct_ids": len(ids),
            "requests_total": final["chat_requests"],
        }
        report["ok"] = (rc == 0 and len(lines) == len(ids) == args.size
                        and report["recalled_after_restart"] <= report["in_flight_at_kill"])
        print(json.dumps(report, indent=2))
        sys.exit(0 if report["ok"] else 1)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
