"""One command's working set over a run directory: the store, the endpoints and the caller, opened and closed together."""

from __future__ import annotations

from pathlib import Path

import yaml

from seedless.engine.bindings import Endpoints, role_endpoint
from seedless.engine.budget import Spend, cost_of, price_for
from seedless.engine.caller import Caller
from seedless.engine.clients import ModelClient
from seedless.engine.events import CallRetry, EventSink, ignore
from seedless.engine.rundir import RunDir
from seedless.engine.store import Store
from seedless.spec.models import Price, Role, Spec


def role_prices(spec: Spec) -> dict[Role, Price | None]:
    """Each role's price, by the endpoint it calls (see `price_for`)."""
    return {role: price_for(spec.models, role_endpoint(spec.models, role)) for role in Role}


def spent_so_far(spec: Spec, store: Store, prices: dict[Role, Price | None]) -> Spend:
    """The budget's account, opened with every call already stored in the run (earlier invocations too)."""
    tokens, cost = 0, 0.0
    for row in store.usage():
        tokens += row.prompt_tokens + row.completion_tokens
        role = Role(row.role) if row.role in Role._value2member_map_ else None
        cost += cost_of(prices.get(role) if role else None, row.prompt_tokens, row.completion_tokens)
    return Spend(spec.models.budget, tokens, cost)


class Session:
    """`async with Session(spec, out, "taxonomy") as s:` gives `s.run`, `s.store`, `s.endpoints`, `s.caller`.
    The store records the command's status (ok or failed) when the block ends."""

    def __init__(self, spec: Spec, out: Path, command: str, *, events: EventSink = ignore,
                 clients: dict[str, ModelClient] | None = None):
        self.spec = spec
        self.run = RunDir(out)
        self.command = command
        self.events = events
        self._clients = clients

    async def __aenter__(self) -> Session:
        self.run.create()
        snapshot = yaml.safe_dump(self.spec.model_dump(mode="json", exclude_none=True), sort_keys=False,
                                  allow_unicode=True)
        RunDir.write_atomic(self.run.spec, "# The resolved spec of the last command in this run "
                            "(API keys are never stored).\n" + snapshot)
        self.store = Store(self.run.db, command=self.command)
        try:
            self.endpoints = Endpoints(self.spec, on_retry=lambda reason, delay: self.events(CallRetry(reason, delay)),
                                       clients=self._clients)
            prices = role_prices(self.spec)
            self.caller = Caller(self.store, self.endpoints.bindings(), seed=self.spec.seed,
                                 max_repairs=self.spec.models.max_repairs, events=self.events,
                                 spend=spent_so_far(self.spec, self.store, prices), prices=prices,
                                 max_consecutive_failures=self.spec.models.max_consecutive_failures)
        except BaseException:
            self.store.close("failed")
            raise
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        try:
            await self.endpoints.aclose()
        finally:
            self.store.close("ok" if exc_type is None else "failed")
