"""Contracts of the batch protocols (clients/openai_batch.py, clients/anthropic_batch.py) and of the batch stub that
tests them: each result line read like the online reply or sorted into retry / fatal / error as the online client
would; the stub refuses what a provider refuses (a file without purpose=batch, lines without custom_id, method, url
or body, repeated ids, bodies that are no chat request, Anthropic ids and params out of shape)."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from batch_stub import BatchStub

from seedless.engine.llm.clients.anthropic import AnthropicClient, message_reply
from seedless.engine.llm.clients.anthropic_batch import result_outcome
from seedless.engine.llm.clients.base import ChatReply, ChatRequest, FatalModelError, ModelError, Transient
from seedless.engine.llm.clients.openai_batch import OpenAIBatches, line_outcome
from seedless.engine.llm.clients.openai_http import OpenAIClient
from seedless.spec.endpoints import AnthropicEndpoint

COMPLETION = {"choices": [{"message": {"content": '{"a": 1}'}, "finish_reason": "length"}],
              "usage": {"prompt_tokens": 7, "completion_tokens": 3, "prompt_tokens_details": {"cached_tokens": 4}}}


def test_an_openai_result_line_is_read_like_the_online_reply_and_its_errors_sorted_like_online():
    assert line_outcome({"custom_id": "a", "response": {"status_code": 200, "body": COMPLETION}}) == ChatReply(
        '{"a": 1}', "length", 7, 3, 0.0, 4)
    limited = line_outcome({"response": {"status_code": 429, "body": {"error": {"message": "slow down"}}}})
    assert isinstance(limited, Transient) and limited.rate_limited and "slow down" in limited.reason
    assert type(line_outcome({"response": {"status_code": 500, "body": {}}})) is Transient
    assert type(line_outcome({"response": {"status_code": 401, "body": {}}})) is FatalModelError
    assert type(line_outcome({"response": {"status_code": 400, "body": {"error": {"message": "bad"}}}})) is ModelError
    assert type(line_outcome({"response": None, "error": {"code": "batch_expired", "message": "x"}})) is Transient
    assert type(line_outcome({"response": None, "error": {"code": "invalid_prompt"}})) is ModelError
    assert type(line_outcome({"response": {"status_code": 200, "body": {"choices": []}}})) is Transient


def test_an_anthropic_result_is_read_like_the_online_reply_and_its_errors_sorted_like_online():
    message = {"content": [{"type": "tool_use", "name": "site", "input": {"a": 1}}], "stop_reason": "max_tokens",
               "usage": {"input_tokens": 5, "output_tokens": 2, "cache_read_input_tokens": 3}}
    assert result_outcome({"type": "succeeded", "message": message}) == message_reply(message, 0.0) == ChatReply(
        '{"a": 1}', "length", 8, 2, 0.0, 3)
    error = lambda kind: {"type": "errored", "error": {"type": "error", "error": {"type": kind, "message": "m"}}}  # noqa: E731
    assert type(result_outcome(error("overloaded_error"))) is Transient
    assert type(result_outcome(error("authentication_error"))) is FatalModelError
    assert type(result_outcome(error("invalid_request_error"))) is ModelError
    assert type(result_outcome({"type": "expired"})) is Transient
    assert type(result_outcome({"type": "canceled"})) is ModelError


def test_the_anthropic_body_puts_system_apart_and_asks_for_the_reply_through_one_forced_tool():
    client = AnthropicClient(AnthropicEndpoint(model="m", api_key_env=None))
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    body = client.body(ChatRequest((("system", "S"), ("user", "U")), 1.5, 64, 3, schema, "site"))
    assert body == {"model": "m", "max_tokens": 64, "messages": [{"role": "user", "content": "U"}],
                    "temperature": 1.0, "system": "S",
                    "tools": [{"name": "site", "description": "Give your reply as this tool's input.",
                               "input_schema": schema}],
                    "tool_choice": {"type": "tool", "name": "site"}}


async def _post(url: str, data: object, *, multipart: bool = False) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session:
        if multipart:
            form = aiohttp.FormData()
            for name, value in data.items():  # type: ignore[attr-defined]
                if name == "file":
                    form.add_field("file", value, filename="x.jsonl")
                else:
                    form.add_field(name, value)
            payload = {"data": form}
        else:
            payload = {"json": data}
        async with session.post(url, **payload) as resp:
            return resp.status, await resp.json(content_type=None)


async def _get(url: str) -> dict:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        return await resp.json(content_type=None)


def lines(*items: object) -> bytes:
    return "".join((i if isinstance(i, str) else json.dumps(i)) + "\n" for i in items).encode()


GOOD = {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions",
        "body": {"model": "m", "messages": [{"role": "user", "content": "hi"}]}}


@pytest.mark.parametrize("content, problem", [
    (lines(GOOD, GOOD), "line 2: custom_id a is repeated"),
    (lines({k: v for k, v in GOOD.items() if k != "method"}), "line 1: needs exactly custom_id, method, url and body"),
    (lines(GOOD | {"url": "/v1/embeddings"}), "line 1: method POST and url /v1/chat/completions expected"),
    (lines(GOOD | {"body": {"model": "m", "messages": []}}), "line 1: body.messages must be a non-empty list"),
    (lines(GOOD | {"body": {"messages": [{"role": "user", "content": "x"}]}}), "line 1: body.model is missing"),
    (lines("{not json"), "line 1: not JSON"),
])
def test_the_stub_fails_a_batch_whose_file_is_malformed(content, problem):
    async def go(url: str) -> dict:
        status, file = await _post(f"{url}/files", {"purpose": "batch", "file": content}, multipart=True)
        assert status == 200
        status, batch = await _post(f"{url}/batches", {"input_file_id": file["id"], "endpoint": "/v1/chat/completions",
                                                        "completion_window": "24h"})
        assert status == 200 and batch["status"] == "validating"
        await _get(f"{url}/batches/{batch['id']}")
        return await _get(f"{url}/batches/{batch['id']}")

    with BatchStub() as stub:
        failed = asyncio.run(go(stub.url))
        assert any(p.startswith(problem) for p in stub.problems), stub.problems
    assert failed["status"] == "failed" and failed["errors"]["data"][0]["message"].startswith(problem)


def test_the_stub_refuses_a_file_without_purpose_batch_and_a_batch_of_no_file():
    async def go(url: str) -> tuple[int, int]:
        upload, _ = await _post(f"{url}/files", {"purpose": "fine-tune", "file": lines(GOOD)}, multipart=True)
        create, _ = await _post(f"{url}/batches", {"input_file_id": "file-9", "endpoint": "/v1/chat/completions",
                                                   "completion_window": "24h"})
        return upload, create

    with BatchStub() as stub:
        assert asyncio.run(go(stub.url)) == (400, 400)
        assert stub.problems == ["purpose must be batch, not 'fine-tune'", "input_file_id 'file-9' names no uploaded file"]
        assert stub.submissions == []


@pytest.mark.parametrize("item, problem", [
    ({"custom_id": "a b", "params": {}}, "requests.0.custom_id 'a b'"),
    ({"custom_id": "a", "params": {"model": "m", "messages": [{"role": "user", "content": "x"}]}},
     "requests.0: params.max_tokens is missing"),
    ({"custom_id": "a", "params": {"model": "m", "max_tokens": 9, "messages": [{"role": "system", "content": "x"}]}},
     "requests.0: params.messages take the roles user and assistant only"),
])
def test_the_stub_refuses_a_message_batch_out_of_shape(item, problem):
    with BatchStub() as stub:
        status, _ = asyncio.run(_post(f"{stub.url}/messages/batches", {"requests": [item]}))
        assert status == 400 and stub.problems[0].startswith(problem) and stub.submissions == []


def test_the_openai_protocol_uploads_one_jsonl_file_of_the_online_bodies_and_submits_it_for_24h():
    request = ChatRequest((("user", "hi"),), 0.3, 20, 5, None, "site")

    async def go(url: str) -> str:
        api = OpenAIBatches(OpenAIClient(url, "stub", extra_body={"top_k": 4}))
        try:
            return await api.submit([api.entry("sl-1", api.body(request))])
        finally:
            await api.aclose()

    with BatchStub() as stub:
        assert asyncio.run(go(stub.url)) == "batch_1"
        create = next(s["body"] for s in stub.seen if s["path"] == "/v1/batches")
        assert create == {"input_file_id": "file-1", "endpoint": "/v1/chat/completions", "completion_window": "24h",
                          "metadata": {"made_by": "seedless"}}
        assert stub.submissions[0].bodies["sl-1"] == OpenAIClient(stub.url, "stub", extra_body={"top_k": 4}).body(
            request)
