"""Model clients by endpoint kind, from one registry: each kind's client factory, the model identity it records, and its
provider's batch protocol when it has one (`mode: batch`, engine/llm/transport/batch.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from seedless.engine.llm.clients import anthropic as anthropic_http
from seedless.engine.llm.clients.anthropic import AnthropicClient
from seedless.engine.llm.clients.anthropic_batch import AnthropicBatches
from seedless.engine.llm.clients.base import (
    ChatReply,
    ChatRequest,
    FatalModelError,
    ModelClient,
    ModelError,
)
from seedless.engine.llm.clients.batch_api import BatchAPI
from seedless.engine.llm.clients.embedded import EmbeddedClient, model_identity
from seedless.engine.llm.clients.fake import FakeClient
from seedless.engine.llm.clients.openai_batch import OpenAIBatches
from seedless.engine.llm.clients.openai_http import OpenAIClient, identity_of
from seedless.spec.endpoints import (
    EndpointSettings,
    FakeEndpoint,
    kind_of,
    register_endpoint_settings,
    unregister_endpoint_settings,
)
from seedless.spec.models import Endpoint

S = TypeVar("S", bound=EndpointSettings)


@dataclass(frozen=True)
class ClientKind(Generic[S]):
    """How the engine serves one endpoint kind: `make` builds the client of an endpoint's settings (it may read the
    environment, it starts nothing); `identity` gives (the model identity that client records, the bare model
    name) without making one: prices, estimates and fingerprints use it; `batch` builds the provider's batch protocol
    for an endpoint in `mode: batch` (None: the kind has none)."""

    make: Callable[[S], ModelClient]
    identity: Callable[[S], tuple[str, str]]
    batch: Callable[[S], BatchAPI] | None = None


def _fake_identity(settings: FakeEndpoint) -> tuple[str, str]:
    return f"fake:{settings.model}", settings.model


CLIENT_KINDS: dict[str, ClientKind[Any]] = {  # one line per kind; the spec's settings registry holds the same keys
    "embedded": ClientKind(EmbeddedClient, model_identity),
    "openai": ClientKind(OpenAIClient.from_endpoint, identity_of, OpenAIBatches.from_endpoint),
    "fake": ClientKind(lambda s: FakeClient(s.model, s.max_concurrency), _fake_identity),
    "anthropic": ClientKind(AnthropicClient, anthropic_http.identity_of, AnthropicBatches.from_endpoint),
}
BUILT_IN = frozenset(CLIENT_KINDS)


def register_endpoint_kind(settings: type[S], make: Callable[[S], ModelClient],
                           identity: Callable[[S], tuple[str, str]],
                           batch: Callable[[S], BatchAPI] | None = None) -> None:
    """A new endpoint kind in one call: its settings class joins the spec's kinds (a spec may name its `kind`), its
    client the engine's (and its batch protocol, for a kind whose settings have `mode: batch`). ValueError when the
    kind is taken by another class."""
    register_endpoint_settings(settings)
    CLIENT_KINDS[kind_of(settings)] = ClientKind(make, identity, batch)


def unregister_endpoint_kind(kind: str) -> None:
    """Remove a kind added by `register_endpoint_kind` (the built-in kinds stay)."""
    if kind in BUILT_IN:
        raise ValueError(f"{kind!r} is a built-in endpoint kind")
    CLIENT_KINDS.pop(kind, None)
    unregister_endpoint_settings(kind)


def _kind(endpoint: Endpoint) -> ClientKind[Any]:
    served = CLIENT_KINDS.get(endpoint.kind)
    if served is None:
        raise TypeError(f"no client is registered for the endpoint kind {endpoint.kind!r}")
    return served


def endpoint_identity(endpoint: Endpoint) -> tuple[str, str]:
    """(the model identity its client records, the bare model name), without making a client."""
    return _kind(endpoint).identity(endpoint)


def make_client(endpoint: Endpoint) -> ModelClient:
    return _kind(endpoint).make(endpoint)


def make_batch_api(endpoint: Endpoint) -> BatchAPI:
    """The batch protocol of an endpoint in `mode: batch`; TypeError when its kind has none."""
    made = _kind(endpoint).batch
    if made is None:
        raise TypeError(f"the endpoint kind {endpoint.kind!r} has no batch protocol (mode: batch)")
    return made(endpoint)


__all__ = ["CLIENT_KINDS", "BatchAPI", "ChatReply", "ChatRequest", "ClientKind", "FatalModelError", "ModelClient",
           "ModelError", "endpoint_identity", "make_batch_api", "make_client", "register_endpoint_kind",
           "unregister_endpoint_kind"]
