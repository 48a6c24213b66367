"""The embedded model's time per call with llama.cpp's prompt cache on and off: replay a finished run's stored
requests of some call sites (the judge's by default) against a fresh embedded server, once with `cache_prompt`
true (llama.cpp's default: a slot reuses the longest matching prefix of its last prompt) and once false, the
same requests in the same order with the same number in flight. Prints a Markdown table. Run by hand, with
nothing else on the cores:

    python benchmarks/cache_off.py RUN_DIR [--prompts judge_solve,judge_correct,judge_incorrect] [--requests 16]
        [--model qwen2.5-coder-1.5b] [--parallel 4] [--threads 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import time
from pathlib import Path

from seedless.engine.llm.clients.base import ChatRequest
from seedless.engine.llm.clients.embedded import without_patterns
from seedless.engine.llm.clients.openai_http import OpenAIClient
from seedless.engine.llm.clients.packaged_model import packaged_model_path


def stored_requests(run: Path, prompts: list[str], limit: int) -> list[tuple[str, ChatRequest]]:
    db = sqlite3.connect(run / "seedless.db")
    marks = ",".join("?" * len(prompts))
    rows = db.execute(f"SELECT prompt, request FROM calls WHERE prompt IN ({marks}) ORDER BY created LIMIT ?",
                      (*prompts, limit)).fetchall()
    out = []
    for prompt, text in rows:
        r = json.loads(text)
        out.append((prompt, ChatRequest(tuple(tuple(m) for m in r["messages"]), r["temperature"], r["max_tokens"],
                                        r["seed"], without_patterns(r["schema"]) if r.get("schema") else None)))
    return out


def start_server(model_path: str, parallel: int, threads: int, ctx_per_slot: int):
    """An in-process llama.cpp server on a free loopback port, and its OpenAI root URL (also embedded_parallel's)."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = model_path
    params.n_parallel = parallel
    params.n_ctx = ctx_per_slot * parallel
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.port = 0
    params.verbosity = 0
    params.warmup = False
    server = xlc.Server(params)
    return server, str(server.listening_address).rstrip("/") + "/v1"


async def replay(url: str, requests: list[tuple[str, ChatRequest]], parallel: int, cache: bool) -> dict:
    client = OpenAIClient(url, "embedded", max_concurrency=parallel, timeout_s=1800,
                          extra_body={"cache_prompt": cache})
    gate = asyncio.Semaphore(parallel)
    latencies: list[float] = []
    tokens = {"prompt": 0, "cached": 0, "completion": 0}

    async def one(request: ChatRequest) -> None:
        async with gate:
            started = time.monotonic()
            reply = await client.complete(request)
            latencies.append(time.monotonic() - started)
            tokens["prompt"] += reply.prompt_tokens
            tokens["cached"] += reply.cached_tokens
            tokens["completion"] += reply.completion_tokens

    started = time.monotonic()
    await asyncio.gather(*(one(r) for _, r in requests))
    wall = time.monotonic() - started
    await client.aclose()
    return {"cache": cache, "wall_s": round(wall, 1), "mean_call_s": round(sum(latencies) / len(latencies), 1),
            **tokens}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path)
    ap.add_argument("--prompts", default="judge_solve,judge_correct,judge_incorrect")
    ap.add_argument("--requests", type=int, default=16)
    ap.add_argument("--model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--ctx-per-slot", type=int, default=4096)
    args = ap.parse_args()
    requests = stored_requests(args.run, args.prompts.split(","), args.requests)
    results = []
    for cache in (True, False):  # a fresh server each time: no slot holds a prompt from the other replay
        server, url = start_server(str(packaged_model_path(args.model)), args.parallel, args.threads,
                                   args.ctx_per_slot)
        results.append(asyncio.run(replay(url, requests, args.parallel, cache)))
        del server
    print(f"{len(requests)} requests ({args.prompts}) from {args.run}, {args.model}, {args.parallel} in flight, "
          f"{args.threads} threads\n")
    print("| cache_prompt | wall s | mean s per call | prompt tokens | cached | completion tokens |")
    print("|---|---|---|---|---|---|")
    for r in results:
        share = r["cached"] / r["prompt"] if r["prompt"] else 0.0
        print(f"| {str(r['cache']).lower()} | {r['wall_s']} | {r['mean_call_s']} | {r['prompt']:,} | "
              f"{r['cached']:,} ({share:.0%}) | {r['completion']:,} |")


if __name__ == "__main__":
    main()
