"""Measure `seedless run` (request rate, CPU, start-up, memory, queueing, faults, resume) and a bare AsyncOpenAI
baseline against a fresh mockllm per scenario, and print a markdown table. Run by hand:
python benchmarks/engine_bench.py [--only NAME[,NAME]] [--quick] [--json OUT]."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

from bench_harness import (BenchError, Exit, Figure, FirstRequest, Memory, Mock, Progress, Result, Timeline, Watcher,
                           measured, say)
from run_kill_resume import RICH, SPEC

HERE = Path(__file__).resolve().parent
MODEL = "mock-model"
CONCURRENCY = 64
LATENCY = 0.5
IDEAL = CONCURRENCY / LATENCY
PREP_SIZE = 10
STARTUP_TRIES = 3
FLAT_MB = 20.0
CHEAP = "candidates: 1, complexify: 0, requirement_critic: false, double_critic: false"
SINGLE = "meta_prompt: false, complexify: 0, requirement_critic: false, double_critic: false"  # one call each
SIZES = {  # scenario: (default, --quick); bare counts requests, the others datapoints
    "bare": (2000, 1000), "single": (2000, 1000), "throughput": (2000, 300), "cpu": (2000, 300), "rss": (2000, 500),
    "flat_memory": (100_000, 20_000), "queueing": (500, 250), "errors": (1000, 200), "kill": (500, 200),
}


@dataclass
class Context:
    quick: bool
    root: Path

    def size(self, scenario: str) -> int:
        return SIZES[scenario][self.quick]

    def dir(self, name: str) -> Path:
        path = self.root / name
        path.mkdir()
        return path



def seedless(work: Path, mock: Mock, size: int, generation: str, concurrency: int | None,
             watchers: Sequence[Watcher] = ()) -> Exit:
    """`seedless run` of the quiz spec at `size` into work/run (resuming what is there)."""
    spec, out = work / "spec.yaml", work / "run"
    spec.write_text(SPEC.format(size=size, generation=generation, bound=10 * size))
    command = [sys.executable, "-m", "seedless", "run", str(spec), "--out", str(out), "--base-url", mock.url,
               "--model", MODEL]
    if concurrency:
        command += ["--max-concurrency", str(concurrency)]
    progress = Progress(work.name, out / "seedless.db", size)
    return measured(command, work / "seedless.log", [progress, *watchers])


@dataclass
class Generation:
    """The second of two runs into one directory: it only makes datapoints (the taxonomy is stored)."""

    exit: Exit
    first: float
    stats: dict
    out: Path
    datapoints: int

    @property
    def requests(self) -> int:
        return self.stats["chat_requests"]

    @property
    def busy_s(self) -> float:
        return self.exit.ended - self.first

    @property
    def rate(self) -> float:
        return self.requests / self.busy_s


def generation_run(ctx: Context, name: str, mock: Mock, size: int, generation: str = RICH,
                   concurrency: int | None = CONCURRENCY, watchers: Sequence[Watcher] = ()) -> Generation:
    """Build taxonomy and strategies with a PREP_SIZE run, reset mockllm, then time a run raised to `size`."""
    work = ctx.dir(name)
    say(f"{name}: taxonomy and strategies ({PREP_SIZE} datapoints)")
    seedless(work, mock, PREP_SIZE, generation, concurrency)
    mock.reset()
    say(f"{name}: generating up to {size:,} datapoints")
    first = FirstRequest(mock)
    done = seedless(work, mock, size, generation, concurrency, [first, *watchers])
    return Generation(done, first.at(), mock.stats(), work / "run", size - PREP_SIZE)


def dataset_counts(out: Path) -> tuple[int, int]:
    lines = (out / "dataset.jsonl").read_text().splitlines()
    return len(lines), len({json.loads(line)["id"] for line in lines})


def bare_command(mock: Mock, requests: int, concurrency: int = CONCURRENCY) -> list[str]:
    """The bare AsyncOpenAI baseline (bare_client.py) against `mock`."""
    return [sys.executable, str(HERE / "bare_client.py"), "--base-url", mock.url, "--model", MODEL,
            "--requests", str(requests), "--concurrency", str(concurrency)]


def bare(ctx: Context) -> Result:
    n = ctx.size("bare")

    work = ctx.dir("bare")
    with Mock("--latency", str(LATENCY)) as mock:
        say(f"bare: {n:,} requests at {LATENCY} s latency")
        first = FirstRequest(mock)
        slow = measured(bare_command(mock, n), work / "slow.log", [first])
        stats = mock.stats()
    with Mock("--latency", "0") as mock:
        say(f"bare: {n:,} requests at latency 0, then none (the start-up cost)")
        fast = measured(bare_command(mock, n), work / "fast.log", [])
        fast_requests = mock.stats()["chat_requests"]
        idle = measured(bare_command(mock, 0), work / "idle.log", [])
    rate = stats["chat_requests"] / (slow.ended - first.at())
    return Result([
        Figure("requests", stats["chat_requests"]),
        Figure("req/s, first request to exit", rate),
        Figure(f"% of ideal {IDEAL:.0f} req/s", 100 * rate / IDEAL, "README: 98"),
        Figure("max_open", stats["max_open"]),
        Figure("client CPU ms per request (latency 0, whole process)", 1000 * fast.cpu_s / fast_requests,
               "README: 1.7"),
        Figure("client CPU ms per request, start-up subtracted", 1000 * (fast.cpu_s - idle.cpu_s) / fast_requests),
        Figure("start-up CPU s (0 requests)", idle.cpu_s),
        Figure("spawn to first request s", first.at() - slow.spawned, "README: 1.2"),
        Figure("peak RSS MB", max(slow.peak_rss_mb, fast.peak_rss_mb), "README: 73"),
    ])


def single(ctx: Context) -> Result:
    """Single-call records (no meta-prompt, complexification or critics): the bare client's workload."""
    with Mock("--latency", str(LATENCY)) as mock:
        timeline = Timeline(mock)
        run = generation_run(ctx, "single", mock, ctx.size("single"), SINGLE, watchers=[timeline])
    return rate_figures(run, timeline)


