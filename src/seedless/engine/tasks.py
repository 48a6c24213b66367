"""Awaiting several coroutines at once so that the first to fail cancels the others: no orphan keeps calling."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

T = TypeVar("T")


async def together(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    """Their results in order, like asyncio.gather; but when one raises, the others are cancelled and awaited
    before the (first) error propagates, so none goes on sending through a client that is being closed."""
    async def wrap(aw: Awaitable[T]) -> T:
        return await aw

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(wrap(aw)) for aw in awaitables]
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return [task.result() for task in tasks]
