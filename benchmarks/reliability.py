"""The reliability campaign of docs/reliability.md against fresh mockllm servers: random SIGKILLs then a finish
(byte-identical to an uninterrupted run), two commands on one directory, mixed faults, an all-500 server and a
server that is down. Run by hand: python benchmarks/reliability.py [--size 200] [--only NAME[,NAME]]."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench_harness import Mock, free_port, say
from run_kill_resume import RICH, SPEC, accepted

MODEL = "mock-model"
KILLS = 5
PROGRESS = re.compile(r"\d+/[\d?]+ +\d+:\d\d:\d\d")  # a progress bar's line, not a message


@dataclass
class Ended:
    rc: int
    seconds: float
    tail: str  # the last lines the command printed


def spec_file(work: Path, size: int) -> Path:
    path = work / "spec.yaml"
    path.write_text(SPEC.format(size=size, generation=RICH, bound=10 * size))
    return path


def command(spec: Path, out: Path, url: str) -> list[str]:
    return [sys.executable, "-m", "seedless", "run", str(spec), "--out", str(out), "--base-url", url,
            "--model", MODEL, "--max-concurrency", "32"]


def run_to_end(cmd: list[str], timeout: float = 900) -> Ended:
    started = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, "COLUMNS": "200"})
    lines = [line.strip() for line in (done.stdout + done.stderr).strip().splitlines()
             if line.strip() and not PROGRESS.search(line)]
    return Ended(done.returncode, time.monotonic() - started, " / ".join(lines[-3:]))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.exists() else "missing"


def distinct(out: Path) -> tuple[int, int]:
    lines = (out / "dataset.jsonl").read_text().splitlines() if (out / "dataset.jsonl").exists() else []
    return len(lines), len({json.loads(line)["id"] for line in lines})


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if ".tmp-" in p.name) if out.exists() else []


def statuses(out: Path) -> dict[str, int]:
    import sqlite3

    con = sqlite3.connect(out / "seedless.db")
    rows = con.execute("SELECT status, COUNT(*) FROM invocations GROUP BY status").fetchall()
    con.close()
    return {str(s): int(n) for s, n in rows}


def kills(work: Path, size: int) -> dict:
    """An uninterrupted run against a fresh server; the same killed KILLS times at random moments (SIGKILL) and
    then finished, each invocation against a fresh server (mockllm's replies depend on how often it saw a
    request, so only fresh servers answer a re-sent call as the uninterrupted run's did); dataset.jsonl compared
    byte for byte. Requests beyond the uninterrupted run's are the calls re-sent (at most those in flight)."""
    spec = spec_file(work, size)
    with Mock("--latency", "0.05") as mock:
        reference = run_to_end(command(spec, work / "reference", mock.url))
        reference_requests = mock.stats()["chat_requests"]
    rng = random.Random(7)
    out = work / "killed"
    # the first kill at a random moment of the taxonomy and strategy steps, the others at random progress
    targets = [0] + sorted(rng.sample(range(5, size - 5), KILLS - 1))
    moments, requests = [], 0
    for target in targets:
        with Mock("--latency", "0.05") as mock:
            started = time.monotonic()
            proc = subprocess.Popen(command(spec, out, mock.url), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            if target == 0:
                time.sleep(rng.uniform(1.5, 3.0))
            while target and accepted(out / "seedless.db") < target and proc.poll() is None:
                time.sleep(0.01)
            killed = proc.poll() is None
            if killed:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            requests += mock.stats()["chat_requests"]
        moments.append(f"{time.monotonic() - started:.1f}s@{accepted(out / 'seedless.db')}" + ("" if killed else
                                                                                              " (ended first)"))
    left = leftovers(out)
    with Mock("--latency", "0.05") as mock:
        finish = run_to_end(command(spec, out, mock.url))
        requests += mock.stats()["chat_requests"]
    lines, ids = distinct(out)
    same = digest(out / "dataset.jsonl") == digest(work / "reference" / "dataset.jsonl")
    return {"reference rc, s": f"{reference.rc}, {reference.seconds:.0f}", "kills (time@accepted)": " ".join(moments),
            "finish rc": finish.rc, "dataset lines, distinct ids": f"{lines}, {ids}",
            "byte-identical to the uninterrupted run": same,
            "temporary files left after the kills": len(left), "temporary files after the finish": len(leftovers(out)),
            "invocations by status": statuses(out),
            "requests: uninterrupted, killed + finish": f"{reference_requests}, {requests}",
            "re-sent (at most 32 in flight x 5 kills)": requests - reference_requests,
            "ok": finish.rc == 0 and reference.rc == 0 and same and lines == ids == size}


def concurrent(work: Path, size: int) -> dict:
    """Two `seedless run` on one directory at once: the second must refuse at once, naming the holder."""
    spec = spec_file(work, size)
    out = work / "run"
    with Mock("--latency", "0.05") as mock:
        first = subprocess.Popen(command(spec, out, mock.url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2.0)
        second = run_to_end(command(spec, out, mock.url), timeout=120)
        first_rc = first.wait()
    lines, ids = distinct(out)
    return {"second rc": second.rc, "second refused after s": round(second.seconds, 2),
            "second says": second.tail[:200], "first rc": first_rc, "dataset lines, distinct ids": f"{lines}, {ids}",
            "ok": second.rc != 0 and str(first.pid) in second.tail and first_rc == 0 and lines == ids == size}


def mixed_faults(work: Path, size: int) -> dict:
    """10% 429, 10% 500, 5% malformed bodies, 2% bad JSON content, 1% hangs (5 s, then dropped)."""
    spec = spec_file(work, size)
    out = work / "run"
    flags = ("--latency", "0.05", "--p429", "0.1", "--p500", "0.1", "--pmalformed", "0.05", "--pbadjson", "0.02",
             "--ptimeout", "0.01", "--hang", "5", "--retry-after", "0.2")
    with Mock(*flags) as mock:
        # hung requests are abandoned after the endpoint's timeout: a short one, set in the spec
        spec.write_text(spec.read_text() + f"models:\n  endpoints:\n    mock: {{kind: openai, base_url: '{mock.url}', "
                        f"model: {MODEL}, timeout_s: 3, max_concurrency: 32}}\n  default: mock\n")
        ended = run_to_end([sys.executable, "-m", "seedless", "run", str(spec), "--out", str(out)])
        stats = mock.stats()
    lines, ids = distinct(out)
    return {"rc, s": f"{ended.rc}, {ended.seconds:.0f}", "requests": stats["chat_requests"],
            "errors injected": stats.get("errors_injected"), "dataset lines, distinct ids": f"{lines}, {ids}",
            "ok": ended.rc == 0 and lines == ids == size}


def all_500(work: Path, size: int) -> dict:
    """Every request answered 500: the command must stop with a clear message, non-zero."""
    spec = spec_file(work, size)
    with Mock("--latency", "0", "--p500", "1.0", "--retry-after", "0") as mock:
        ended = run_to_end(command(spec, work / "run", mock.url), timeout=600)
        stats = mock.stats()
    return {"rc": ended.rc, "time to the message s": round(ended.seconds, 1), "requests": stats["chat_requests"],
            "says": ended.tail[:240], "ok": ended.rc not in (0, None)}


def down(work: Path, size: int) -> dict:
    """Nothing listening on --base-url: the time to the message."""
    spec = spec_file(work, size)
    url = f"http://127.0.0.1:{free_port()}/v1"
    ended = run_to_end(command(spec, work / "run", url), timeout=600)
    return {"rc": ended.rc, "time to the message s": round(ended.seconds, 1), "says": ended.tail[:240],
            "ok": ended.rc != 0 and ended.seconds < 15}


SCENARIOS = {f.__name__: f for f in (kills, concurrent, mixed_faults, all_500, down)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, default=200)
    ap.add_argument("--only", help="comma-separated scenarios: " + ",".join(SCENARIOS))
    args = ap.parse_args()
    names = args.only.split(",") if args.only else list(SCENARIOS)
    rows = ["| scenario | figure | value |", "|---|---|---|"]
    failed = False
    with tempfile.TemporaryDirectory(prefix="seedless-reliability-") as root:
        for name in names:
            say(f"{name}: starting")
            work = Path(root) / name
            work.mkdir()
            result = SCENARIOS[name](work, args.size)
            failed |= not result.get("ok")
            rows += [f"| {name} | {k} | {str(v).replace('|', '/')} |" for k, v in result.items()]
            say(f"{name}: {'ok' if result.get('ok') else 'NOT ok'}")
    print("\n".join(rows))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