def throughput(ctx: Context) -> Result:
    """The whole pipeline: 3 meta-prompt candidates, complexification, critics with repairs, 3 tries a slot."""
    with Mock("--latency", str(LATENCY)) as mock:
        timeline = Timeline(mock)
        run = generation_run(ctx, "throughput", mock, ctx.size("throughput"), watchers=[timeline])
    return rate_figures(run, timeline)


def rate_figures(run: Generation, timeline: Timeline) -> Result:
    steady = timeline.steady_rate(run.first, run.exit.ended)
    whole = run.requests / run.exit.wall_s
    return Result([
        Figure("datapoints generated", run.datapoints),
        Figure("generation requests", run.requests),
        Figure("first request to exit s", run.busy_s),
        Figure("req/s", run.rate),
        Figure(f"% of ideal {IDEAL:.0f} req/s", 100 * run.rate / IDEAL, "bare (README): 98"),
        Figure("steady-state % of ideal (10-90% of the run)", 100 * steady / IDEAL, "97"),
        Figure("whole command s", run.exit.wall_s),
        Figure("whole command req/s", whole),
        Figure("whole command % of ideal", 100 * whole / IDEAL),
        Figure("datapoints/s", run.datapoints / run.busy_s),
        Figure("max_open", run.stats["max_open"], str(CONCURRENCY)),
    ])


def cpu(ctx: Context) -> Result:
    size = ctx.size("cpu")
    with Mock("--latency", "0") as mock:
        run = generation_run(ctx, "cpu", mock, size)
        say("cpu: the same command again, nothing left to do (the fixed cost)")
        idle = seedless(run.out.parent, mock, size, RICH, CONCURRENCY)
    per_call = 1000 * run.exit.cpu_s / run.requests
    return Result([
        Figure("datapoints generated", run.datapoints),
        Figure("model calls", run.requests),
        Figure("client CPU s (whole process tree)", run.exit.cpu_s),
        Figure("client CPU ms per call", per_call, "bare (README): 1.7"),
        Figure("client CPU ms per call, fixed cost subtracted", per_call - 1000 * idle.cpu_s / run.requests),
        Figure("fixed cost CPU s (a rerun with nothing to do)", idle.cpu_s),
        Figure("client CPU ms per datapoint", 1000 * run.exit.cpu_s / run.datapoints),
        Figure("wall s", run.exit.wall_s),
    ])


