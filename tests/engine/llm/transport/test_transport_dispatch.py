"""Contracts of the window and of dispatch: a bounded window admitted by priority, a raised limit admitting at
once; a retry's wait spent outside the window (Retry-After delays only the request that got it), separate
budgets for transport errors and rate limits, the hard budget's admission before anything is sent; any try (an
embeddings batch as well as a chat request) through the same loop."""

from __future__ import annotations

import asyncio

import pytest

from seedless.engine.llm.clients.base import ChatReply, ChatRequest, ModelError, Transient
from seedless.engine.llm.transport.concurrency import ControlSettings, Controller
from seedless.engine.llm.transport.dispatch import RetryPolicy, dispatch, send
from seedless.engine.llm.transport.limiter import PRIORITY, Limiter

REQUEST = ChatRequest((("user", "hi"),), 0.0, 16, 1)
OK = ChatReply("ok", "stop", 1, 1, 0.0)


class Scripted:
    """A client whose tries answer from a script per request name (the first message's text)."""

    identity = "fake:dispatch"
    max_concurrency = 4

    def __init__(self, script: dict[str, list[object]] | None = None):
        self.script = script or {}
        self.tries: list[str] = []

    async def complete(self, request: ChatRequest) -> ChatReply:
        name = request.messages[0][1]
        self.tries.append(name)
        await asyncio.sleep(0)
        outcomes = self.script.get(name, [])
        outcome = outcomes.pop(0) if outcomes else OK
        if isinstance(outcome, Exception):
            raise outcome
        return outcome  # type: ignore[return-value]

    async def aclose(self) -> None:
        return None


def named(name: str) -> ChatRequest:
    return ChatRequest((("user", name),), 0.0, 16, 1)


def test_a_retry_after_delays_only_the_request_that_got_it():
    async def go():
        client = Scripted({"a": [Transient("HTTP 429", 30.0, rate_limited=True)]})
        limiter = Limiter(1)  # one place: if A held it while waiting, B could never go
        b_done = asyncio.Event()
        waits: list[tuple[str, float]] = []

        async def sleep(delay: float) -> None:
            waits.append(("a", delay))
            await asyncio.wait_for(b_done.wait(), 2)  # A's wait ends only once B has been answered

        policy = RetryPolicy(sleep=sleep)

        async def b() -> ChatReply:
            await asyncio.sleep(0)
            reply = await send(client, limiter, named("b"), "site", policy)
            b_done.set()
            return reply

        results = await asyncio.gather(send(client, limiter, named("a"), "site", policy), b())
        return results, waits, client.tries, limiter

    (a, b), waits, tries, limiter = asyncio.run(go())
    assert a == b == OK
    assert waits == [("a", 30.0)]  # the server's Retry-After, for A alone
    assert tries == ["a", "b", "a"]  # B went while A waited
    assert limiter.in_flight == 0


def test_transport_errors_and_rate_limits_draw_on_separate_budgets():
    limited = [Transient("HTTP 429", 1.0, rate_limited=True)] * 3
    broken = [Transient("HTTP 500")] * 2
    client = Scripted({"x": broken + limited})
    waits: list[float] = []

    async def sleep(delay: float) -> None:
        waits.append(delay)

    reply = asyncio.run(send(client, Limiter(2), named("x"), "site", RetryPolicy(2, 3, sleep=sleep)))
    assert reply == OK and len(client.tries) == 6
    assert waits[2:] == [1.0, 1.0, 1.0]

    client = Scripted({"x": broken + [Transient("HTTP 500")]})
    with pytest.raises(ModelError, match=r"HTTP 500 \(gave up after 3 tries\)"):
        asyncio.run(send(client, Limiter(2), named("x"), "site", RetryPolicy(2, 3, sleep=sleep)))


def test_admission_runs_once_and_a_refusal_sends_nothing():
    client = Scripted({"x": [Transient("HTTP 500")]})
    admitted: list[int] = []

    async def sleep(delay: float) -> None:
        return None

    asyncio.run(send(client, Limiter(1), named("x"), "site", RetryPolicy(sleep=sleep), lambda: admitted.append(1)))
    assert admitted == [1] and client.tries == ["x", "x"]

    def refuse() -> None:
        raise RuntimeError("over budget")

    limiter = Limiter(1)
    client = Scripted()
    with pytest.raises(RuntimeError):
        asyncio.run(send(client, limiter, named("y"), "site", RetryPolicy(), refuse))
    assert client.tries == [] and limiter.in_flight == 0


