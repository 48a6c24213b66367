"""One command's working set: the store, the endpoints and the caller (with the budget), over a store or a run directory."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import yaml

from seedless.engine.events import CallRetry, EventSink, Notice, ignore
from seedless.engine.llm.bindings import Endpoints, role_endpoint
from seedless.engine.llm.budget import Spend, cost_of, price_for
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.clients import ModelClient
from seedless.engine.llm.prompts import Templates
from seedless.engine.llm.transport.concurrency import Learned
from seedless.engine.store.batches import BatchLedger
from seedless.engine.store.calls import Store
from seedless.engine.store.rundir import RunDir, RunLock, storage_full
from seedless.spec.models import ModelsSettings, Price, Role, Spec
from seedless.spec.secrets import public_dump


def role_prices(models: ModelsSettings) -> dict[Role, Price | None]:
    """Each role's price, by the endpoint it calls (see `price_for`)."""
    return {role: price_for(models, role_endpoint(models, role)) for role in Role}


def spent_so_far(models: ModelsSettings, store: Store, prices: dict[Role, Price | None]) -> Spend:
    """The budget's account, opened with every call already stored (earlier invocations too)."""
    tokens, cost = 0, 0.0
    for row in store.usage():
        tokens += row.prompt_tokens + row.completion_tokens
        role = Role(row.role) if row.role in Role._value2member_map_ else None
        cost += cost_of(prices.get(role) if role else None, row.prompt_tokens, row.completion_tokens,
                        row.cached_tokens)
    return Spend(models.budget, tokens, cost)


WINDOW = "window/"  # artifact prefix: an endpoint's learned concurrency limit, by client identity


def learned_windows(store: Store) -> dict[str, Learned]:
    """The limits earlier commands in this run ended at, per endpoint identity (where the next one starts)."""
    out = {}
    for key, value in store.artifacts(WINDOW).items():
        if isinstance(value, dict) and isinstance(value.get("limit"), int) and value["limit"] >= 1:
            out[key.removeprefix(WINDOW)] = Learned(value["limit"], bool(value.get("slow_start", True)))
    return out


def keep_windows(store: Store, learned: dict[str, Learned]) -> None:
    """Keep each endpoint's limit for the next command; a store that can no longer be written keeps none."""
    try:
        for identity, window in learned.items():
            store.set_artifact(WINDOW + identity, {"limit": window.limit, "slow_start": window.slow_start})
    except sqlite3.Error:
        pass


SNAPSHOT_HEADER = "# The resolved spec of the last command in this run (API keys are never stored).\n"


def snapshot_text(spec: Spec) -> str:
    """RUN/spec.yaml as seedless writes it: the resolved spec, every default filled in."""
    return SNAPSHOT_HEADER + yaml.safe_dump(public_dump(spec, exclude_none=True), sort_keys=False,
                                            allow_unicode=True)


def status_of(exc: BaseException | None) -> str:
    """How an invocation ended, as the store records it."""
    if exc is None:
        return "ok"
    return "interrupted" if isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError)) else "failed"


