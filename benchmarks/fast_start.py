"""The ramp-up cost of the adaptive window: 3,000 single-call datapoints at default settings (no --max-concurrency,
so the window starts at 16 under a ceiling of 256) against a bare AsyncOpenAI client with a semaphore of 256, each
against its own mockllm at 0.5 s latency. Run by hand: python benchmarks/fast_start.py (about 30 s)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench_harness import Figure, FirstRequest, Mock, Result, Timeline, measured
from engine_bench import LATENCY, PREP_SIZE, SINGLE, Context, bare_command, generation_run, table

SIZE = 3000


def fast_start(ctx: Context) -> Result:
    """Single-call records at default settings (no --max-concurrency: the adaptive window starts at 16 and ramps),
    against the bare client with a semaphore of 256, the default ceiling, in the same session: the ramp-up cost."""
    n = SIZE
    ceiling = 256
    work = ctx.dir("fast_start-bare")
    with Mock("--latency", str(LATENCY)) as mock:
        first = FirstRequest(mock)
        bare_exit = measured(bare_command(mock, n, ceiling), work / "bare.log", [first])
        bare_rate = mock.stats()["chat_requests"] / (bare_exit.ended - first.at())
    with Mock("--latency", str(LATENCY)) as mock:
        timeline = Timeline(mock)
        run = generation_run(ctx, "fast_start", mock, n + PREP_SIZE, SINGLE, concurrency=None, watchers=[timeline])
    ramp = [open_ for t, open_, _ in timeline.samples if t >= run.first][:8]
    return Result([
        Figure("datapoints generated", run.datapoints),
        Figure("bare client req/s (semaphore 256), first request to exit", bare_rate),
        Figure("seedless req/s, first request to exit", run.rate),
        Figure("seedless / bare", run.rate / bare_rate, ">= 0.95"),
        Figure("max_open", run.stats["max_open"], str(ceiling)),
        Figure("open every 0.5 s from the first request", " ".join(str(o) for o in ramp)),
    ], {"t_s, open, active": [(round(t - run.first, 1), o, a) for t, o, a in timeline.samples]})


def main() -> int:
    with tempfile.TemporaryDirectory() as root:
        result = fast_start(Context(quick=False, root=Path(root)))
    print(table({"fast_start": result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
