"""OpenAIEmbedder against a loopback aiohttp server: batching, order, concurrency bound, retries, fatal errors."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import threading
from contextlib import asynccontextmanager
from typing import Any

import numpy as np
import pytest
from aiohttp import web

from openai_stub import Recorder
from seedless.engine.llm.clients.base import FatalModelError, ModelError
from seedless.engine.llm.embedders import make_embedder
from seedless.engine.llm.embedders.openai_embeddings import OpenAIEmbedder

DIM = 8


def vector_of(text: str) -> np.ndarray:
    """A deterministic, unnormalised vector per text (the server's 'model')."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
    return np.random.default_rng(seed).normal(size=DIM).astype(np.float32) * 3.0


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def embeddings_reply(texts: list[str], base64_format: bool = False) -> dict[str, Any]:
    data = []
    for i, text in enumerate(texts):
        v = vector_of(text)
        value: Any = base64.b64encode(v.astype("<f4").tobytes()).decode() if base64_format else v.tolist()
        data.append({"object": "embedding", "index": i, "embedding": value})
    return {"object": "list", "data": data[::-1], "model": "m", "usage": {"prompt_tokens": 1, "total_tokens": 1}}


def ok(base64_format: bool = False):
    async def act(req: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        return web.json_response(embeddings_reply(body["input"], base64_format))
    return act


def status(code: int, headers: dict[str, str] | None = None):
    async def act(req: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        return web.Response(status=code, text="error", headers=headers or {})
    return act


def raw(text: str):
    async def act(req: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        return web.Response(text=text, content_type="application/json")
    return act


def slow(seconds: float, then=None):
    async def act(req: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        await asyncio.sleep(seconds)
        return await (then or ok())(req, body)
    return act


class Script:
    """Each request takes the next action (the last repeats); records bodies, headers and requests in flight."""

    def __init__(self, *actions):
        self.actions = list(actions)
        self.seen: list[dict[str, Any]] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def handle(self, req: web.Request) -> web.StreamResponse:
        body = json.loads(await req.read())
        self.seen.append({"path": req.path, "headers": dict(req.headers), "body": body})
        act = self.actions.pop(0) if len(self.actions) > 1 else self.actions[0]
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await act(req, body)
        finally:
            self.in_flight -= 1


def app_for(script: Script) -> web.Application:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", script.handle)
    return app


@asynccontextmanager
async def serve(script: Script):
    runner = web.AppRunner(app_for(script), shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()


class ThreadedServer:
    """The same script served from its own thread and loop, for the synchronous `embed`."""

    def __init__(self, script: Script):
        self.script = script
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.url = ""

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.runner = web.AppRunner(app_for(self.script), shutdown_timeout=0.5)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/v1"  # type: ignore[union-attr]
        self.ready.set()
        self.loop.run_forever()

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        self.ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def embedder(url: str, rec: Recorder | None = None, **kw: Any) -> OpenAIEmbedder:
    rec = rec or Recorder()
    kw.setdefault("timeout_s", 5.0)
    kw.setdefault("max_retries", 3)
    return OpenAIEmbedder(url, "embed-model", sleep=rec.sleep, on_retry=rec.on_retry, **kw)


async def run(script: Script, texts: list[str], rec: Recorder | None = None, **kw: Any) -> np.ndarray:
    async with serve(script) as url:
        return await embedder(url, rec, **kw).aembed(texts)


TEXTS = [f"text number {i}" for i in range(10)]


def test_texts_are_sent_in_batches_and_rows_come_back_in_input_order_normalised():
    script = Script(ok())
    vectors = asyncio.run(run(script, TEXTS, batch_size=4))
    assert sorted(len(s["body"]["input"]) for s in script.seen) == [2, 4, 4]
    assert sorted(t for s in script.seen for t in s["body"]["input"]) == sorted(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (10, DIM)
    assert np.allclose(vectors, unit(np.stack([vector_of(t) for t in TEXTS])), atol=1e-6)


def test_request_body_names_model_format_and_dimensions_at_the_embeddings_path():
    script = Script(ok())
    asyncio.run(run(script, ["a"], dimensions=DIM))
    seen = script.seen[0]
    assert seen["path"] == "/v1/embeddings"
    assert seen["body"] == {"model": "embed-model", "input": ["a"], "encoding_format": "float", "dimensions": DIM}


def test_base64_encoded_embeddings_are_decoded():
    vectors = asyncio.run(run(Script(ok(base64_format=True)), TEXTS[:3]))
    assert np.allclose(vectors, unit(np.stack([vector_of(t) for t in TEXTS[:3]])), atol=1e-6)


def test_requests_in_flight_never_exceed_max_concurrency():
    script = Script(slow(0.05))
    vectors = asyncio.run(run(script, TEXTS * 4, batch_size=5, max_concurrency=2))
    assert len(script.seen) == 8
    assert script.most_in_flight == 2
    assert vectors.shape == (40, DIM)


def test_retry_after_is_honoured_for_429():
    script = Script(status(429, {"Retry-After": "2"}), ok())
    rec = Recorder()
    vectors = asyncio.run(run(script, ["a", "b"], rec))
    assert vectors.shape == (2, DIM)
    assert rec.delays == [2.0]
    assert rec.retries == [("HTTP 429", 2.0)]


def test_5xx_is_retried_with_backoff_then_succeeds():
    script = Script(status(500), status(502), ok())
    rec = Recorder()
    asyncio.run(run(script, ["a"], rec))
    assert [r for r, _ in rec.retries] == ["HTTP 500", "HTTP 502"]
    assert 0.25 <= rec.delays[0] <= 0.5 and 0.5 <= rec.delays[1] <= 1.0


def test_rate_limits_and_transport_errors_draw_on_separate_budgets_like_chat():
    script = Script(status(429), status(429), status(429), status(500), ok())
    rec = Recorder()
    vectors = asyncio.run(run(script, ["a"], rec, max_retries=1, max_rate_limit_retries=3))
    assert vectors.shape == (1, DIM) and len(script.seen) == 5
    assert [r for r, _ in rec.retries] == ["HTTP 429"] * 3 + ["HTTP 500"]
    with pytest.raises(ModelError, match="HTTP 429 \\(gave up after 3 tries\\)"):
        asyncio.run(run(Script(status(429)), ["a"], max_rate_limit_retries=2))


def test_each_batch_goes_through_the_chat_paths_window_and_retry_loop(monkeypatch):
    from seedless.engine.llm.embedders import openai_embeddings
    from seedless.engine.llm.transport import dispatch

    seen: list[tuple[int, str]] = []

    async def spy(once, limiter, site, policy, admit=None):
        seen.append((limiter.ceiling, site))
        return await dispatch.dispatch(once, limiter, site, policy, admit)

    monkeypatch.setattr(openai_embeddings, "dispatch", spy)
    asyncio.run(run(Script(ok()), TEXTS, batch_size=4, max_concurrency=3))
    assert seen == [(3, "embeddings")] * 3


def test_5xx_until_max_retries_gives_up_with_a_model_error():
    script = Script(status(502))
    with pytest.raises(ModelError, match="gave up after 3 tries") as err:
        asyncio.run(run(script, ["a"], max_retries=2))
    assert not isinstance(err.value, FatalModelError)
    assert len(script.seen) == 3


def test_timeouts_and_malformed_bodies_are_retried():
    script = Script(slow(1.0), raw("not json"), raw('{"data": []}'), ok())
    rec = Recorder()
    vectors = asyncio.run(run(script, ["a"], rec, timeout_s=0.2, max_retries=4))
    assert vectors.shape == (1, DIM)
    reasons = [r for r, _ in rec.retries]
    assert reasons == ["no reply within 0.2s", "malformed response body", "0 embeddings for 1 inputs"]


@pytest.mark.parametrize("code", [401, 403, 404])
def test_auth_and_not_found_errors_are_fatal_at_once(code):
    script = Script(status(code))
    with pytest.raises(FatalModelError, match=f"HTTP {code}"):
        asyncio.run(run(script, ["a"]))
    assert len(script.seen) == 1


def test_other_client_errors_fail_without_retrying():
    script = Script(status(400))
    with pytest.raises(ModelError, match="HTTP 400") as err:
        asyncio.run(run(script, ["a"]))
    assert not isinstance(err.value, FatalModelError)
    assert len(script.seen) == 1


def test_api_key_is_sent_as_a_bearer_token_and_a_missing_one_is_fatal(monkeypatch):
    monkeypatch.setenv("EMBED_KEY", "sekret")
    script = Script(ok())
    asyncio.run(run(script, ["a"], api_key_env="EMBED_KEY"))
    assert script.seen[0]["headers"]["Authorization"] == "Bearer sekret"
    monkeypatch.delenv("EMBED_KEY")
    with pytest.raises(FatalModelError, match="EMBED_KEY"):
        OpenAIEmbedder("http://127.0.0.1:1/v1", "m", api_key_env="EMBED_KEY")


def test_identity_names_the_model_not_the_url():
    a = OpenAIEmbedder("http://127.0.0.1:1/v1", "text-embedding-3-small")
    b = OpenAIEmbedder("https://api.example.com/v1/", "text-embedding-3-small")
    assert a.identity == b.identity == "openai-embeddings:text-embedding-3-small"
    assert OpenAIEmbedder("http://x/v1", "m", dimensions=256).identity == "openai-embeddings:m:256d"
    assert b.url == "https://api.example.com/v1/embeddings"


def test_no_texts_sends_no_request():
    script = Script(ok())
    assert asyncio.run(run(script, [])).shape == (0, 0)
    assert script.seen == []


def test_synchronous_embed_works_outside_and_inside_a_running_loop():
    script = Script(ok())
    with ThreadedServer(script) as server:
        emb = make_embedder(server.url, model="embed-model", batch_size=3)
        assert isinstance(emb, OpenAIEmbedder)
        plain = emb.embed(TEXTS)

        async def inside() -> np.ndarray:
            return emb.embed(TEXTS)

        nested = asyncio.run(inside())
    assert np.allclose(plain, unit(np.stack([vector_of(t) for t in TEXTS])), atol=1e-6)
    assert np.array_equal(plain, nested)
    assert len(script.seen) == 8