def test_outcomes_reach_the_controller_with_their_kind():
    controller = Controller(ControlSettings(ceiling=8, start=8, min_round=100))
    client = Scripted({"x": [Transient("HTTP 429", 0.0, rate_limited=True), Transient("reset")]})

    async def sleep(delay: float) -> None:
        return None

    asyncio.run(send(client, Limiter(8, controller), named("x"), "site", RetryPolicy(sleep=sleep)))
    rnd = controller._round
    assert (rnd.rate_limited, rnd.failed, len(rnd.latencies)) == (1, 1, 1)


def test_requests_beyond_the_limit_wait_and_the_lowest_priority_goes_first():
    async def go():
        limiter = Limiter(1)
        order: list[int] = []
        await limiter.acquire()  # the one place is taken

        async def waiter(priority: int) -> None:
            PRIORITY.set(priority)
            await limiter.acquire()
            order.append(priority)
            limiter.release()

        tasks = [asyncio.create_task(waiter(p)) for p in (30, 10, 20)]
        await asyncio.sleep(0)
        assert limiter.waiting == 3 and limiter.in_flight == 1
        limiter.release()
        await asyncio.gather(*tasks)
        return order, limiter

    order, limiter = asyncio.run(go())
    assert order == [10, 20, 30]
    assert limiter.in_flight == 0 and limiter.waiting == 0


def test_a_raised_limit_admits_waiters_at_once_and_a_cancelled_waiter_leaves_no_trace():
    async def go():
        controller = Controller(ControlSettings(ceiling=4, start=1, min_round=1))
        limiter = Limiter(4, controller)
        ticket = await limiter.acquire()
        waiting = [asyncio.create_task(limiter.acquire()) for _ in range(3)]
        await asyncio.sleep(0)
        waiting[2].cancel()
        await asyncio.sleep(0)
        assert limiter.waiting == 2
        controller.demand(1, 2)
        limiter.succeeded(ticket, "site", 0.1)  # a saturated round of one: slow start doubles the limit to 2
        await asyncio.sleep(0)
        return limiter, waiting

    limiter, waiting = asyncio.run(go())
    assert limiter.limit == 2
    assert waiting[0].done() and waiting[1].done() and waiting[2].cancelled()
    assert limiter.in_flight == 2 and limiter.waiting == 0


def test_a_server_that_refuses_connections_gets_the_short_unreachable_budget_not_the_transport_one():
    refused = Transient("connection error: connection refused", unreachable=True)
    client = Scripted({"a": [refused] * 10, "b": [Transient("HTTP 500")] * 3})
    waits: list[float] = []

    async def sleep(delay: float) -> None:
        waits.append(delay)

    async def go():
        policy = RetryPolicy(transport=6, sleep=sleep)
        with pytest.raises(ModelError, match="gave up after 3 tries"):
            await send(client, Limiter(2), named("a"), "site", policy)
        return await send(client, Limiter(2), named("b"), "site", policy)  # other errors keep the full budget

    assert asyncio.run(go()) == OK
    assert client.tries == ["a"] * 3 + ["b"] * 4
    assert sum(waits[:2]) <= 1.5  # attempts 0 and 1 of the backoff: at most 0.5 s + 1 s


def test_any_try_goes_through_the_same_window_and_retry_loop():
    async def go():
        outcomes: list[object] = [Transient("HTTP 500"), Transient("HTTP 429", 1.5, rate_limited=True), [1.0, 2.0]]
        limiter = Limiter(1)
        in_window: list[int] = []
        waits: list[float] = []

        async def once() -> list[float]:
            in_window.append(limiter.in_flight)
            outcome = outcomes.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome  # type: ignore[return-value]

        async def sleep(delay: float) -> None:
            waits.append(delay)
            assert limiter.in_flight == 0  # a retry's wait is spent outside the window

        got = await dispatch(once, limiter, "embeddings", RetryPolicy(transport=1, rate_limit=1, sleep=sleep))
        return got, in_window, waits, limiter.in_flight

    got, in_window, waits, left = asyncio.run(go())
    assert got == [1.0, 2.0] and in_window == [1, 1, 1] and left == 0
    assert len(waits) == 2 and waits[1] == 1.5
