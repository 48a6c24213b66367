"""Client for any OpenAI-compatible /chat/completions endpoint, with retries on 429, 5xx, timeouts and resets."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from seedless.engine.clients.base import ChatReply, ChatRequest, FatalModelError, ModelError
from seedless.engine.clients.retry import RETRYABLE_STATUS, backoff_delay, parse_retry_after

Sleep = Callable[[float], Awaitable[None]]
RetryHook = Callable[[str, float], None]  # (reason, delay) -> None


class _Transient(Exception):
    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class OpenAIClient:
    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        identity: str | None = None,
        api_key_env: str | None = None,
        max_concurrency: int = 64,
        timeout_s: float = 300.0,
        max_retries: int = 6,
        json_schema: bool = True,
        sleep: Sleep = asyncio.sleep,
        on_retry: RetryHook | None = None,
    ):
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.identity = identity or f"openai:{model}"
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.use_schema = json_schema
        self._sleep = sleep
        self.on_retry = on_retry
        self._headers = {"Content-Type": "application/json"}
        if api_key_env:
            key = os.environ.get(api_key_env)
            if not key:
                raise FatalModelError(f"the environment variable {api_key_env} (api_key_env) is not set")
            self._headers["Authorization"] = f"Bearer {key}"
        self._session: aiohttp.ClientSession | None = None

    def _body(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": r, "content": c} for r, c in request.messages],
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "seed": request.seed,
        }
        if request.json_schema is not None:
            if self.use_schema:
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": request.schema_name, "schema": request.json_schema, "strict": True},
                }
            else:
                body["response_format"] = {"type": "json_object"}
        return body

    async def _session_get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.max_concurrency * 2, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, headers=self._headers)
        return self._session

    async def _once(self, body: bytes) -> ChatReply:
        session = await self._session_get()
        started = time.monotonic()
        try:
            timeout = aiohttp.ClientTimeout(total=self.timeout_s)
            async with session.post(self.url, data=body, timeout=timeout) as resp:
                raw = await resp.read()
                if resp.status in RETRYABLE_STATUS:
                    wait = parse_retry_after(resp.headers.get("Retry-After"))
                    raise _Transient(f"HTTP {resp.status}", wait)
                if resp.status >= 400:
                    detail = raw[:300].decode("utf-8", "replace")
                    if resp.status in (401, 403, 404):
                        raise FatalModelError(f"{self.url} answered HTTP {resp.status}: {detail}")
                    raise ModelError(f"HTTP {resp.status}: {detail}")
        except asyncio.TimeoutError:
            raise _Transient(f"no reply within {self.timeout_s:g}s") from None
        except aiohttp.ClientError as exc:
            raise _Transient(f"connection error: {type(exc).__name__}: {exc}") from None
        latency = time.monotonic() - started
        try:
            data = json.loads(raw)
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
            finish = choice.get("finish_reason") or "stop"
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise _Transient("malformed response body") from None
        usage = data.get("usage") or {}
        return ChatReply(text, finish, int(usage.get("prompt_tokens") or 0),
                         int(usage.get("completion_tokens") or 0), latency)

    async def complete(self, request: ChatRequest) -> ChatReply:
        body = json.dumps(self._body(request)).encode()
        for attempt in range(self.max_retries + 1):
            try:
                return await self._once(body)
            except _Transient as exc:
                if attempt >= self.max_retries:
                    raise ModelError(f"{exc.reason} (gave up after {attempt + 1} tries)") from None
                delay = backoff_delay(attempt, exc.retry_after)
                if self.on_retry is not None:
                    self.on_retry(exc.reason, delay)
                await self._sleep(delay)
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
