"""What every HTTP chat client shares: one session per client, one health check before the first request (concurrent
first calls wait for it; a refusal is raised on every later call), one JSON POST per try, the session closed."""

from __future__ import annotations

import asyncio
import json
import time
from abc import ABC, abstractmethod
from typing import Any

import aiohttp

from seedless.engine.llm.clients.base import ChatRequest, FatalModelError, Transient
from seedless.engine.llm.clients.http_post import Wire


class HttpChatClient(ABC):
    """The base of the `openai` and `anthropic` clients: `body` (the request as sent) and `complete` are theirs;
    `listed` is the model name the health check looks for in /models (None: the listing decides nothing)."""

    def __init__(self, wire: Wire, model: str, identity: str, *, max_concurrency: int, timeout_s: float,
                 health_check: bool, listed: str | None):
        self.wire = wire
        self.model = model
        self.identity = identity
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self._listed = listed
        self._session: aiohttp.ClientSession | None = None
        self._checked = not health_check
        self._problem: str | None = None  # why the health check refused the server: every call raises it
        self._check_lock = asyncio.Lock()

    @abstractmethod
    def body(self, request: ChatRequest) -> dict[str, Any]:
        """The request as this provider takes it (online, and as each request of a batch)."""

    async def session(self) -> aiohttp.ClientSession:
        """The client's HTTP session (made on first use)."""
        if self._session is None or self._session.closed:
            self._session = self.wire.session(self.max_concurrency * 2)
        return self._session

    async def check(self) -> None:
        """The health check, once per client; FatalModelError when it refused the server, every time it is asked."""
        if not self._checked:
            async with self._check_lock:
                if not self._checked:
                    try:
                        await self.wire.check(await self.session(), self._listed)
                    except FatalModelError as exc:
                        self._problem = str(exc)
                    self._checked = True
        if self._problem is not None:
            raise FatalModelError(self._problem)

    async def post(self, path: str, request: ChatRequest) -> tuple[Any, float]:
        """One try of `request` at PATH, after the health check: the parsed JSON reply and its latency in seconds;
        a body that is not JSON is Transient."""
        await self.check()
        body = json.dumps(self.body(request)).encode()
        session = await self.session()
        started = time.monotonic()
        raw = await self.wire.post(session, path, body, self.timeout_s)
        latency = time.monotonic() - started
        try:
            return json.loads(raw), latency
        except ValueError:
            raise Transient("malformed response body") from None

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
