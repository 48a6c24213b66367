"""The baseline engine_bench.py compares seedless with: N single chat requests, distinct prompts, sent through a
bare AsyncOpenAI client with an asyncio.Semaphore(K) as the only scheduler. Exits 1 if any request failed."""

from __future__ import annotations

import argparse
import asyncio
import sys

from openai import AsyncOpenAI


async def send_all(base_url: str, model: str, requests: int, concurrency: int) -> int:
    client = AsyncOpenAI(base_url=base_url, api_key="bench")
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> bool:
        async with gate:
            reply = await client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": f"Write one sentence about item {i}."}])
            return bool(reply.choices[0].message.content)

    results = await asyncio.gather(*(one(i) for i in range(requests)), return_exceptions=True)
    await client.close()
    return sum(1 for r in results if r is not True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--model", default="mock-model")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=64)
    args = ap.parse_args()
    failed = asyncio.run(send_all(args.base_url, args.model, args.requests, args.concurrency))
    if failed:
        print(f"{failed} of {args.requests} requests failed", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
