"""One JSON POST to an OpenAI-compatible endpoint, its status sorted into retry / fatal / error, and the retry loop."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp

from seedless.engine.clients.base import FatalModelError, ModelError, Transient
from seedless.engine.clients.retry import RETRYABLE_STATUS, backoff_delay, parse_retry_after

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
RetryHook = Callable[[str, float], None]  # (reason, delay) -> None
RATE_LIMIT_STATUS = frozenset({429, 503})  # the server asks for less: the controller backs off
FATAL_STATUS = frozenset({401, 403, 404})  # the endpoint refuses every call: stop instead of retrying


def json_headers(api_key_env: str | None) -> dict[str, str]:
    """Content type, plus the bearer key read from the environment variable `api_key_env` when named."""
    headers = {"Content-Type": "application/json"}
    if api_key_env:
        key = os.environ.get(api_key_env)
        if not key:
            raise FatalModelError(f"the environment variable {api_key_env} (api_key_env) is not set")
        headers["Authorization"] = f"Bearer {key}"
    return headers


async def post(session: aiohttp.ClientSession, url: str, body: bytes, timeout_s: float) -> bytes:
    """The raw reply body of a 2xx/3xx answer; Transient, FatalModelError or ModelError otherwise."""
    try:
        async with session.post(url, data=body, timeout=aiohttp.ClientTimeout(total=timeout_s)) as resp:
            raw = await resp.read()
            if resp.status in RETRYABLE_STATUS:
                raise Transient(f"HTTP {resp.status}", parse_retry_after(resp.headers.get("Retry-After")),
                                rate_limited=resp.status in RATE_LIMIT_STATUS)
            if resp.status >= 400:
                detail = raw[:300].decode("utf-8", "replace")
                if resp.status in FATAL_STATUS:
                    raise FatalModelError(f"{url} answered HTTP {resp.status}: {detail}")
                raise ModelError(f"{url} answered HTTP {resp.status}: {detail}")
            return raw
    except asyncio.TimeoutError:
        raise Transient(f"no reply within {timeout_s:g}s") from None
    except aiohttp.ClientError as exc:
        raise Transient(f"connection error: {type(exc).__name__}: {exc}") from None


async def with_retries(once: Callable[[], Awaitable[T]], *, max_retries: int, sleep: Sleep,
                       on_retry: RetryHook | None) -> T:
    """`once()` until it succeeds; a Transient failure waits (Retry-After, else jittered backoff) and tries
    again up to `max_retries` times, then becomes a ModelError."""
    for attempt in range(max_retries + 1):
        try:
            return await once()
        except Transient as exc:
            if attempt >= max_retries:
                raise ModelError(f"{exc.reason} (gave up after {attempt + 1} tries)") from None
            delay = backoff_delay(attempt, exc.retry_after)
            if on_retry is not None:
                on_retry(exc.reason, delay)
            await sleep(delay)
    raise AssertionError("unreachable")
