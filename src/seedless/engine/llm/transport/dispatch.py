"""One request through its endpoint's limiter: each try holds a place in the window only while it is on the wire;
the wait before a retry (the server's Retry-After, else jittered backoff) is spent outside it, so one throttled
request never pauses the others. Transport errors and rate limits draw on separate retry budgets; a refused
connection only on a short one. The one retry loop: chat requests (`send`) and any other try (`dispatch`: the
embeddings client's batches)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from seedless.engine.llm.clients.base import ChatReply, ChatRequest, ModelClient, ModelError, Transient
from seedless.engine.llm.clients.http_post import RetryHook, Sleep
from seedless.engine.llm.clients.retry import UNREACHABLE_RETRIES, backoff_delay
from seedless.engine.llm.transport.limiter import Limiter

R = TypeVar("R")


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of one request: `transport` for timeouts, resets, 5xx and malformed bodies; `rate_limit` for
    429/503 (the server asked for less: waiting is cheap, so the budget is larger). Invalid output is the
    caller's repair budget (`models.max_repairs`), not a retry here."""

    transport: int = 6
    rate_limit: int = 30
    unreachable: int = UNREACHABLE_RETRIES  # at most this many of `transport` when nothing listens (refused)
    sleep: Sleep = asyncio.sleep
    on_retry: RetryHook | None = None
    clock: Callable[[], float] = time.monotonic


async def send(client: ModelClient, limiter: Limiter, request: ChatRequest, site: str, policy: RetryPolicy,
               admit: Callable[[], None] | None = None) -> ChatReply:
    """The reply of `request` from `client` (see `dispatch`)."""
    return await dispatch(lambda: client.complete(request), limiter, site, policy, admit)


async def dispatch(once: Callable[[], Awaitable[R]], limiter: Limiter, site: str, policy: RetryPolicy,
                   admit: Callable[[], None] | None = None) -> R:
    """What `once()` returns, tried in the window until it does (a Transient failure is retried), or ModelError
    once a budget is spent. `site` names the call site for an adaptive limit's latency baseline. `admit` runs
    once, when the first try is given its place in the window (the hard budget reserves there); it may raise to
    send nothing."""
    tries = {True: 0, False: 0}  # rate limited -> failures so far
    while True:
        ticket = await limiter.acquire()
        if admit is not None:
            try:
                admit()
            except BaseException:
                limiter.release()
                raise
            admit = None
        started = policy.clock()
        try:
            outcome = await once()
        except Transient as exc:
            (limiter.rate_limited if exc.rate_limited else limiter.failed)(ticket)
            failure = exc
        except BaseException:
            limiter.failed(ticket)
            raise
        else:
            limiter.succeeded(ticket, site, policy.clock() - started)
            return outcome
        kind = failure.rate_limited
        tries[kind] += 1
        budget = policy.rate_limit if kind else policy.transport
        if failure.unreachable:  # nothing listens: a down server stays down longer than a backoff
            budget = min(budget, policy.unreachable)
        if tries[kind] > budget:
            said = f": {failure.said}" if failure.said else ""
            raise ModelError(f"{failure.reason} (gave up after {tries[kind]} tries){said}")
        delay = backoff_delay(tries[kind] - 1, failure.retry_after)
        if policy.on_retry is not None:
            policy.on_retry(failure.reason, delay)
        await policy.sleep(delay)
