"""Contracts of the client registry (engine/llm/clients/__init__.py): one entry per endpoint kind makes its client
and names its identity; a plugin kind joins spec and engine with one `register_endpoint_kind` call."""

from __future__ import annotations

import asyncio
from typing import Literal

import pytest

from seedless.engine.llm.clients import (
    CLIENT_KINDS,
    ChatReply,
    ChatRequest,
    endpoint_identity,
    make_client,
    register_endpoint_kind,
    unregister_endpoint_kind,
)
from seedless.engine.llm.clients.embedded import EmbeddedClient
from seedless.engine.llm.clients.fake import FakeClient
from seedless.engine.llm.clients.openai_http import OpenAIClient
from seedless.spec import parse_spec
from seedless.spec.endpoints import ENDPOINT_KINDS, EndpointSettings
from seedless.spec.models import EmbeddedEndpoint, FakeEndpoint, OpenAIEndpoint


class ShoutEndpoint(EndpointSettings):
    kind: Literal["shout"] = "shout"
    word: str = "HI"


class ShoutClient:
    def __init__(self, settings: ShoutEndpoint):
        self.identity = f"shout:{settings.word}"
        self.max_concurrency = 2

    async def complete(self, request: ChatRequest) -> ChatReply:
        return ChatReply(self.identity.upper(), "stop", 1, 1, 0.0)

    async def aclose(self) -> None:
        return None


@pytest.fixture
def shout():
    register_endpoint_kind(ShoutEndpoint, ShoutClient, lambda s: (f"shout:{s.word}", s.word))
    yield
    unregister_endpoint_kind("shout")


def test_every_spec_kind_has_a_client_kind():
    assert set(ENDPOINT_KINDS) <= set(CLIENT_KINDS)


def test_built_in_kinds_make_their_clients_and_identities_without_starting_anything():
    openai = OpenAIEndpoint(base_url="http://127.0.0.1:9/v1", model="qwen", max_concurrency=12)
    client = make_client(openai)
    assert isinstance(client, OpenAIClient) and client.max_concurrency == 12 and client.identity == "openai:qwen"
    assert endpoint_identity(openai) == ("openai:qwen", "qwen")
    fake = make_client(FakeEndpoint(model="m", max_concurrency=3))
    assert isinstance(fake, FakeClient) and (fake.identity, fake.max_concurrency) == ("fake:m", 3)
    assert endpoint_identity(FakeEndpoint(model="m")) == ("fake:m", "m")
    embedded = make_client(EmbeddedEndpoint(n_parallel=2))
    assert isinstance(embedded, EmbeddedClient) and embedded.identity == endpoint_identity(EmbeddedEndpoint())[0]


def test_a_registered_kind_is_named_by_a_spec_and_served_by_its_client(shout):
    spec = parse_spec("description: Recipes from home kitchens\nmodels:\n  endpoints: {s: {kind: shout, word: YO}}\n"
                      "  default: s\n")
    settings = spec.models.endpoints["s"]
    assert endpoint_identity(settings) == ("shout:YO", "YO")
    client = make_client(settings)
    assert asyncio.run(client.complete(ChatRequest((("user", "x"),), 0.0, 16, 0))).text == "SHOUT:YO"


def test_unregistering_removes_the_kind_from_both_layers_and_built_ins_stay(shout):
    unregister_endpoint_kind("shout")
    assert "shout" not in ENDPOINT_KINDS and "shout" not in CLIENT_KINDS
    with pytest.raises(ValueError, match="built-in"):
        unregister_endpoint_kind("fake")
    register_endpoint_kind(ShoutEndpoint, ShoutClient, lambda s: (f"shout:{s.word}", s.word))  # for the fixture


def test_a_settings_kind_without_a_client_is_a_clear_error():
    class Lonely(EndpointSettings):
        kind: Literal["lonely"] = "lonely"

    with pytest.raises(TypeError, match="no client is registered for the endpoint kind 'lonely'"):
        make_client(Lonely())
