"""Client for any OpenAI-compatible /chat/completions endpoint: one try per call; 429, 5xx, timeouts and resets
raise Transient for engine/dispatch.py to retry."""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp

from seedless.engine.clients.base import ChatReply, ChatRequest, Transient
from seedless.engine.clients.http_post import json_headers, post


class OpenAIClient:
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
    ):
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.identity = identity or f"openai:{model}"
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.use_schema = json_schema
        self._headers = json_headers(api_key_env)
        self._session: aiohttp.ClientSession | None = None

    def _body(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": r, "content": c} for r, c in request.messages],
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
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

    async def _session_get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.max_concurrency * 2, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, headers=self._headers)
        return self._session

    async def complete(self, request: ChatRequest) -> ChatReply:
        body = json.dumps(self._body(request)).encode()
        session = await self._session_get()
        started = time.monotonic()
        raw = await post(session, self.url, body, self.timeout_s)
        latency = time.monotonic() - started
        try:
            data = json.loads(raw)
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
            finish = choice.get("finish_reason") or "stop"
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise Transient("malformed response body") from None
        usage = data.get("usage") or {}
        return ChatReply(text, finish, int(usage.get("prompt_tokens") or 0),
                         int(usage.get("completion_tokens") or 0), latency)

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
