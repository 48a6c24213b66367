"""The model-client contract: one chat request in, one reply out; transient failures retried inside the client."""

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


class ModelError(Exception):
    """A call that failed for good (retries spent, or an error retrying cannot fix)."""


class FatalModelError(ModelError):
    """The endpoint refuses every call (bad key, unknown model, bad URL): stop the command."""


class ModelClient(Protocol):
    identity: str  # the model's identity in fingerprints: stable across runs, independent of URL or port
    max_concurrency: int

    async def complete(self, request: ChatRequest) -> ChatReply: ...

    async def aclose(self) -> None: ...
