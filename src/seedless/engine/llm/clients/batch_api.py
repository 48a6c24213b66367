"""The contract of a provider's batch protocol (what engine/llm/transport/batch.py drives): a batch's state as the
provider reports it, each request's outcome, and the custom id that names a request in every run alike."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Protocol

from seedless.engine.llm.clients.base import ChatReply, ChatRequest, ModelError, Transient
from seedless.engine.llm.clients.http_chat import HttpChatClient

Outcome = ChatReply | ModelError | Transient  # one request's result in a batch


@dataclass(frozen=True)
class BatchState:
    """A batch as its provider reports it: its own status word, whether it ended, its request counts, why it failed
    as a whole (its errors), and where its results are (file ids, a results URL)."""

    status: str
    ended: bool
    done: int = 0
    total: int = 0
    failed: int = 0
    problem: str = ""
    results: tuple[str, ...] = ()


class BatchAPI(Protocol):
    """One provider's batch protocol; the waves, the ledger and the polling are BatchClient's."""

    identity: str  # the model identity, as the online client records it
    max_concurrency: int
    root: str  # the API root (no credentials): with the identity, the ledger's key of this provider account

    def body(self, request: ChatRequest) -> dict[str, Any]:
        """The request's body exactly as the online client sends it."""

    def entry(self, custom_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """One request of a batch as the provider takes it."""

    async def submit(self, entries: list[dict[str, Any]]) -> str:
        """Send one batch (uploading what it needs); its id once the provider accepted it."""

    async def state(self, batch: str) -> BatchState: ...

    async def results(self, batch: str, state: BatchState) -> dict[str, Outcome]:
        """Each request's outcome, by custom id, of a batch that ended."""

    async def aclose(self) -> None: ...


class ClientBatches:
    """What every provider's batch protocol shares: it sends through the online client, so bodies, credentials,
    identity and the ledger's root are the online ones."""

    def __init__(self, client: HttpChatClient):
        self.client = client
        self.wire = client.wire
        self.identity = client.identity
        self.max_concurrency = client.max_concurrency
        self.root = client.wire.root

    def body(self, request: ChatRequest) -> dict[str, Any]:
        return self.client.body(request)

    async def aclose(self) -> None:
        await self.client.aclose()


def json_reply(raw: bytes, what: str) -> dict[str, Any]:
    """A batch endpoint's JSON object reply; anything else is Transient (asked again at the next poll or wave)."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise Transient(f"malformed {what}") from None
    if not isinstance(data, dict):
        raise Transient(f"malformed {what}")
    return data


def reply_id(raw: bytes, what: str) -> str:
    """The `id` of a batch endpoint's reply (a file's, a batch's)."""
    value = json_reply(raw, what).get("id")
    if not isinstance(value, str) or not value:
        raise Transient(f"{what} without an id")
    return value


def custom_id(body: dict[str, Any]) -> str:
    """The request's id in a batch: a hash of its exact body, so the same call of the same spec and seed has the same
    id in every run (what resuming looks up); at most 64 characters of [A-Za-z0-9_-], as providers require."""
    return "sl-" + hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:48]
