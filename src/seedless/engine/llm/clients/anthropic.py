"""Client for Anthropic's Messages API (POST {base_url}/messages): system messages as `system`, the reply's JSON schema
as one tool the model must call (its input is the reply), x-api-key and anthropic-version headers; one try per call,
after one health check; 429, 529, 5xx, timeouts and resets raise Transient for engine/llm/transport/dispatch.py."""

from __future__ import annotations

import json
from typing import Any

from seedless.engine.llm.clients.base import ChatReply, ChatRequest, Transient
from seedless.engine.llm.clients.http_chat import HttpChatClient
from seedless.engine.llm.clients.http_post import Wire
from seedless.spec.endpoints import AnthropicEndpoint

MAX_TEMPERATURE = 1.0  # Anthropic's range is 0..1; a role's higher temperature is sent as 1
LENGTH = frozenset({"max_tokens", "model_context_window_exceeded"})  # stop reasons of a cut reply


def identity_of(settings: AnthropicEndpoint) -> tuple[str, str]:
    """(the identity an AnthropicClient records, the model name): the model, never the URL."""
    return f"anthropic:{settings.model}", settings.model


def message_reply(data: Any, latency: float) -> ChatReply:
    """A Messages API reply (parsed JSON; online or a batch's succeeded result) as a ChatReply: the forced tool call's
    input as JSON text, else the text blocks; `max_tokens` as finish reason `length`. Prompt tokens count the cached
    and cache-written ones too. Transient when it is not a reply."""
    try:
        blocks = data["content"]
        tool = next((b for b in blocks if b.get("type") == "tool_use"), None)
        text = json.dumps(tool["input"]) if tool is not None else "".join(
            b.get("text") or "" for b in blocks if b.get("type") == "text")
        finish = "length" if data.get("stop_reason") in LENGTH else "stop"
        usage = data.get("usage") or {}
        cached = int(usage.get("cache_read_input_tokens") or 0)
        prompt = int(usage.get("input_tokens") or 0) + cached + int(usage.get("cache_creation_input_tokens") or 0)
        return ChatReply(text, finish, prompt, int(usage.get("output_tokens") or 0), latency, cached)
    except (KeyError, TypeError, AttributeError, ValueError):
        raise Transient("malformed response body") from None


class AnthropicClient(HttpChatClient):
    """`health_check` runs `Wire.check` once before the first request (a listing decides nothing: Anthropic serves
    aliases it does not list; an unreachable server or a refused key stops the command)."""

    def __init__(self, settings: AnthropicEndpoint):
        headers = {"anthropic-version": settings.anthropic_version, **settings.headers}
        wire = Wire(settings.base_url, headers=headers,
                    headers_env={"x-api-key": settings.api_key_env} if settings.api_key_env else None)
        super().__init__(wire, settings.model, identity_of(settings)[0], max_concurrency=settings.max_concurrency,
                         timeout_s=settings.timeout_s, health_check=settings.health_check, listed=None)

    def body(self, request: ChatRequest) -> dict[str, Any]:
        """The Messages request as sent (also each request of a batch)."""
        system = "\n\n".join(c for r, c in request.messages if r == "system")
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "messages": [{"role": r, "content": c} for r, c in request.messages if r != "system"],
            "temperature": min(request.temperature, MAX_TEMPERATURE),
        }
        if system:
            body["system"] = system
        schema = request.json_schema
        if schema is not None and schema.get("type", "object") == "object":
            body["tools"] = [{"name": request.schema_name, "description": "Give your reply as this tool's input.",
                              "input_schema": schema}]
            body["tool_choice"] = {"type": "tool", "name": request.schema_name}
        return body

    async def complete(self, request: ChatRequest) -> ChatReply:
        return message_reply(*await self.post("/messages", request))
