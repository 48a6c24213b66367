"""Datapoint slots run concurrently until each stream reaches its target: tries, history, resume, the attempt bound."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterator

from seedless.core.basis import basis
from seedless.core.dataset.record import JudgeFigures, Record, Rejection
from seedless.core.dataset.rejection_stats import RejectionStats
from seedless.core.plan.mix import MixSampler
from seedless.core.plan.slots import SlotPlan
from seedless.engine.events import DatapointDone, EventSink, GenerationStarted
from seedless.engine.llm.transport.limiter import PRIORITY
from seedless.engine.session import Session
from seedless.engine.stages.datapoint import DatapointMaker, Job
from seedless.engine.stages.datapoint.dedup import remember_accepted
from seedless.engine.stages.datapoint.registry import generation_roles, step_names
from seedless.engine.store.records import RecordStore, SlotRows, mix_id
from seedless.spec.models import Spec

SLOTS_PER_REQUEST = 4  # slots drafting at once per request the endpoints allow in flight
BLOCKED_SLOTS = 8  # slots waiting for the meta-prompts of their mix's history, per slot drafting


def generation_basis(spec: Spec, identities: dict[str, str]) -> str:
    """What every datapoint depends on besides its mix. Changing any of it starts the dataset afresh (calls
    with the same prompts are still reused); the size, the attempt bounds, the judge check and dedup (which only decides whether
    a new try is accepted; accepted datapoints stay) are not part of it."""
    material = {
        "description": spec.description, "output": spec.output.model_dump(mode="json", exclude={"chat"}), "seed": spec.seed,
        "generation": spec.generation.model_dump(exclude={"slot_attempts", "max_attempts", "dedup", "judge_check"}),
        "models": identities, "max_repairs": spec.models.max_repairs,
        "roles": {r.value: s.model_dump() for r, s in spec.models.roles.items() if r in generation_roles()},
    }
    return basis(material)


class Generation:
    """Opens slots in order, per stream, while accepted plus running is below the stream's target and the
    attempt bound allows; a slot is tried up to `slot_attempts` times with the same mix. Every finished try
    is committed before the next step, so a killed run loses only the calls in flight."""

    def __init__(self, session: Session, sampler: MixSampler, events: EventSink,
                 judge_check: JudgeFigures | None = None):
        spec = session.spec
        self.spec, self.sampler, self.events = spec, sampler, events
        self.plan = SlotPlan(spec.size, spec.generation.complexify, spec.seed)
        self.targets = self.plan.targets()
        self.basis = generation_basis(spec, session.endpoints.identities(list(generation_roles())))
        self.records = RecordStore(session.store.db, self.basis, session.store.invocation)
        self.maker = DatapointMaker(spec, session.caller, judge_check)
        limiters = {id(b.limiter): b.limiter for r, b in session.caller.bindings.items() if r in generation_roles()}
        self.limiters = list(limiters.values())
        self.per_slot = spec.generation.slot_attempts
        self.bound = spec.generation.attempt_bound(spec.size)
        self.current: dict[int, str] = {}  # slot -> mix id of its current mix
        self.stats = RejectionStats(step_names())
        self.accepted = {True: 0, False: 0}
        self.running = {True: 0, False: 0}
        self.blocked = 0  # open slots still waiting for the meta-prompts in their history
        self.tries_used = 0
        self.tries_sent = 0
        self.regenerated = 0
        self.started = False  # the store's state loaded and the first slots opened: the files may be rewritten
        self._stored: dict[int, SlotRows] = {}
        self._history: dict[tuple[bool, str], deque[asyncio.Future[str]]] = {}

    def _load(self) -> None:
        """Each stored slot keeps its mix while that mix is still allowed; otherwise it is drawn again."""
        for slot, rows in self.records.slots().items():
            if self.sampler.allows(rows.mix) and rows.complexify == self.plan.complexified(slot):
                self._stored[slot] = rows
                self.current[slot] = rows.mix_id
                self.tries_used += rows.attempts
            else:
                self.regenerated += rows.accepted
        for row in self.records.rows(body=False):  # statistics need no datapoint
            if self.current.get(row.slot) == row.mix_id:
                self.stats.add(row.mix.nodes, row.complexify, row.accepted, row.stage)
        accepted = self.records.rows(accepted=True)  # the dedup step's index: what a new datapoint must not repeat
        remember_accepted(self.maker.context, (Record.model_validate_json(row.body) for row in accepted
                                               if self.current.get(row.slot) == row.mix_id))

    def _slot_state(self, slot: int, flag: bool) -> SlotRows:
        stored = self._stored.pop(slot, None)
        if stored is not None:
            return stored
        mix = self.sampler.sample(slot)
        self.current[slot] = mix_id(mix)
        return SlotRows(mix, self.current[slot], flag)

    def _history_for(self, flag: bool, rows: SlotRows) -> tuple[list[asyncio.Future[str]], asyncio.Future[str]]:
        """Futures of the kept meta-prompts of earlier slots of the same stream and mix (the last `history` of
        those at least `history_lag` repeats back; at the default lag 1, every earlier repeat: a repeat drafts once
        the one before it has chosen its meta-prompt, not after its critics), and this slot's own."""
        keep, lag = self.spec.generation.history, self.spec.generation.history_lag
        queue = self._history.setdefault((flag, rows.mix_id), deque(maxlen=max(1, keep) + lag - 1))
        earlier = list(queue)[:max(0, len(queue) - (lag - 1))][-keep:] if keep else []
        own: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        if rows.meta_prompts:
            own.set_result(rows.meta_prompts[0])
        queue.append(own)
        return earlier, own

    async def run(self) -> None:
        self._load()
        cursors: dict[bool, Iterator[int]] = {f: self.plan.stream(f) for f in (True, False) if self.targets[f]}
        heads = {f: next(c) for f, c in cursors.items()}
        done_before = sum(r.accepted for r in self._stored.values())
        self.events(GenerationStarted(self.spec.size, min(done_before, self.spec.size)))
        tasks: set[asyncio.Task[None]] = set()
        try:
            while True:
                self._open(cursors, heads, tasks)
                self.started = True
                if not tasks:
                    break
                finished, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    tasks.discard(task)
                    task.result()  # a fatal model error ends the run here
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _window(self) -> int:
        """Slots open at once: a few per request the endpoints allow in flight now (their adaptive limits)."""
        return max(8, SLOTS_PER_REQUEST * sum(lim.limit for lim in self.limiters))

    def _full(self, tasks: set[asyncio.Task[None]]) -> bool:
        """Slots waiting on their history do not count against the window, up to a bound of their own."""
        window = self._window()
        return len(tasks) - self.blocked >= window or len(tasks) >= window * (1 + BLOCKED_SLOTS)

    def _needs(self, flag: bool) -> bool:
        return self.accepted[flag] + self.running[flag] < self.targets[flag]

    def _open(self, cursors: dict[bool, Iterator[int]], heads: dict[bool, int], tasks: set[asyncio.Task[None]]) -> None:
        """Walk each stream in slot order: count finished slots, start the next open ones."""
        while True:
            ready = [f for f in heads if self._needs(f)]
            if not ready:
                return
            flag = min(ready, key=lambda f: heads[f])
            slot = heads[flag]
            rows = self._slot_state(slot, flag)
            finished = rows.accepted or rows.attempts >= self.per_slot
            if not finished and (self._full(tasks) or self.tries_used >= self.bound):
                self._stored[slot] = rows  # not started yet: picked up again on the next pass
                return
            heads[flag] = next(cursors[flag])
            earlier, own = self._history_for(flag, rows)
            if rows.accepted:
                self.accepted[flag] += 1
            elif not finished:
                self.running[flag] += 1
                self.tries_used += 1  # reserve the slot's first try now, so the bound holds across slots
                tasks.add(asyncio.create_task(self._run_slot(slot, flag, rows, earlier, own)))

    async def _run_slot(self, slot: int, flag: bool, rows: SlotRows, earlier: list[asyncio.Future[str]],
                        own: asyncio.Future[str]) -> None:
        PRIORITY.set(slot)  # this task's requests wait behind those of earlier slots only
        try:
            pending = [f for f in earlier if not f.done()]
            if pending:
                self.blocked += 1
                try:
                    await asyncio.gather(*pending)
                finally:
                    self.blocked -= 1
            seen = [f.result() for f in earlier if f.result()]
            first = True
            for attempt in range(rows.attempts, self.per_slot):
                if not first:
                    if self.tries_used >= self.bound:
                        return
                    self.tries_used += 1
                first = False
                history = tuple(seen + [m for m in rows.meta_prompts if m])
                job = Job(slot, attempt, rows.mix, flag, history)
                result = await self.maker.make(job, on_meta_prompt=None if own.done() else own.set_result)
                self._commit(slot, attempt, rows, flag, result)
                if isinstance(result, Record):
                    self.accepted[flag] += 1
                    return
        finally:
            if not own.done():
                own.set_result("")
            self.running[flag] -= 1

    def _commit(self, slot: int, attempt: int, rows: SlotRows, flag: bool, result: Record | Rejection) -> None:
        lineage = result.lineage
        kept = lineage.original_meta_prompt or lineage.meta_prompt if lineage.meta_prompt else ""
        self.records.put(slot, attempt, rows.mix, flag, kept, result)
        rows.attempts, rows.accepted = attempt + 1, isinstance(result, Record)
        rows.meta_prompts.append(kept)
        self.tries_sent += 1
        stage = None if isinstance(result, Record) else result.stage
        self.stats.add(rows.mix.nodes, flag, isinstance(result, Record), stage)
        self.events(DatapointDone(slot, attempt, isinstance(result, Record), stage))

    @property
    def complete(self) -> bool:
        return all(self.accepted[f] >= self.targets[f] for f in (True, False))

    @property
    def stopped_at_bound(self) -> bool:
        return not self.complete and self.tries_used >= self.bound