def startup(ctx: Context) -> Result:
    delays = []
    with Mock("--latency", "0") as mock:
        for i in range(STARTUP_TRIES):
            mock.reset()
            say(f"startup: try {i + 1} of {STARTUP_TRIES}")
            first = FirstRequest(mock)
            done = seedless(ctx.dir(f"startup-{i}"), mock, PREP_SIZE, RICH, CONCURRENCY, [first])
            delays.append(first.at() - done.spawned)
    return Result([
        Figure("spawn to first request s, median", statistics.median(delays), "bare (README): 1.2"),
        Figure("min s", min(delays)),
        Figure("max s", max(delays)),
    ], {"delays_s": delays})


def rss(ctx: Context) -> Result:
    size = ctx.size("rss")
    with Mock("--latency", "0") as mock:
        say(f"rss: {size:,} datapoints from scratch")
        done = seedless(ctx.dir("rss"), mock, size, RICH, CONCURRENCY)
        calls = mock.stats()["chat_requests"]
    return Result([
        Figure("datapoints", size),
        Figure("model calls", calls),
        Figure("wall s", done.wall_s),
        Figure("peak RSS MB", done.peak_rss_mb, "< 150"),
    ])


def rss_at(samples: list[tuple], count: float) -> float:
    """RSS of the first sample with `count` datapoints accepted (the last sample if none reached it)."""
    return next((mb for _, n, mb in samples if n >= count), samples[-1][2])


def slope_mb_per_10k(samples: list[tuple]) -> float:
    xs, ys = [n for _, n, _ in samples], [mb for _, _, mb in samples]
    if len(xs) < 2 or max(xs) == min(xs):
        return 0.0
    return 10_000 * statistics.linear_regression(xs, ys).slope


def flat_memory(ctx: Context) -> Result:
    size = ctx.size("flat_memory")
    work = ctx.dir("flat_memory")
    memory = Memory(work / "run" / "seedless.db")
    with Mock("--latency", "0") as mock:
        say(f"flat_memory: {size:,} datapoints, about 2 calls each")
        done = seedless(work, mock, size, CHEAP, CONCURRENCY, [memory])
        calls = mock.stats()["chat_requests"]
    generating = [s for s in memory.samples if s[1] < size]
    if not generating:
        raise BenchError("no RSS sample was taken while datapoints were made")
    marks = {p: rss_at(generating, p * size / 100) for p in (10, 25, 50, 75)}
    last = generating[-1][2]
    growth = last - marks[25]
    steady = [s for s in generating if s[1] >= size / 4]
    writing = [mb for _, n, mb in memory.samples if n >= size]
    return Result([
        Figure("datapoints", size),
        Figure("model calls", calls),
        Figure("wall s", done.wall_s),
        *(Figure(f"RSS MB at {p}%", mb) for p, mb in marks.items()),
        Figure("RSS MB at 100% (last sample before the files are written)", last),
        Figure("RSS growth 25% to 100% MB", growth, f"< {FLAT_MB:.0f}"),
        Figure("slope MB per 10k datapoints (25% to 100%)", slope_mb_per_10k(steady)),
        Figure("flat", growth < FLAT_MB, "yes"),
        Figure("RSS MB sampled while the files are written, max", max(writing, default=0.0)),
        Figure("peak RSS MB (whole run)", done.peak_rss_mb),
    ], {"t_s, accepted, rss_mb": [(round(t - done.spawned, 1), n, round(mb, 1)) for t, n, mb in memory.samples]})


def queueing(ctx: Context) -> Result:
    slots = 16
    ideal = slots / LATENCY
    mock = Mock("--latency", str(LATENCY), "--max-concurrency", str(slots))
    timeline = Timeline(mock)
    with mock:
        run = generation_run(ctx, "queueing", mock, ctx.size("queueing"), concurrency=None, watchers=[timeline])
    busy = [s for s in timeline.samples if s[0] >= run.first]
    second_half = [s for s in busy if s[0] >= run.first + run.busy_s / 2] or busy
    every_5s = " ".join(str(open_) for _, open_, _ in busy[::10])
    steady = timeline.steady_rate(run.first, run.exit.ended)
    return Result([
        Figure("datapoints generated", run.datapoints),
        Figure("generation requests", run.requests),
        Figure("req/s", run.rate),
        Figure(f"% of ideal {ideal:.0f} req/s", 100 * run.rate / ideal),
        Figure("steady-state % of ideal (10-90% of the run)", 100 * steady / ideal, "within 5%"),
        Figure("max_open", run.stats["max_open"]),
        Figure("median open, second half", statistics.median(s[1] for s in second_half), f"about {slots}"),
        Figure("median active, second half", statistics.median(s[2] for s in second_half), str(slots)),
        Figure("open every 5 s", every_5s),
    ], {"t_s, open, active": [(round(t - run.first, 1), o, a) for t, o, a in timeline.samples]})


