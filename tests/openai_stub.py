"""A loopback OpenAI-compatible server for tests: deterministic schema-shaped replies, latency, request log; optionally
a /v1/models listing and error bodies that echo the request's headers and URL (a server that leaks secrets)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import threading
from collections import Counter

from aiohttp import web

from seedless.engine.llm.clients.fake import instance


def body_key(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


class StubServer:
    """Runs in its own thread and event loop. `received` counts request bodies; `answered` counts replies sent;
    `seen` holds every request (method, path, query, headers, body). `listing`: the model names GET /v1/models
    lists (None: no such route, 404); `echo`: error replies carry the request's headers and URL."""

    def __init__(self, latency: float = 0.0, status: int = 200, *, listing: list[str] | None = None,
                 echo: bool = False):
        self.latency = latency
        self.status = status
        self.listing = listing
        self.echo = echo
        self.received: Counter[str] = Counter()
        self.answered: Counter[str] = Counter()
        self.models: Counter[str] = Counter()
        self.seen: list[dict] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    def _record(self, request: web.Request, body: dict | None) -> None:
        self.seen.append({"method": request.method, "path": request.path, "query": dict(request.query),
                          "headers": dict(request.headers), "body": body})

    async def _list(self, request: web.Request) -> web.Response:
        self._record(request, None)
        return web.json_response({"object": "list", "data": [
            {"id": name, "object": "model", "owned_by": "stub"} for name in self.listing or []]})

    async def _embed(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body)
        if self.status != 200:
            return self._error(request)
        return web.json_response({"data": [{"index": i, "embedding": [1.0, float(len(text))]}
                                           for i, text in enumerate(body["input"])]})

    def _error(self, request: web.Request) -> web.Response:
        error: dict = {"message": "refused"}
        if self.echo:
            error.update(url=str(request.url), headers=dict(request.headers))
        return web.json_response({"error": error}, status=self.status)

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body)
        key = body_key(body)
        self.received[key] += 1
        self.models[body.get("model", "")] += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.status != 200:
            return self._error(request)
        schema = (body.get("response_format") or {}).get("json_schema", {}).get("schema")
        rng = random.Random(key)
        content = json.dumps(instance(schema, rng)) if schema else "plain text"
        self.answered[key] += 1
        return web.json_response({
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5},
        })

    def routes(self, app: web.Application) -> None:
        """The server's routes (a stub of more endpoints adds its own)."""
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/embeddings", self._embed)
        if self.listing is not None:
            app.router.add_get("/v1/models", self._list)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application(client_max_size=256 * 1024 * 1024)
        self.routes(app)
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
