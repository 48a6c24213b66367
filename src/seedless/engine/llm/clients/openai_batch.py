"""OpenAI's Batch API over an OpenAIClient's wire: a wave as one JSONL file (POST /files, purpose batch; each line the
exact chat request the online client sends), one batch of it (POST /batches, /v1/chat/completions, 24h), its status
(GET /batches/{id}), its output and error files (GET /files/{id}/content), each reply parsed like the online one."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from seedless.engine.llm.clients.base import FatalModelError, ModelError, Transient
from seedless.engine.llm.clients.batch_api import BatchState, ClientBatches, Outcome, json_reply, reply_id
from seedless.engine.llm.clients.http_post import FATAL_STATUS, RATE_LIMIT_STATUS
from seedless.engine.llm.clients.openai_http import OpenAIClient, chat_reply
from seedless.engine.llm.clients.retry import RETRYABLE_STATUS
from seedless.engine.store.jsonl import objects_of
from seedless.spec.endpoints import OpenAIEndpoint

CHAT_URL = "/v1/chat/completions"  # the batch endpoint, and every line's url
WINDOW = "24h"  # the only completion window OpenAI offers
ENDED = frozenset({"completed", "failed", "expired", "cancelled"})
RETRY_CODES = frozenset({"batch_expired", "rate_limit_exceeded", "server_error", "timeout"})


def line_outcome(line: dict[str, Any]) -> Outcome:
    """One line of an output or error file: the reply (status 200), else the error as the online client would raise
    it (429/5xx: Transient, retried in a later wave; 401/403/404: fatal; other 4xx: ModelError)."""
    response = line.get("response") if isinstance(line.get("response"), dict) else {}
    status = response.get("status_code")
    body = response.get("body")
    if status == 200:
        try:
            return chat_reply(body, 0.0)
        except Transient as exc:
            return exc
    error = line.get("error") if isinstance(line.get("error"), dict) else {}
    if not status:
        code, message = str(error.get("code") or "error"), str(error.get("message") or "")
        if code in RETRY_CODES:
            return Transient(f"batch request {code}: {message}".rstrip(": "))
        return ModelError(f"batch request {code}: {message}".rstrip(": "))
    detail = body.get("error", {}).get("message", "") if isinstance(body, dict) and isinstance(
        body.get("error"), dict) else ""
    reason = f"HTTP {status} in the batch" + (f": {detail}" if detail else "")
    if status in RETRYABLE_STATUS:
        return Transient(reason, rate_limited=status in RATE_LIMIT_STATUS, said=str(detail))
    return (FatalModelError if status in FATAL_STATUS else ModelError)(reason)


class OpenAIBatches(ClientBatches):
    """The batch protocol of an `openai` endpoint (engine/llm/clients/batch_api.py `BatchAPI`)."""

    @classmethod
    def from_endpoint(cls, settings: OpenAIEndpoint) -> OpenAIBatches:
        return cls(OpenAIClient.from_endpoint(settings))

    def entry(self, custom_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"custom_id": custom_id, "method": "POST", "url": CHAT_URL, "body": body}

    async def submit(self, entries: list[dict[str, Any]]) -> str:
        await self.client.check()
        session = await self.client.session()
        content = "".join(json.dumps(e, separators=(",", ":"), ensure_ascii=False) + "\n" for e in entries)
        upload = aiohttp.MultipartWriter("form-data")
        upload.append("batch").set_content_disposition("form-data", name="purpose")
        upload.append(content.encode(), {"Content-Type": "application/jsonl"}).set_content_disposition(
            "form-data", name="file", filename="seedless-batch.jsonl")
        file_id = reply_id(await self.wire.post(session, "/files", upload, self.client.timeout_s), "file upload reply")
        create = {"input_file_id": file_id, "endpoint": CHAT_URL, "completion_window": WINDOW,
                  "metadata": {"made_by": "seedless"}}
        raw = await self.wire.post(session, "/batches", json.dumps(create).encode(), self.client.timeout_s)
        return reply_id(raw, "batch reply")

    async def state(self, batch: str) -> BatchState:
        session = await self.client.session()
        data = json_reply(await self.wire.get(session, f"/batches/{batch}", self.client.timeout_s), "batch status")
        status = str(data.get("status") or "")
        if not status:
            raise Transient("batch status without a status")
        counts = data.get("request_counts") if isinstance(data.get("request_counts"), dict) else {}
        done, failed = int(counts.get("completed") or 0), int(counts.get("failed") or 0)
        errors = (data.get("errors") or {}).get("data") if isinstance(data.get("errors"), dict) else None
        problem = "; ".join(f"{e.get('code')}: {e.get('message')}" + (f" (line {e['line']})" if e.get("line") else "")
                            for e in errors or [] if isinstance(e, dict))
        if status == "failed" and not problem:
            problem = "the provider gave no reason"
        files = tuple(f for f in (data.get("output_file_id"), data.get("error_file_id")) if isinstance(f, str) and f)
        return BatchState(status, status in ENDED, done + failed, int(counts.get("total") or 0), failed,
                          problem if status == "failed" else "", files)

    async def results(self, batch: str, state: BatchState) -> dict[str, Outcome]:
        session = await self.client.session()
        out: dict[str, Outcome] = {}
        for file_id in state.results:
            raw = await self.wire.get(session, f"/files/{file_id}/content", self.client.timeout_s)
            for _, line in objects_of(raw.splitlines(), f"batch {batch} file {file_id}", Transient):
                cid = line.get("custom_id")
                if isinstance(cid, str):
                    out[cid] = line_outcome(line)
        return out
