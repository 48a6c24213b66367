"""A sliding window of requests per endpoint: a request starts as soon as one finishes, under a fixed limit or
under an adaptive controller's; waiting requests are admitted by priority (the `PRIORITY` of their task: the
datapoint slot, so the oldest unfinished datapoints go first), then first come, first served."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from contextvars import ContextVar

from seedless.engine.llm.transport.concurrency import Controller

PRIORITY: ContextVar[int] = ContextVar("seedless_request_priority", default=-1)  # lower goes first


class Limiter:
    def __init__(self, limit: int, controller: Controller | None = None):
        self.ceiling = limit
        self.controller = controller
        self.in_flight = 0
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []  # a heap: (priority, arrival, future)
        self._arrivals = itertools.count()

    @property
    def limit(self) -> int:
        return self.controller.allowed if self.controller is not None else self.ceiling

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    async def acquire(self) -> int:
        """Wait for room; returns the ticket (the controller's epoch) that outcomes are reported with."""
        if self._waiters or self.in_flight >= self.limit:
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            entry = (PRIORITY.get(), next(self._arrivals), future)
            heapq.heappush(self._waiters, entry)
            self._observe()
            try:
                await future
            except asyncio.CancelledError:
                if future.done() and not future.cancelled():
                    self.release()  # admitted just as it was cancelled: hand the room on
                else:
                    self._waiters.remove(entry)
                    heapq.heapify(self._waiters)
                raise
        else:
            self.in_flight += 1
        self._observe()
        return self.controller.epoch if self.controller is not None else 0

    def release(self) -> None:
        self.in_flight -= 1
        self._wake()

    def _observe(self) -> None:
        if self.controller is not None:
            self.controller.demand(self.in_flight, len(self._waiters))

    def _wake(self) -> None:
        while self._waiters and self.in_flight < self.limit:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                self.in_flight += 1
                future.set_result(None)

    # outcomes: each releases the request's room after telling the controller, so a new limit applies at once

    def succeeded(self, ticket: int, site: str, latency: float) -> None:
        if self.controller is not None:
            self.controller.succeeded(ticket, site, latency)
        self.release()

    def rate_limited(self, ticket: int) -> None:
        if self.controller is not None:
            self.controller.rate_limited(ticket)
        self.release()

    def failed(self, ticket: int) -> None:
        if self.controller is not None:
            self.controller.failed(ticket)
        self.release()
