"""Time global/local diversity, near-duplicate groups and contamination on N x 384 vectors (N = 10k, 100k), exact
and through the inverted-file index (faiss IVF-Flat), with each call's peak traced memory and how far the approximate result is
from the exact one, plus the packaged embedders' throughput; prints a Markdown table. Run by hand:
python benchmarks/diversity_speed.py [--sizes 10000 100000] [--methods exact approximate] [--repeat 1]."""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from seedless.core.measures.diversity import global_diversity, local_diversity
from seedless.core.measures.near_duplicates import contamination, near_duplicates


def clustered(n: int, dim: int, seed: int = 0) -> np.ndarray:
    """n vectors around n/20 random centres (so neighbourhoods and a few near-duplicates exist), float32."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(1, n // 20), dim)).astype(np.float32)
    x = centres[rng.integers(0, len(centres), n)] + 0.5 * rng.normal(size=(n, dim)).astype(np.float32)
    x[: n // 100] = x[n // 100: 2 * (n // 100)]  # 1% exact copies
    return x


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Best wall time over `repeat` runs (seconds), peak traced memory of one run (MB), the result."""
    tracemalloc.start()
    result = fn()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best, peak, result


def embedder_rate(name: str, n: int) -> tuple[float, float]:
    from seedless.engine.llm.embedders import make_embedder

    words = "cat dog market river poem question answer history physics recipe travel code error law".split()
    rng = np.random.default_rng(1)
    texts = [" ".join(rng.choice(words, size=int(rng.integers(8, 40)))) for _ in range(n)]
    emb = make_embedder(name)
    emb.embed(texts[:10])  # load the model outside the timing
    started = time.perf_counter()
    emb.embed(texts)
    took = time.perf_counter() - started
    return took, n / took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--methods", nargs="+", default=["exact", "approximate"], choices=["exact", "approximate"])
    ap.add_argument("--embed-texts", type=int, default=2000, help="texts per embedder throughput figure")
    args = ap.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__}\n")
    print("| N | d | measure | method | seconds (best of %d) | peak traced MB | value |" % args.repeat)
    print("|---|---|---|---|---|---|---|")
    for n in args.sizes:
        x = clustered(n, args.dim)
        ref = clustered(n, args.dim, seed=1)
        ref[:10] = x[:10]
        input_mb = x.nbytes / 1e6
        seconds, peak, value = measure(lambda: global_diversity(x), args.repeat)
        print(f"| {n:,} | {args.dim} | global_diversity | exact | {seconds:.3f} | {peak:.0f} | {value:.4f} |")
        for method in args.methods:
            cases: list[tuple[str, Callable[[], object], Callable[[object], str]]] = [
                ("local_diversity k=10", lambda: local_diversity(x, k=10, method=method), lambda r: f"{r:.4f}"),
                ("near_duplicates 0.95", lambda: near_duplicates(x, method=method),
                 lambda r: f"{len(r.groups)} groups, {r.redundant} redundant, {r.pairs} pairs"),
                ("contamination vs N refs", lambda: contamination(x, ref, method=method),
                 lambda r: f"{r.count} contaminated"),
            ]
            for name, fn, show in cases:
                seconds, peak, result = measure(fn, args.repeat)
                print(f"| {n:,} | {args.dim} | {name} | {method} | {seconds:.3f} | {peak:.0f} | {show(result)} |",
                      flush=True)
        print(f"| {n:,} | {args.dim} | (the input array itself) | | | {input_mb:.0f} | |")
    for name in ("minilm", "static"):
        took, rate = embedder_rate(name, args.embed_texts)
        print(f"\n{name} embedder: {args.embed_texts:,} texts of 8-40 words in {took:.2f}s ({rate:,.0f} texts/s; "
              f"10,000 in {10000 / rate:.0f}s, 100,000 in {100000 / rate:.0f}s)")
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
