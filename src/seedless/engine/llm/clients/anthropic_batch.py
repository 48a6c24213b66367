"""Anthropic's Message Batches over an AnthropicClient's wire: a wave as one batch (POST /messages/batches, each request
{custom_id, params}: the exact Messages request the online client sends), its status (GET /messages/batches/{id}),
its results (the JSONL at results_url), each succeeded message parsed like the online reply."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from seedless.engine.llm.clients.anthropic import AnthropicClient, message_reply
from seedless.engine.llm.clients.base import FatalModelError, ModelError, Transient
from seedless.engine.llm.clients.batch_api import BatchState, ClientBatches, Outcome, json_reply, reply_id
from seedless.engine.store.jsonl import objects_of
from seedless.spec.endpoints import AnthropicEndpoint

RETRY_ERRORS = frozenset({"rate_limit_error", "overloaded_error", "api_error", "timeout_error"})
FATAL_ERRORS = frozenset({"authentication_error", "permission_error", "not_found_error"})


def result_outcome(result: Any) -> Outcome:
    """One request's `result`: the message (succeeded), else its error as the online client would raise it
    (rate limits, overload and server errors, expiry: Transient, retried in a later wave; a refused key or unknown
    model: fatal; an invalid request, a cancelled one: ModelError)."""
    kind = result.get("type") if isinstance(result, dict) else None
    if kind == "succeeded":
        try:
            return message_reply(result.get("message"), 0.0)
        except Transient as exc:
            return exc
    if kind == "expired":
        return Transient("the batch expired before this request ran")
    if kind == "canceled":
        return ModelError("the batch was cancelled before this request ran")
    error = result.get("error") if isinstance(result, dict) else None
    inner = error.get("error") if isinstance(error, dict) and isinstance(error.get("error"), dict) else error
    inner = inner if isinstance(inner, dict) else {}
    code, message = str(inner.get("type") or "error"), str(inner.get("message") or "")
    reason = f"batch request {code}" + (f": {message}" if message else "")
    if code in RETRY_ERRORS:
        return Transient(reason, rate_limited=code in ("rate_limit_error", "overloaded_error"), said=message)
    return (FatalModelError if code in FATAL_ERRORS else ModelError)(reason)


class AnthropicBatches(ClientBatches):
    """The batch protocol of an `anthropic` endpoint (engine/llm/clients/batch_api.py `BatchAPI`)."""

    @classmethod
    def from_endpoint(cls, settings: AnthropicEndpoint) -> AnthropicBatches:
        return cls(AnthropicClient(settings))

    def entry(self, custom_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"custom_id": custom_id, "params": body}

    async def submit(self, entries: list[dict[str, Any]]) -> str:
        await self.client.check()
        session = await self.client.session()
        raw = await self.wire.post(session, "/messages/batches", json.dumps({"requests": entries}).encode(),
                                   self.client.timeout_s)
        return reply_id(raw, "batch reply")

    async def state(self, batch: str) -> BatchState:
        session = await self.client.session()
        data = json_reply(await self.wire.get(session, f"/messages/batches/{batch}", self.client.timeout_s),
                          "batch status")
        status = str(data.get("processing_status") or "")
        if not status:
            raise Transient("batch status without a processing_status")
        counts = data.get("request_counts") if isinstance(data.get("request_counts"), dict) else {}
        n = {k: int(counts.get(k) or 0) for k in ("processing", "succeeded", "errored", "canceled", "expired")}
        failed = n["errored"] + n["canceled"] + n["expired"]
        url = data.get("results_url")
        return BatchState(status, status == "ended", n["succeeded"] + failed, sum(n.values()), failed, "",
                          (self._results_url(batch, url),) if status == "ended" else ())

    def _results_url(self, batch: str, url: Any) -> str:
        """The results URL when it is on the API's own host (the key is sent there), else the documented path."""
        own = urlsplit(self.root)
        if isinstance(url, str) and (urlsplit(url).scheme, urlsplit(url).netloc) == (own.scheme, own.netloc):
            return url
        return self.wire.url(f"/messages/batches/{batch}/results")

    async def results(self, batch: str, state: BatchState) -> dict[str, Outcome]:
        session = await self.client.session()
        out: dict[str, Outcome] = {}
        for url in state.results:
            raw = await self.wire.send(session, "GET", url, self.client.timeout_s)
            for _, line in objects_of(raw.splitlines(), f"batch {batch} results", Transient):
                cid = line.get("custom_id")
                if isinstance(cid, str):
                    out[cid] = result_outcome(line.get("result"))
        return out
