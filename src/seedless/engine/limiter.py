"""A sliding window of requests per endpoint: a new request starts as soon as any one finishes."""

from __future__ import annotations

import asyncio


class Limiter:
    def __init__(self, limit: int):
        self.limit = limit
        self.in_flight = 0
        self._sem = asyncio.Semaphore(limit)

    async def __aenter__(self) -> Limiter:
        await self._sem.acquire()
        self.in_flight += 1
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.in_flight -= 1
        self._sem.release()