def errors(ctx: Context) -> Result:
    size = ctx.size("errors")
    figures, rates = [], {}
    for label, flags in (("error-free", ()), ("faulty", ("--p429", "0.05", "--p500", "0.05"))):
        with Mock("--latency", str(LATENCY), *flags) as mock:
            run = generation_run(ctx, f"errors-{label}", mock, size)
        lines, ids = dataset_counts(run.out)
        rates[label] = run.datapoints / run.busy_s
        figures += [
            Figure(f"{label}: datapoints/s", rates[label]),
            Figure(f"{label}: requests", run.requests),
            Figure(f"{label}: errors injected", run.stats["errors_injected"]),
            Figure(f"{label}: max_open", run.stats["max_open"]),
            Figure(f"{label}: dataset lines, distinct ids", f"{lines:,}, {ids:,}", f"{size:,}, {size:,}"),
        ]
    figures.append(Figure("faulty / error-free datapoints/s %", 100 * rates["faulty"] / rates["error-free"], "> 80"))
    return Result(figures)


def kill(ctx: Context) -> Result:
    size = ctx.size("kill")
    say(f"kill: run_kill_resume.py --size {size} --latency {LATENCY}")
    done = subprocess.run([sys.executable, str(HERE / "run_kill_resume.py"), "--size", str(size), "--latency",
                           str(LATENCY), "--concurrency", str(CONCURRENCY)], capture_output=True, text=True)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise BenchError(f"run_kill_resume.py exited {done.returncode}: {done.stderr.strip()[-300:]}") from None
    return Result([
        Figure("datapoints", report["size"]),
        Figure("killed after s", report["killed_after_s"]),
        Figure("accepted at the kill", report["accepted_at_kill"]),
        Figure("calls in flight at the kill", report["in_flight_at_kill"]),
        Figure("recalled after restart", report["recalled_after_restart"], "<= in flight"),
        Figure("restart s", report["restart_s"]),
        Figure("dataset lines, distinct ids", f"{report['dataset_lines']:,}, {report['distinct_ids']:,}",
               f"{size:,}, {size:,}"),
        Figure("ok", report["ok"], "yes"),
    ], {"report": [report]})


SCENARIOS = {f.__name__: f for f in (bare, single, throughput, cpu, startup, rss, flat_memory, queueing, errors, kill)}


def shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value).replace("|", "/")


def table(results: dict[str, Result]) -> str:
    rows = ["| scenario | figure | value | target / reference |", "|---|---|---|---|"]
    for name, result in results.items():
        rows += [f"| {name} | {f.label} | {shown(f.value)} | {f.target} |" for f in result.figures]
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--only", help="comma-separated scenarios: " + ",".join(SCENARIOS))
    ap.add_argument("--quick", action="store_true", help="smaller sizes, about a minute per scenario")
    ap.add_argument("--json", type=Path, help="also write the results, samples included, to this file")
    args = ap.parse_args()
    names = args.only.split(",") if args.only else list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        ap.error(f"unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    results = {}
    with tempfile.TemporaryDirectory(prefix="seedless-bench-") as root:
        ctx = Context(args.quick, Path(root))
        for name in names:
            started = time.monotonic()
            say(f"{name}: starting (load average {os.getloadavg()[0]:.2f})")
            try:
                results[name] = SCENARIOS[name](ctx)
            except BenchError as e:
                results[name] = Result([Figure("failed", str(e))])
            say(f"{name}: done in {time.monotonic() - started:.0f} s")
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps({"quick": args.quick, "cpus": os.cpu_count(),
                                         "results": {n: asdict(r) for n, r in results.items()}}, indent=1))


if __name__ == "__main__":
    main()
