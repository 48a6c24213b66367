"""The model-client contract: one try of one chat request; a transient failure raises Transient (engine/llm/transport/dispatch.py
retries it outside the endpoint's concurrency window)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[tuple[str, str], ...]  # (role, content)
    temperature: float
    max_tokens: int
    seed: int
    json_schema: dict[str, Any] | None = None
    schema_name: str = "reply"


@dataclass(frozen=True)
class ChatReply:
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    cached_tokens: int = 0  # of prompt_tokens, served from the server's prefix cache (when it says so)


class Transient(Exception):
    """One try failed in a way worth another (429, 5xx, timeout, reset, a malformed body); `rate_limited` when
    the server asked for less traffic (429, 503); `retry_after` is the server's wait, when it sent one;
    `unreachable` when no connection could be made at all (refused, unknown host): few, quick retries; `said` is
    what the server wrote in its error body (shown when the retries are spent)."""

    def __init__(self, reason: str, retry_after: float | None = None, *, rate_limited: bool = False,
                 unreachable: bool = False, said: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.said = said
        self.retry_after = retry_after
        self.rate_limited = rate_limited
        self.unreachable = unreachable


class ModelError(Exception):
    """A call that failed for good (retries spent, or an error retrying cannot fix)."""


class FatalModelError(ModelError):
    """The endpoint refuses every call (bad key, unknown model, bad URL): stop the command."""


class ModelClient(Protocol):
    identity: str  # the model's identity in fingerprints: stable across runs, independent of URL or port
    max_concurrency: int

    async def complete(self, request: ChatRequest) -> ChatReply:
        """One try: the reply, or Transient, ModelError or FatalModelError."""

    async def aclose(self) -> None: ...
