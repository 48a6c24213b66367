"""A model client over a provider's batch API (`mode: batch`): concurrent calls collected into waves, each wave one
batch, recorded in the run store before it is waited on, polled until it ends; a restarted run attaches to the
batches it recorded instead of submitting their requests again. One try per call, like every client: a request's
own error comes back as Transient (or ModelError) for the one retry loop, so its retry joins a later wave."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import time
from collections.abc import Awaitable, Callable
from typing import Any

from seedless.engine.events import EventSink, Notice, ignore
from seedless.engine.llm.clients.base import ChatReply, ChatRequest, FatalModelError, ModelError, Transient
from seedless.engine.llm.clients.batch_api import BatchAPI, BatchState, Outcome, custom_id
from seedless.engine.llm.clients.http_post import NotFound
from seedless.engine.llm.transport.dispatch import RetryPolicy, dispatch
from seedless.engine.llm.transport.limiter import Limiter
from seedless.engine.store.batches import BatchLedger
from seedless.spec.endpoints import BatchSettings

CONTROL_WINDOW = 4  # uploads, submissions, polls and downloads in flight at once, per endpoint
QUIET_CAP = 10  # a wave goes at the latest this many collection delays after its first request
PROGRESS_EVERY_S = 300.0  # a waiting batch's counts are told when its status changes, else at most this often


def _requests(n: int) -> str:
    return f"{n} request" + ("" if n == 1 else "s")


def _took(seconds: float) -> str:
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{seconds:.1f}s" if seconds < 60 else f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else (
        f"{minutes}m{rest:02d}s")


def _counts(state: BatchState) -> str:
    failed = f", {state.failed} failed" if state.failed else ""
    return f"{state.status} {state.done}/{state.total}{failed}" if state.total else state.status


class BatchClient:
    """`complete` waits for the request's outcome from a batch. A wave is submitted once `collect_s` passes without a
    new request (at most QUIET_CAP times that after its first), or at once when every request the window admits
    (`max_concurrency`) is waiting here; one larger than `max_requests` is split. Control requests (upload, submit,
    poll, download) go through the one retry loop under the endpoint's retry policy, in a small window of their own.
    A batch whose polls keep failing leaves its requests waiting on record: each request's own retry attaches to it
    again; one the provider no longer knows (404) is dropped and its requests are sent again."""

    def __init__(self, api: BatchAPI, ledger: BatchLedger, settings: BatchSettings, policy: RetryPolicy,
                 events: EventSink = ignore, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.api, self.ledger, self.settings, self.policy = api, ledger, settings, policy
        self.events, self.sleep, self.clock = events, sleep, clock
        self.identity = api.identity
        self.max_concurrency = api.max_concurrency
        self.key = f"{api.identity}@{api.root}"
        self._wave: dict[str, dict[str, Any]] = {}  # custom id -> body, collecting
        self._waiters: dict[str, list[asyncio.Future[Outcome]]] = {}
        self._held: dict[str, str] = {}  # custom id -> the batch it is in ("" while being submitted)
        self._ready: dict[str, tuple[str, ChatReply]] = {}  # results nobody waited for yet: custom id -> (batch, reply)
        self._followed: set[str] = set()
        self._count = 0  # calls waiting here: collecting or in a batch
        self._first: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._control = Limiter(CONTROL_WINDOW)

    async def complete(self, request: ChatRequest) -> ChatReply:
        body = self.api.body(request)
        cid = custom_id(body)
        kept = self._ready.pop(cid, None)
        if kept is not None:  # handed over now; the caller stores it before the ledger hears of it (call_soon)
            asyncio.get_running_loop().call_soon(self._delivered, kept[0], [cid])
            return kept[1]
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(cid, []).append(future)
        self._count += 1
        try:
            if cid not in self._held and cid not in self._wave:
                earlier = self.ledger.waiting_in(self.key, cid)
                if earlier is not None:
                    self._follow(earlier)
                else:
                    self._add(cid, body)
            elif self._full():
                self._flush()
            outcome = await future
        finally:
            self._count -= 1
            waiting = self._waiters.get(cid, [])
            if future in waiting:
                waiting.remove(future)
            if not waiting:
                self._waiters.pop(cid, None)
                self._wave.pop(cid, None)  # nobody waits for it any more: not sent
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    # waves

    def _full(self) -> bool:
        return len(self._wave) >= self.settings.max_requests or self._count >= self.max_concurrency

    def _add(self, cid: str, body: dict[str, Any]) -> None:
        self._wave[cid] = body
        now = self.clock()
        self._first = now if self._first is None else self._first
        if self._full():
            self._flush()
            return
        if self._timer is not None:
            self._timer.cancel()
        quiet = self.settings.collect_s
        delay = max(0.0, min(quiet, self._first + QUIET_CAP * quiet - now))
        self._timer = asyncio.get_running_loop().call_later(delay, self._flush)

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._first = None, None
        wave, self._wave = list(self._wave.items()), {}
        size = self.settings.max_requests
        for start in range(0, len(wave), size):
            part = dict(wave[start:start + size])
            for cid in part:
                self._held[cid] = ""
            self._spawn(self._submit(part))

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _control_call(self, once: Callable[[], Awaitable[Any]]) -> Any:
        return await dispatch(once, self._control, "batch", self.policy)

    async def _submit(self, wave: dict[str, dict[str, Any]]) -> None:
        entries = [self.api.entry(cid, body) for cid, body in wave.items()]
        try:
            batch = await self._control_call(lambda: self.api.submit(entries))
        except ModelError as exc:
            self._hand_over("", {cid: exc for cid in wave})
            return
        except BaseException:
            for cid in wave:
                self._held.pop(cid, None)
            raise
        self.ledger.submitted(batch, self.key, list(wave))  # on record before anything waits on it
        self._followed.add(batch)
        for cid in wave:
            self._held[cid] = batch
        self.events(Notice(f"batch {batch}: {_requests(len(wave))} submitted to {self.identity}, waiting"))
        await self._poll(batch, list(wave))

    # following a batch

    def _follow(self, batch: str) -> None:
        """Attach to a batch recorded earlier (a restarted run): its waiting requests are not sent again."""
        if batch in self._followed:
            return
        self._followed.add(batch)
        ids = self.ledger.pending(self.key, batch)
        for cid in ids:
            self._held[cid] = batch
        self.events(Notice(f"batch {batch}: attached to the batch submitted earlier ({_requests(len(ids))} waiting), "
                           "not sent again"))
        self._spawn(self._poll(batch, ids))

    async def _poll(self, batch: str, ids: list[str]) -> None:
        started, told, last = self.clock(), self.clock(), BatchState("", False)
        try:
            while True:
                state: BatchState = await self._control_call(lambda: self.api.state(batch))
                moved = state.done != last.done and self.clock() - told >= PROGRESS_EVERY_S
                if not state.ended and (state.status != last.status or moved):
                    told = self.clock()
                    self.events(Notice(f"batch {batch}: waiting ({_counts(state)})"))
                last = state
                if state.ended:
                    break
                await self.sleep(self.settings.poll_s)
            outcomes: dict[str, Outcome] = {}
            if not state.problem:
                outcomes = await self._control_call(lambda: self.api.results(batch, state))
        except NotFound as exc:
            self.ledger.ended(self.key, batch, "lost")
            self._hand_over(batch, {cid: Transient(f"batch {batch} is unknown to the provider ({exc}): sent again")
                                    for cid in ids}, record=False)
            return
        except FatalModelError as exc:  # the key refused: the command stops, the batch stays on record
            self._followed.discard(batch)
            self._hand_over(batch, {cid: exc for cid in ids}, record=False)
            return
        except ModelError as exc:  # polls failed after their retries: the batch stays on record, waiting
            self._followed.discard(batch)
            self._hand_over(batch, {cid: Transient(f"batch {batch}: {exc}") for cid in ids}, record=False)
            return
        finally:
            for cid in ids:
                if self._held.get(cid) == batch:
                    del self._held[cid]
        if state.problem:
            self.ledger.ended(self.key, batch, "failed")
            self.events(Notice(f"batch {batch}: {state.status}: {state.problem}", warning=True))
            self._hand_over(batch, {cid: ModelError(f"batch {batch} {state.status}: {state.problem}") for cid in ids},
                            record=False)
            return
        latency = self.clock() - started
        missing: type[ModelError | Transient] = Transient if state.status != "cancelled" else ModelError
        results = {cid: outcomes.get(cid) or missing(f"batch {batch} {state.status} without a result for it")
                    for cid in ids}
        errors = sum(1 for o in results.values() if isinstance(o, Exception))
        self.events(Notice(f"batch {batch}: {state.status}, {len(ids) - errors} of {_requests(len(ids))} answered, "
                           f"after {_took(latency)}" + (f"; {errors} to try again or failed" if errors else ""),
                           warning=bool(errors)))
        self._hand_over(batch, {cid: dataclasses.replace(o, latency_s=latency) if isinstance(o, ChatReply) else o
                                for cid, o in results.items()})

    def _hand_over(self, batch: str, outcomes: dict[str, Outcome], *, record: bool = True) -> None:
        """Each outcome to the calls waiting for it (a reply nobody waits for is kept for a later call); the ledger
        marks them done one loop step later, once the callers stored them (caller.py stores in the step it wakes)."""
        handed = []
        for cid, outcome in outcomes.items():
            self._held.pop(cid, None)
            waiters = [f for f in self._waiters.get(cid, []) if not f.done()]
            if not waiters and isinstance(outcome, ChatReply):
                self._ready[cid] = (batch, outcome)
                continue
            for future in waiters:
                future.set_result(outcome)
            handed.append(cid)
        if record and batch and handed:
            asyncio.get_running_loop().call_soon(self._delivered, batch, handed)

    def _delivered(self, batch: str, ids: list[str]) -> None:
        try:
            self.ledger.delivered(self.key, batch, ids)
        except sqlite3.Error:  # the store closed with the command: the next run attaches to the batch again
            pass

    async def aclose(self) -> None:
        """Stop waiting (the batches stay on record for the next run) and close the provider's client."""
        if self._timer is not None:
            self._timer.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.api.aclose()
