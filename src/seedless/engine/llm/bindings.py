"""Resolve each role of a spec to a model client, a shared per-endpoint limiter, a temperature and a token budget."""

from __future__ import annotations

import os
from collections.abc import Callable

from seedless.engine.events import EventSink, ignore
from seedless.engine.llm.caller import Binding
from seedless.engine.llm.clients import ModelClient, make_batch_api, make_client
from seedless.engine.llm.clients.http_post import RetryHook
from seedless.engine.llm.transport.batch import BatchClient
from seedless.engine.llm.transport.concurrency import Controller, ControlSettings, Learned
from seedless.engine.llm.transport.dispatch import RetryPolicy
from seedless.engine.llm.transport.limiter import Limiter
from seedless.engine.store.batches import BatchLedger
from seedless.spec.models import EmbeddedEndpoint, Endpoint, ModelsSettings, Role


def role_endpoint(models: ModelsSettings, role: Role) -> str:
    """The endpoint name a role calls: its own setting, else `models.default`."""
    settings = models.roles.get(role)
    return (settings.endpoint if settings else None) or models.default


def endpoint_limiter(settings: Endpoint | None, ceiling: int, learned: Learned | None = None) -> Limiter:
    """The endpoint's window: adaptive up to `ceiling` when its settings say so (`adaptive_window`), else fixed
    (also for a client given by name with no endpoint declared: `settings` None). A max_concurrency the user
    wrote is where the limit starts. Otherwise the limit an earlier command in this run learned for the endpoint
    (`learned`), else 16; from there it doubles each round trip until the server pushes back (slow start)."""
    if settings is None or not settings.adaptive_window:
        return Limiter(ceiling)
    control = ControlSettings(ceiling=ceiling)
    if "max_concurrency" in settings.model_fields_set:
        control = ControlSettings(ceiling=ceiling, start=ceiling)
    elif learned is not None:
        control = ControlSettings(ceiling=ceiling, start=min(ceiling, learned.limit), slow_start=learned.slow_start)
    return Limiter(ceiling, Controller(control))


def retry_policy(settings: Endpoint | None, on_retry: RetryHook | None) -> RetryPolicy:
    """The endpoint's retry budgets (`retries`), else the defaults (a client given by name: `settings` None)."""
    budgets = settings.retries if settings is not None else None
    if budgets is None:
        return RetryPolicy(on_retry=on_retry)
    return RetryPolicy(budgets.transport, budgets.rate_limit, on_retry=on_retry)


class Endpoints:
    """Clients, their limiters and retry policies are made once per endpoint name; clients close together. A client
    given by name (`clients`) is used as it is: with the endpoint of that name when the spec declares one (its
    window, retries, fingerprint variant), else with a fixed window of its own `max_concurrency`, the default
    retries and nothing added to fingerprints besides its `identity`. An endpoint in `mode: batch` gets a BatchClient
    over its kind's batch protocol, its batches kept in `ledger()` (the run store's; else one in memory) and told to
    `events`."""

    def __init__(self, models: ModelsSettings, on_retry: RetryHook | None = None,
                 clients: dict[str, ModelClient] | None = None, learned: dict[str, Learned] | None = None,
                 ledger: Callable[[], BatchLedger] | None = None, events: EventSink = ignore):
        self.models = models
        self.ledger = ledger or BatchLedger.in_memory
        self.events = events
        self._ledger: BatchLedger | None = None
        self.learned = dict(learned or {})  # endpoint identity -> the limit an earlier command ended at
        self.on_retry = on_retry
        self.clients: dict[str, ModelClient] = dict(clients or {})
        self.limiters: dict[str, Limiter] = {}
        self.policies: dict[str, RetryPolicy] = {}

    def client(self, name: str) -> ModelClient:
        if name not in self.clients:
            settings = self.models.endpoints.get(name)
            if settings is None:
                raise KeyError(f"the endpoint {name!r} is neither declared in models.endpoints nor given as a client")
            if settings.batched is not None:
                self._ledger = self._ledger or self.ledger()
                self.clients[name] = BatchClient(make_batch_api(settings), self._ledger, settings.batched,
                                                 retry_policy(settings, self.on_retry), self.events)
            else:
                self.clients[name] = make_client(self._shared_cores(name, settings))
        return self.clients[name]

    def _shared_cores(self, name: str, settings: Endpoint) -> Endpoint:
        """Embedded servers in one process share its cores: when the roles use several embedded endpoints, one
        whose `threads` is unset gets an equal share of the cores (at least 1), not all of them each."""
        used = {role_endpoint(self.models, role) for role in Role}
        embedded = [n for n in sorted(used) if isinstance(self.models.endpoints.get(n), EmbeddedEndpoint)]
        if name not in embedded or len(embedded) < 2 or getattr(settings, "threads", 1) is not None:
            return settings
        return settings.model_copy(update={"threads": max(1, (os.cpu_count() or 2) // len(embedded))})

    def bindings(self) -> dict[Role, Binding]:
        out = {}
        for role in Role:
            name = role_endpoint(self.models, role)
            client = self.client(name)
            endpoint = self.models.endpoints.get(name)
            if name not in self.limiters:
                self.limiters[name] = endpoint_limiter(endpoint, client.max_concurrency,
                                                       self.learned.get(client.identity))
                self.policies[name] = retry_policy(endpoint, self.on_retry)
            temperature, max_tokens = self.models.sampling(role)
            out[role] = Binding(role, client, self.limiters[name], temperature, max_tokens, self.policies[name],
                                endpoint.variant if endpoint is not None else "",
                                endpoint.kind if endpoint is not None else "")
        return out

    def identities(self, roles: list[Role]) -> dict[str, str]:
        bindings = self.bindings()
        return {role.value: bindings[role].client.identity for role in roles}

    def learned_limits(self) -> dict[str, Learned]:
        """Each adaptive endpoint's limit now, by client identity, once its controller decided a round."""
        out = {}
        for name, limiter in self.limiters.items():
            learned = limiter.controller.learned() if limiter.controller is not None else None
            if learned is not None:
                out[self.clients[name].identity] = learned
        return out

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()
