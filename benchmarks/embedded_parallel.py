"""Aggregate decode throughput of the embedded llama.cpp server (xllamacpp, packaged Qwen2.5-Coder-0.5B Q4_K_M)
as a function of n_parallel, the number of server slots decoded together. Prints a Markdown table.

For each n_parallel the server is started the way seedless.engine.llm.clients.embedded starts it (same CommonParams:
n_ctx = n_ctx_per_slot * n_parallel, threads = --threads or all cores, no warmup), in a fresh child process so
that settings cannot share threads or memory. After one untimed warm-up call, the same fixed set of chat
requests (short prompts asking for a ~150-token answer, fixed max_tokens, temperature 0.7, request i has seed i)
is sent with exactly n_parallel requests in flight at a time, and the script records wall seconds, prompt and
completion tokens, aggregate completion tokens/s, mean per-request latency and, from llama.cpp's own per-request
`timings`, the mean per-stream decode rate. The request count is the same for every setting.

Noise: llama.cpp's worker threads spin at barriers, so any other busy process on the machine slows it far more
than its share of the CPU would suggest. Each row therefore also shows the CPU share the server process got
(its CPU seconds / (wall * threads); ~100% on an idle machine) and the 1-minute load average before -> after;
rerun a setting whose CPU share is low or whose load average exceeds the core count.

Run by hand: python benchmarks/embedded_parallel.py [--parallel 1,2,4,8] [--requests 16] [--max-tokens 128]
    [--threads N] [--model PATH] [--json OUT]"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
import urllib.request
from typing import Any

TOPICS = [
    "how a hash map handles collisions",
    "the difference between a process and a thread",
    "what a database index is and when it hurts",
    "how TCP's three-way handshake works",
    "why floating-point addition is not associative",
    "what garbage collection does in Python",
    "how binary search works and its complexity",
    "what a race condition is, with an example",
]
PROMPT = "In about 150 words, explain {topic} to a junior programmer. Use plain prose, no code."


def _post(url: str, body: dict[str, Any], timeout: float) -> dict[str, Any]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


def _request_body(i: int, max_tokens: int, temperature: float) -> dict[str, Any]:
    return {
        "model": "embedded",
        "messages": [{"role": "user", "content": PROMPT.format(topic=TOPICS[i % len(TOPICS)])}],
        "temperature": temperature,
        "max_tokens": max_tokens,
        "seed": i,
    }


def run_setting(model: str, n_parallel: int, threads: int, n_ctx_per_slot: int, requests: int,
                max_tokens: int, temperature: float, timeout: float) -> dict[str, Any]:
    """Start a server with n_parallel slots, send `requests` requests n_parallel at a time; runs in a child."""
    from cache_off import start_server  # benchmarks/ is on sys.path: the script's own folder

    started = time.perf_counter()
    server, root = start_server(model, n_parallel, threads, n_ctx_per_slot)
    url = root + "/chat/completions"
    load_s = time.perf_counter() - started
    _post(url, _request_body(10_000, 16, temperature), timeout)  # untimed warm-up (first-call allocations)

    def one(i: int) -> dict[str, Any]:
        t0 = time.perf_counter()
        reply = _post(url, _request_body(i, max_tokens, temperature), timeout)
        latency = time.perf_counter() - t0
        usage = reply.get("usage") or {}
        timings = reply.get("timings") or {}
        return {"latency": latency, "prompt": usage.get("prompt_tokens", 0),
                "completion": usage.get("completion_tokens", 0),
                "finish": reply["choices"][0].get("finish_reason"),
                "decode_tps": timings.get("predicted_per_second")}

    load_before = os.getloadavg()[0]
    cpu0, started = time.process_time(), time.perf_counter()
    with cf.ThreadPoolExecutor(max_workers=n_parallel) as pool:
        results = list(pool.map(one, range(requests)))
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu0  # all threads of this process: llama.cpp's workers and the HTTP clients
    del server
    completion = sum(r["completion"] for r in results)
    rates = [r["decode_tps"] for r in results if r["decode_tps"]]
    return {
        "n_parallel": n_parallel, "threads": threads, "requests": requests, "max_tokens": max_tokens,
        "load_s": load_s, "wall_s": wall,
        "prompt_tokens": sum(r["prompt"] for r in results), "completion_tokens": completion,
        "tokens_per_s": completion / wall,
        "mean_latency_s": statistics.mean(r["latency"] for r in results),
        "max_latency_s": max(r["latency"] for r in results),
        "stream_decode_tps": statistics.mean(rates) if rates else None,
        "hit_max_tokens": sum(r["finish"] == "length" for r in results),
        "cpu_share": cpu / (wall * min(threads, os.cpu_count() or threads)),
        "loadavg_before": load_before, "loadavg_after": os.getloadavg()[0],
    }


def table(rows: list[dict[str, Any]]) -> str:
    base = next((r["tokens_per_s"] for r in rows if r["n_parallel"] == 1), None)
    lines = [
        "| n_parallel | requests | wall s | prompt tok | completion tok | agg tok/s | vs n=1 | mean latency s "
        "| max latency s | per-stream decode tok/s | CPU share | loadavg |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = f"{r['tokens_per_s'] / base:.2f}x" if base else "-"
        stream = f"{r['stream_decode_tps']:.1f}" if r["stream_decode_tps"] else "-"
        lines.append(
            f"| {r['n_parallel']} | {r['requests']} | {r['wall_s']:.1f} | {r['prompt_tokens']} "
            f"| {r['completion_tokens']} | {r['tokens_per_s']:.1f} | {ratio} | {r['mean_latency_s']:.1f} "
            f"| {r['max_latency_s']:.1f} | {stream} | {r['cpu_share']:.0%} "
            f"| {r['loadavg_before']:.1f}->{r['loadavg_after']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parallel", default="1,2,4,8", help="comma-separated n_parallel values (default 1,2,4,8)")
    ap.add_argument("--requests", type=int, default=16, help="requests per setting, the same for all (default 16)")
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--temperature", type=float, default=0.7)
    ap.add_argument("--threads", type=int, default=None, help="CPU threads (default: all cores, as the engine)")
    ap.add_argument("--n-ctx-per-slot", type=int, default=4096)
    ap.add_argument("--model", default=None, help="a GGUF (default: the packaged model)")
    ap.add_argument("--timeout", type=float, default=1200.0, help="seconds per request")
    ap.add_argument("--json", dest="json_out", default=None, help="also write the rows as JSON here")
    args = ap.parse_args(argv)

    settings = [int(x) for x in args.parallel.split(",") if x.strip()]
    threads = args.threads or os.cpu_count() or 2
    if args.model:
        model = args.model
    else:
        from seedless.engine.llm.clients.packaged_model import packaged_model_path
        model = str(packaged_model_path())
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, threads={threads}, "
          f"model={os.path.basename(model)}, requests={args.requests}, max_tokens={args.max_tokens}, "
          f"temperature={args.temperature}", file=sys.stderr)

    rows = []
    ctx = multiprocessing.get_context("spawn")
    for k in settings:
        with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as child:
            row = child.submit(run_setting, model, k, threads, args.n_ctx_per_slot, args.requests,
                               args.max_tokens, args.temperature, args.timeout).result()
        rows.append(row)
        print(f"n_parallel={k}: {row['tokens_per_s']:.1f} tok/s, wall {row['wall_s']:.1f}s, "
              f"load {row['load_s']:.1f}s", file=sys.stderr, flush=True)

    print(table(rows))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"cores": os.cpu_count(), "threads": threads, "model": model, "rows": rows}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
