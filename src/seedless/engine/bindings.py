"""Resolve each role of a spec to a model client, a shared per-endpoint limiter, a temperature and a token budget."""

from __future__ import annotations

from seedless.engine.caller import Binding
from seedless.engine.clients import ModelClient, make_client
from seedless.engine.clients.openai_http import RetryHook
from seedless.engine.limiter import Limiter
from seedless.spec.models import ROLE_DEFAULTS, ModelsSettings, Role, Spec


def role_endpoint(models: ModelsSettings, role: Role) -> str:
    """The endpoint name a role calls: its own setting, else `models.default`."""
    settings = models.roles.get(role)
    return (settings.endpoint if settings else None) or models.default


class Endpoints:
    """Clients are made once per endpoint name and closed together."""

    def __init__(self, spec: Spec, on_retry: RetryHook | None = None, clients: dict[str, ModelClient] | None = None):
        self.spec = spec
        self.on_retry = on_retry
        self.clients: dict[str, ModelClient] = dict(clients or {})
        self.limiters: dict[str, Limiter] = {}

    def client(self, name: str) -> ModelClient:
        if name not in self.clients:
            self.clients[name] = make_client(self.spec.models.endpoints[name], self.on_retry)
        return self.clients[name]

    def bindings(self) -> dict[Role, Binding]:
        out = {}
        for role in Role:
            settings = self.spec.models.roles.get(role)
            name = role_endpoint(self.spec.models, role)
            client = self.client(name)
            if name not in self.limiters:
                self.limiters[name] = Limiter(client.max_concurrency)
            temperature, max_tokens = ROLE_DEFAULTS[role]
            if settings and settings.temperature is not None:
                temperature = settings.temperature
            if settings and settings.max_tokens is not None:
                max_tokens = settings.max_tokens
            out[role] = Binding(role, client, self.limiters[name], temperature, max_tokens)
        return out

    def identities(self, roles: list[Role]) -> dict[str, str]:
        bindings = self.bindings()
        return {role.value: bindings[role].client.identity for role in roles}

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()
