"""What engine_bench.py measures with: a fresh mockllm per scenario, a measured child process (wall clock,
CPU and peak RSS from wait4), watchers sampling mockllm and the run while it goes, and the result types."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from run_kill_resume import MOCKLLM, accepted, free_port, http

T0 = time.monotonic()

Watcher = Callable[[int, threading.Event], None]


class BenchError(Exception):
    """A scenario could not be measured; the message says why."""


def say(message: str) -> None:
    print(f"[bench {time.monotonic() - T0:6.0f} s] {message}", file=sys.stderr, flush=True)


@dataclass
class Figure:
    label: str
    value: Any
    target: str = ""


@dataclass
class Result:
    figures: list[Figure]
    series: dict[str, list] = field(default_factory=dict)


class Mock:
    """A fresh mockllm on a free loopback port, stopped when the with block ends."""

    def __init__(self, *flags: str) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.url = self.base + "/v1"
        self.command = [sys.executable, str(MOCKLLM), "--port", str(port), "--report-every", "0", *flags]

    def __enter__(self) -> Mock:
        self.proc = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                http(self.base + "/health")
                return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise BenchError("mockllm did not answer /health within 20 s")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait()

    def stats(self) -> dict:
        return http(self.base + "/stats")

    def reset(self) -> None:
        http(self.base + "/stats/reset", "POST")


@dataclass
class Exit:
    """How a measured process ended: time.time() stamps (mockllm's clock) and its rusage, children included."""

    spawned: float
    ended: float
    cpu_s: float
    peak_rss_mb: float

    @property
    def wall_s(self) -> float:
        return self.ended - self.spawned


def measured(command: list[str], log: Path, watchers: Sequence[Watcher]) -> Exit:
    """Run `command` to its end, each watcher(pid, stop) in a thread beside it; BenchError on a nonzero exit."""
    stop = threading.Event()
    with log.open("ab") as sink:
        spawned = time.time()
        proc = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    threads = [threading.Thread(target=w, args=(proc.pid, stop), daemon=True) for w in watchers]
    for thread in threads:
        thread.start()
    _, status, usage = os.wait4(proc.pid, 0)
    ended = time.time()
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    for thread in threads:
        thread.join()
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        raise BenchError(f"{Path(command[1]).name} exited {proc.returncode}: " + " / ".join(tail))
    return Exit(spawned, ended, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


class FirstRequest:
    """Watcher: the time of mockllm's first chat request, polled every 10 ms until it comes."""

    def __init__(self, mock: Mock) -> None:
        self.mock, self.ts = mock, None

    def __call__(self, pid: int, stop: threading.Event) -> None:
        while self.ts is None and not stop.wait(0.01):
            asked = time.time()
            if self.mock.stats()["chat_requests"]:
                self.ts = asked

    def at(self) -> float:
        if self.ts is None:
            raise BenchError("the process exited before mockllm saw a request")
        return self.ts


class Timeline:
    """Watcher: mockllm's open (queued + active) and active chat requests, and answers so far, every half second."""

    def __init__(self, mock: Mock) -> None:
        self.mock, self.samples, self.answered = mock, [], []

    def __call__(self, pid: int, stop: threading.Event) -> None:
        while not stop.wait(0.5):
            s = self.mock.stats()
            self.samples.append((time.time(), s["open_now"], s["active_now"]))
            self.answered.append((time.time(), s["ok"]))

    def steady_rate(self, start: float, end: float) -> float:
        """Answers per second between 10% and 90% of [start, end]: the rate once the window has filled and
        before the last datapoints drain (their remaining calls are sequential)."""
        lo, hi = start + 0.1 * (end - start), start + 0.9 * (end - start)
        inside = [(t, n) for t, n in self.answered if lo <= t <= hi]
        if len(inside) < 2:
            return float("nan")
        (t0, n0), (t1, n1) = inside[0], inside[-1]
        return (n1 - n0) / (t1 - t0)


class Memory:
    """Watcher: the process's VmRSS (MB) and the datapoints accepted in its store, every second."""

    def __init__(self, db: Path) -> None:
        self.db, self.samples = db, []

    def __call__(self, pid: int, stop: threading.Event) -> None:
        while not stop.wait(1.0):
            rss = vm_rss_mb(pid)
            if rss is not None:
                self.samples.append((time.time(), accepted(self.db), rss))


class Progress:
    """Watcher: a stderr line every 15 s with the datapoints accepted so far."""

    def __init__(self, label: str, db: Path, size: int) -> None:
        self.label, self.db, self.size = label, db, size

    def __call__(self, pid: int, stop: threading.Event) -> None:
        while not stop.wait(15):
            say(f"{self.label}: {accepted(self.db):,}/{self.size:,} datapoints")


def vm_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None