class ModelSession:
    """`async with ModelSession(models, seed, db, "eval") as s:` gives `s.store`, `s.endpoints`, `s.caller`: one
    command's model calls over one store file, with the budget (models.budget) counted from every call already
    stored. The store records the command's status (ok, failed or interrupted) when the block ends."""

    def __init__(self, models: ModelsSettings, seed: int, db: Path, command: str, *, events: EventSink = ignore,
                 clients: dict[str, ModelClient] | None = None, templates: Templates | None = None):
        self.models = models
        self.templates = templates
        self.seed = seed
        self.db = db
        self.command = command
        self.events = events
        self._clients = clients

    def _open(self) -> None:
        """The store, then the endpoints and the caller; the store closed again when they fail."""
        self.store = Store(self.db, command=self.command)
        try:
            self.store.reclaim()
            self.endpoints = Endpoints(self.models, clients=self._clients, learned=learned_windows(self.store),
                                       on_retry=lambda reason, delay: self.events(CallRetry(reason, delay)),
                                       ledger=lambda: BatchLedger(self.store.db, self.store.invocation),
                                       events=self.events)
            prices = role_prices(self.models)
            self.caller = Caller(self.store, self.endpoints.bindings(), seed=self.seed,
                                 max_repairs=self.models.max_repairs, events=self.events,
                                 spend=spent_so_far(self.models, self.store, prices), prices=prices,
                                 max_consecutive_failures=self.models.max_consecutive_failures,
                                 templates=self.templates)
        except BaseException as exc:
            self.store.close(status_of(exc))
            raise

    async def __aenter__(self) -> ModelSession:
        self._open()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, *_: object) -> None:
        try:
            await self._close_endpoints()
        finally:
            self.store.close(status_of(exc))

    async def _close_endpoints(self) -> None:
        """Keep each adaptive endpoint's limit for the next command in the store, then close the clients."""
        keep_windows(self.store, self.endpoints.learned_limits())
        await self.endpoints.aclose()


class Session(ModelSession):
    """`async with Session(spec, out, "taxonomy") as s:` gives `s.run`, `s.store`, `s.endpoints`, `s.caller`: a
    ModelSession over the run directory's store. Entering holds the run directory for this command alone
    (RunDirError naming the holder otherwise), after `RunDir.claim`; it removes the temps of killed writers and
    marks killed invocations. A full disk becomes StorageFull. The spec snapshot (RUN/spec.yaml) is written once
    the inputs validated: by `write_snapshot`, or when the block ends without an error."""

    def __init__(self, spec: Spec, out: Path, command: str, *, events: EventSink = ignore,
                 clients: dict[str, ModelClient] | None = None):
        self.spec = spec
        self.run = RunDir(out)
        super().__init__(spec.models, spec.seed, self.run.db, command, events=events, clients=clients,
                         templates=Templates.of(spec))
        self._snapshot_done = False

    async def __aenter__(self) -> Session:
        self.run.claim()
        try:
            self.lock = RunLock.exclusive(self.run, self.command)
        except OSError as exc:
            self._raise_storage(exc)
            raise
        try:
            self.run.remove_stale_temps()
            self._open()
        except BaseException as exc:
            self.lock.release()
            self._raise_storage(exc)
            raise
        return self

    def write_snapshot(self) -> None:
        """Write RUN/spec.yaml, unless it is a file seedless did not write (the user's own spec, when --out is
        the spec's folder): that one is kept as it is, with a warning. Once per command."""
        if self._snapshot_done:
            return
        self._snapshot_done = True
        text, path = snapshot_text(self.spec), self.run.spec
        if path.exists():
            current, ours = path.read_text(encoding="utf-8", errors="replace"), self.store.get_artifact("spec/written")
            written_by_us = current == ours or (ours is None and current.startswith(SNAPSHOT_HEADER))
            if not written_by_us and current != text:
                self.events(Notice(f"{path} was not written by seedless (your spec?): kept as it is; the resolved "
                                   "spec is not written there", warning=True))
                return
            if current == text:
                self.store.set_artifact("spec/written", text)
                return
        RunDir.write_atomic(path, text)
        self.store.set_artifact("spec/written", text)

    def _raise_storage(self, exc: BaseException) -> None:
        full = storage_full(exc, self.run.db)
        if full is not None:
            raise full from exc

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, *_: object) -> None:
        try:
            try:
                await self._close_endpoints()
            finally:
                try:
                    if exc is None:
                        self.write_snapshot()
                finally:
                    self.store.close(status_of(exc))
        except BaseException as late:  # the snapshot or the store on a full disk, after the command's work
            self.lock.release()
            self._raise_storage(late)
            raise
        self.lock.release()
        if exc is not None:
            self._raise_storage(exc)
