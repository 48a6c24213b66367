"""Contracts of engine/tasks.together: results in order like gather; the first failure cancels the others."""

from __future__ import annotations

import asyncio

import pytest

from seedless.engine.tasks import together


def test_results_come_back_in_the_order_given_whatever_order_they_finish_in():
    async def after(delay: float, value: int) -> int:
        await asyncio.sleep(delay)
        return value

    assert asyncio.run(together([after(0.03, 1), after(0.0, 2), after(0.01, 3)])) == [1, 2, 3]
    assert asyncio.run(together([])) == []


def test_the_first_failure_propagates_as_itself_and_no_sibling_goes_on_running():
    finished: list[str] = []

    async def fails() -> None:
        await asyncio.sleep(0.01)
        raise KeyError("endpoint down")

    async def slow() -> None:
        await asyncio.sleep(0.2)
        finished.append("slow")  # would be an orphan still calling after the error with asyncio.gather

    async def go() -> None:
        with pytest.raises(KeyError, match="endpoint down"):
            await together([fails(), slow()])
        await asyncio.sleep(0.3)

    asyncio.run(go())
    assert finished == []
