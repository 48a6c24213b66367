"""A loopback OpenAI-compatible server for tests: deterministic schema-shaped replies, latency, request log."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import threading
from collections import Counter

from aiohttp import web

from seedless.engine.clients.fake import instance


def body_key(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


class StubServer:
    """Runs in its own thread and event loop. `received` counts request bodies; `answered` counts replies sent."""

    def __init__(self, latency: float = 0.0, status: int = 200):
        self.latency = latency
        self.status = status
        self.received: Counter[str] = Counter()
        self.answered: Counter[str] = Counter()
        self.models: Counter[str] = Counter()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        key = body_key(body)
        self.received[key] += 1
        self.models[body.get("model", "")] += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.status != 200:
            return web.json_response({"error": {"message": "refused"}}, status=self.status)
        schema = (body.get("response_format") or {}).get("json_schema", {}).get("schema")
        rng = random.Random(key)
        content = json.dumps(instance(schema, rng)) if schema else "plain text"
        self.answered[key] += 1
        return web.json_response({
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5},
        })

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self._loop.run_forever()

    @property
    def requests(self) -> int:
        return sum(self.received.values())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> StubServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


class Recorder:
    """A client's sleep and on_retry hooks that record the waits instead of waiting."""

    def __init__(self):
        self.delays: list[float] = []
        self.retries: list[tuple[str, float]] = []

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)

    def on_retry(self, reason: str, delay: float) -> None:
        self.retries.append((reason, delay))
