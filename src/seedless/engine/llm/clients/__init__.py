"""Model clients by endpoint kind: OpenAI-compatible HTTP, the embedded llama.cpp server, and a test fake."""

from __future__ import annotations

import json

from seedless.engine.llm.clients.base import ChatReply, ChatRequest, FatalModelError, ModelClient, ModelError
from seedless.spec.models import EmbeddedEndpoint, Endpoint, FakeEndpoint, OpenAIEndpoint


def endpoint_identity(endpoint: Endpoint) -> tuple[str, str]:
    """(the model identity its client records, the bare model name), without making a client."""
    if isinstance(endpoint, EmbeddedEndpoint):
        from seedless.engine.llm.clients.embedded import model_identity

        return model_identity(endpoint)
    if isinstance(endpoint, OpenAIEndpoint):
        return f"openai:{endpoint.model}", endpoint.model
    return f"fake:{endpoint.model}", endpoint.model


def endpoint_variant(endpoint: Endpoint) -> str:
    """What an endpoint adds to each call's fingerprint besides the model identity: its `extra_body` (it changes
    the replies), canonical JSON; empty when it has none, so fingerprints without one never change."""
    if isinstance(endpoint, OpenAIEndpoint) and endpoint.extra_body:
        return json.dumps(endpoint.extra_body, sort_keys=True, separators=(",", ":"))
    return ""


def make_client(endpoint: Endpoint) -> ModelClient:
    if isinstance(endpoint, OpenAIEndpoint):
        from seedless.engine.llm.clients.openai_http import OpenAIClient

        return OpenAIClient(
            endpoint.base_url, endpoint.model, api_key_env=endpoint.api_key_env,
            max_concurrency=endpoint.max_concurrency, timeout_s=endpoint.timeout_s,
            json_schema=endpoint.json_schema, max_tokens_field=endpoint.max_tokens_field, headers=endpoint.headers,
            headers_env=endpoint.headers_env, query=endpoint.query, extra_body=endpoint.extra_body,
            health_check=endpoint.health_check,
        )
    if isinstance(endpoint, EmbeddedEndpoint):
        from seedless.engine.llm.clients.embedded import EmbeddedClient

        return EmbeddedClient(endpoint)
    if isinstance(endpoint, FakeEndpoint):
        from seedless.engine.llm.clients.fake import FakeClient

        return FakeClient(endpoint.model, endpoint.max_concurrency)
    raise TypeError(f"unknown endpoint kind: {endpoint!r}")


__all__ = ["ChatReply", "ChatRequest", "FatalModelError", "ModelClient", "ModelError", "endpoint_identity",
           "endpoint_variant", "make_client"]
