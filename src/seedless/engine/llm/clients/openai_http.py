"""Client for any OpenAI-compatible /chat/completions endpoint: one try per call, after one health check of the
server; 429, 5xx, timeouts and resets raise Transient for engine/llm/transport/dispatch.py to retry."""

from __future__ import annotations

from typing import Any

from seedless.engine.llm.clients.base import ChatReply, ChatRequest, Transient
from seedless.engine.llm.clients.http_chat import HttpChatClient
from seedless.engine.llm.clients.http_post import Wire
from seedless.spec.models import OpenAIEndpoint


def identity_of(settings: OpenAIEndpoint) -> tuple[str, str]:
    """(the identity an OpenAIClient records, the model name): the model, never the URL."""
    return f"openai:{settings.model}", settings.model


def cached_tokens(usage: dict[str, Any]) -> int:
    """The prompt tokens the server took from its prefix cache: `prompt_tokens_details.cached_tokens` (OpenAI,
    vLLM, llama.cpp's server); 0 when the server does not say."""
    details = usage.get("prompt_tokens_details")
    try:
        return max(0, int(details.get("cached_tokens") or 0)) if isinstance(details, dict) else 0
    except (TypeError, ValueError):
        return 0


def chat_reply(data: Any, latency: float) -> ChatReply:
    """A /chat/completions reply body (parsed JSON) as a ChatReply, online or from a batch's output file; Transient
    when it is not one."""
    try:
        choice = data["choices"][0]
        text = choice["message"].get("content") or ""
        finish = choice.get("finish_reason") or "stop"
        usage = data.get("usage") or {}
        return ChatReply(text, finish, int(usage.get("prompt_tokens") or 0),
                         int(usage.get("completion_tokens") or 0), latency, cached_tokens(usage))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise Transient("malformed response body") from None


class OpenAIClient(HttpChatClient):
    """`extra_body` is merged under the fields seedless writes (never over model or messages); `max_tokens_field`
    names the token budget's field; `health_check` runs `Wire.check` once, before the first request goes out."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        identity: str | None = None,
        api_key_env: str | None = None,
        max_concurrency: int = 256,
        timeout_s: float = 300.0,
        json_schema: bool = True,
        max_tokens_field: str = "max_tokens",
        headers: dict[str, str] | None = None,
        headers_env: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        extra_body: dict[str, Any] | None = None,
        health_check: bool = False,
    ):
        super().__init__(Wire(base_url, api_key_env=api_key_env, headers=headers, headers_env=headers_env, query=query),
                         model, identity or f"openai:{model}", max_concurrency=max_concurrency, timeout_s=timeout_s,
                         health_check=health_check, listed=model)
        self.url = self.wire.url("/chat/completions")
        self.use_schema = json_schema
        self.max_tokens_field = max_tokens_field
        self.extra_body = dict(extra_body or {})

    @classmethod
    def from_endpoint(cls, settings: OpenAIEndpoint) -> OpenAIClient:
        """The client of an `openai` endpoint of the spec."""
        return cls(settings.base_url, settings.model, api_key_env=settings.api_key_env,
                   max_concurrency=settings.max_concurrency, timeout_s=settings.timeout_s,
                   json_schema=settings.json_schema, max_tokens_field=settings.max_tokens_field,
                   headers=settings.headers, headers_env=settings.headers_env, query=settings.query,
                   extra_body=settings.extra_body, health_check=settings.health_check)

    def body(self, request: ChatRequest) -> dict[str, Any]:
        """The chat request as sent (also each line of a batch)."""
        body: dict[str, Any] = {
            **self.extra_body,
            "model": self.model,
            "messages": [{"role": r, "content": c} for r, c in request.messages],
            "temperature": request.temperature,
            self.max_tokens_field: request.max_tokens,
            "seed": request.seed,
        }
        if request.json_schema is not None:
            if self.use_schema:
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": request.schema_name, "schema": request.json_schema, "strict": True},
                }
            else:
                body["response_format"] = {"type": "json_object"}
        return body

    async def complete(self, request: ChatRequest) -> ChatReply:
        return chat_reply(*await self.post("/chat/completions", request))
