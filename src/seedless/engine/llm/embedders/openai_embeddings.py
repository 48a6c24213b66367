"""Embeddings from any OpenAI-compatible /v1/embeddings endpoint: batched, through the chat path's window and retries.

Texts go `batch_size` per request, each batch one request through a window of `max_concurrency` requests in flight
(`engine/llm/transport/limiter.py`), retried by the chat path's loop (`engine/llm/transport/dispatch.py`): a try
holds its place only while on the wire; 408, 5xx, timeouts, resets and malformed bodies are retried up to
`max_retries` times, 429/503 up to `max_rate_limit_retries` times (the server's Retry-After wins, else capped
exponential backoff with jitter), then ModelError; 401, 403 and 404 raise FatalModelError at once (bad key,
unknown model, wrong URL); other 4xx raise ModelError. The wire is the chat client's (`clients/http_post.py`
Wire): proxies from the environment, extra headers and query parameters, and no secret in any message.
"""

from __future__ import annotations

import asyncio
import base64
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
import numpy as np

from seedless.engine.llm.clients.base import ModelError, Transient
from seedless.engine.llm.clients.http_post import RetryHook, Sleep, Wire
from seedless.engine.llm.embedders.base import unit_float32
from seedless.engine.llm.transport.dispatch import RetryPolicy, dispatch
from seedless.engine.llm.transport.limiter import Limiter

SITE = "embeddings"  # the call site the window knows these requests by


def _vector(item: dict[str, Any]) -> np.ndarray:
    value = item["embedding"]
    if isinstance(value, str):  # encoding_format "base64": little-endian float32
        return np.frombuffer(base64.b64decode(value), dtype="<f4")
    return np.asarray(value, dtype=np.float32)


def _parse(raw: bytes, expected: int) -> np.ndarray:
    """The reply's vectors in input order (by each item's `index`); Transient when the body does not fit."""
    try:
        items = json.loads(raw)["data"]
        ordered = sorted(items, key=lambda item: int(item["index"])) if all("index" in i for i in items) else items
        vectors = [_vector(item) for item in ordered]
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        raise Transient("malformed response body") from None
    if len(vectors) != expected:
        raise Transient(f"{len(vectors)} embeddings for {expected} inputs")
    if not vectors or len({v.shape for v in vectors}) != 1 or vectors[0].ndim != 1 or vectors[0].size == 0:
        raise Transient("embeddings of unequal or empty dimension")
    return np.stack(vectors)


class OpenAIEmbedder:
    """`OpenAIEmbedder(base_url, model)`: base_url is the API root (`http://host:8000/v1`), `/embeddings` appended.

    identity: `openai-embeddings:<model>` (plus `:<dimensions>d` when set): the model, never the URL, so the
    same model behind another host or port keeps its stored embeddings. `api_key_env` names the environment
    variable holding the key (sent as a Bearer token); `headers`, `headers_env` and `query` are the chat
    endpoint's settings of the same names. `dimensions` is passed through for models that shorten. `max_retries`
    and `max_rate_limit_retries` are the retry budgets; `sleep` and `on_retry` go to the retry loop.
    `embed` is synchronous (it runs its own event loop, in a worker thread when called inside a running loop);
    `aembed` is the coroutine. Each call opens and closes its own HTTP session.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str | None = None,
        headers: dict[str, str] | None = None,
        headers_env: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        dimensions: int | None = None,
        batch_size: int = 128,
        max_concurrency: int = 8,
        timeout_s: float = 120.0,
        max_retries: int = 6,
        max_rate_limit_retries: int = 30,
        sleep: Sleep = asyncio.sleep,
        on_retry: RetryHook | None = None,
    ):
        if batch_size < 1 or max_concurrency < 1:
            raise ValueError("batch_size and max_concurrency must be at least 1")
        self.wire = Wire(base_url, api_key_env=api_key_env, headers=headers, headers_env=headers_env, query=query)
        self.url = self.wire.url("/embeddings")
        self.model = model
        self.dimensions = dimensions
        self.identity = f"openai-embeddings:{model}" + (f":{dimensions}d" if dimensions else "")
        self.batch_size = batch_size
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.retries = RetryPolicy(max_retries, max_rate_limit_retries, sleep=sleep, on_retry=on_retry)

    def _body(self, texts: list[str]) -> bytes:
        body: dict[str, Any] = {"model": self.model, "input": texts, "encoding_format": "float"}
        if self.dimensions:
            body["dimensions"] = self.dimensions
        return json.dumps(body).encode()

    async def _once(self, session: aiohttp.ClientSession, body: bytes, expected: int) -> np.ndarray:
        return _parse(await self.wire.post(session, "/embeddings", body, self.timeout_s), expected)

    async def _batch(self, session: aiohttp.ClientSession, window: Limiter, texts: list[str]) -> np.ndarray:
        body = self._body(texts)
        return await dispatch(lambda: self._once(session, body, len(texts)), window, SITE, self.retries)

    async def aembed(self, texts: list[str]) -> np.ndarray:
        """The embeddings of `texts`, rows L2-normalised float32; the first failed batch cancels the others."""
        if not texts:
            return np.zeros((0, self.dimensions or 0), dtype=np.float32)
        batches = [list(texts[i:i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        window = Limiter(self.max_concurrency)  # one per call: its waiters belong to this call's event loop
        async with self.wire.session(self.max_concurrency) as session:
            tasks = [asyncio.ensure_future(self._batch(session, window, batch)) for batch in batches]
            try:
                parts = await asyncio.gather(*tasks)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        if len({p.shape[1] for p in parts}) != 1:
            raise ModelError(f"{self.url} returned embeddings of different dimensions across batches")
        return unit_float32(np.concatenate(parts, axis=0))

    def embed(self, texts: list[str]) -> np.ndarray:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.aembed(texts))
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, self.aembed(texts)).result()
