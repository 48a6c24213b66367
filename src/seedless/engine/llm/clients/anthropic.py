"""Client for Anthropic's Messages API (POST {base_url}/messages): system messages as `system`, the reply's JSON schema
as one tool the model must call (its input is the reply), x-api-key and anthropic-version headers; one try per call,
after one health check; 429, 529, 5xx, timeouts and resets raise Transient for engine/llm/transport/dispatch.py."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp

from seedless.engine.llm.clients.base import ChatReply, ChatRequest, FatalModelError, Transient
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


class AnthropicClient:
    """`health_check` runs `Wire.check` once before the first request (a listing decides nothing: Anthropic serves
    aliases it does not list; an unreachable server or a refused key stops the command)."""

    def __init__(self, settings: AnthropicEndpoint):
        headers = {"anthropic-version": settings.anthropic_version, **settings.headers}
        self.wire = Wire(settings.base_url, headers=headers,
                         headers_env={"x-api-key": settings.api_key_env} if settings.api_key_env else None)
        self.model = settings.model
        self.identity = identity_of(settings)[0]
        self.max_concurrency = settings.max_concurrency
        self.timeout_s = settings.timeout_s
        self._session: aiohttp.ClientSession | None = None
        self._checked = not settings.health_check
        self._problem: str | None = None
        self._check_lock = asyncio.Lock()

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

    async def session(self) -> aiohttp.ClientSession:
        """The client's HTTP session (made on first use)."""
        if self._session is None or self._session.closed:
            self._session = self.wire.session(self.max_concurrency * 2)
        return self._session

    async def check(self) -> None:
        """The health check, once per client; FatalModelError when it refused the server, every time."""
        if not self._checked:
            async with self._check_lock:
                if not self._checked:
                    try:
                        await self.wire.check(await self.session(), None)
                    except FatalModelError as exc:
                        self._problem = str(exc)
                    self._checked = True
        if self._problem is not None:
            raise FatalModelError(self._problem)

    async def complete(self, request: ChatRequest) -> ChatReply:
        await self.check()
        session = await self.session()
        started = time.monotonic()
        raw = await self.wire.post(session, "/messages", json.dumps(self.body(request)).encode(), self.timeout_s)
        latency = time.monotonic() - started
        try:
            data = json.loads(raw)
        except ValueError:
            raise Transient("malformed response body") from None
        return message_reply(data, latency)

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
