"""OpenAIClient against a scripted aiohttp server on 127.0.0.1, driven as the engine drives it (one try per call,
retried by engine/llm/transport/dispatch.py): retries, errors, request body, reply fields."""

from __future__ import annotations

import asyncio
import json
import socket
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from openai_stub import Recorder
from seedless.engine.llm.clients.base import ChatReply, ChatRequest, FatalModelError, ModelError
from seedless.engine.llm.clients.openai_http import OpenAIClient
from seedless.engine.llm.transport.dispatch import RetryPolicy, send
from seedless.engine.llm.transport.limiter import Limiter

SCHEMA = {
    "type": "object",
    "properties": {"children": {"type": "array", "items": {"type": "string"}}},
    "required": ["children"],
    "additionalProperties": False,
}


def request(schema: dict[str, Any] | None = None, **kw: Any) -> ChatRequest:
    defaults: dict[str, Any] = dict(
        messages=(("system", "You reply with JSON."), ("user", "List colours.")),
        temperature=0.7, max_tokens=123, seed=42, json_schema=schema, schema_name="taxonomy_propose",
    )
    defaults.update(kw)
    return ChatRequest(**defaults)


def completion(text: str = '{"children": ["red"]}', finish: str | None = "stop",
               usage: dict[str, int] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "x", "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
    }
    if usage is not None:
        body["usage"] = usage
    return body


# ----- scripted server --------------------------------------------------------------------------------------


def ok(text: str = '{"children": ["red"]}', finish: str | None = "stop", usage: dict[str, int] | None = None):
    async def act(_req: web.Request) -> web.StreamResponse:
        return web.json_response(completion(text, finish, usage))
    return act


def status(code: int, body: str = "error", headers: dict[str, str] | None = None):
    async def act(_req: web.Request) -> web.StreamResponse:
        return web.Response(status=code, text=body, headers=headers or {})
    return act


def raw(body: str, code: int = 200):
    async def act(_req: web.Request) -> web.StreamResponse:
        return web.Response(status=code, text=body, content_type="application/json")
    return act


def slow(seconds: float, then=None):
    async def act(req: web.Request) -> web.StreamResponse:
        await asyncio.sleep(seconds)
        return await (then or ok())(req)
    return act


class Script:
    """Each request takes the next action; the last action repeats. Records path, headers and JSON body."""

    def __init__(self, *actions):
        self.actions = list(actions)
        self.seen: list[dict[str, Any]] = []

    async def handle(self, req: web.Request) -> web.StreamResponse:
        data = await req.read()
        self.seen.append({"path": req.path, "headers": dict(req.headers), "body": json.loads(data)})
        act = self.actions.pop(0) if len(self.actions) > 1 else self.actions[0]
        return await act(req)


@asynccontextmanager
async def serve(script: Script):
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", script.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()


class Dispatched:
    """An OpenAIClient behind the engine's dispatch, with its transport and rate-limit retry budgets."""

    def __init__(self, url: str, rec: Recorder, max_retries: int, rate_limit_retries: int, **kw: Any):
        self.client = OpenAIClient(url, "test-model", **kw)
        self.url = self.client.url
        self.policy = RetryPolicy(max_retries, rate_limit_retries, sleep=rec.sleep, on_retry=rec.on_retry)

    async def complete(self, req: ChatRequest) -> ChatReply:
        return await send(self.client, Limiter(4), req, "test", self.policy)

    async def aclose(self) -> None:
        await self.client.aclose()


def client(url: str, rec: Recorder | None = None, *, max_retries: int = 3, rate_limit_retries: int = 3,
           **kw: Any) -> Dispatched:
    kw.setdefault("timeout_s", 5.0)
    return Dispatched(url, rec or Recorder(), max_retries, rate_limit_retries, **kw)


async def run_once(script: Script, req: ChatRequest | None = None, rec: Recorder | None = None,
                   **kw: Any) -> ChatReply:
    async with serve(script) as url:
        c = client(url, rec, **kw)
        try:
            return await c.complete(req or request(SCHEMA))
        finally:
            await c.aclose()


# ----- retries ------------------------------------------------------------------------------------------------


def test_retry_after_is_honoured_for_429():
    script = Script(status(429, "slow down", {"Retry-After": "2"}), ok('{"children": ["a", "b"]}'))
    rec = Recorder()
    reply = asyncio.run(run_once(script, rec=rec))
    assert reply.text == '{"children": ["a", "b"]}'
    assert rec.delays == [2.0]
    assert rec.retries == [("HTTP 429", 2.0)]
    assert len(script.seen) == 2


def test_5xx_responses_are_retried_until_success():
    script = Script(status(500), status(502), ok('{"children": ["ok"]}'))
    rec = Recorder()
    reply = asyncio.run(run_once(script, rec=rec))
    assert reply.text == '{"children": ["ok"]}'
    assert len(script.seen) == 3
    assert [r for r, _ in rec.retries] == ["HTTP 500", "HTTP 502"]
    assert len(rec.delays) == 2
    # no Retry-After: jittered backoff, attempt 0 in [0.25, 0.5], attempt 1 in [0.5, 1.0]
    assert 0.25 <= rec.delays[0] <= 0.5
    assert 0.5 <= rec.delays[1] <= 1.0
    assert [d for _, d in rec.retries] == rec.delays


def test_503_draws_on_the_rate_limit_budget_not_the_transport_one():
    script = Script(status(500), status(503), status(503), ok('{"children": ["ok"]}'))
    rec = Recorder()
    reply = asyncio.run(run_once(script, rec=rec, max_retries=1, rate_limit_retries=2))
    assert reply.text == '{"children": ["ok"]}'
    assert [r for r, _ in rec.retries] == ["HTTP 500", "HTTP 503", "HTTP 503"]


def test_429_beyond_the_rate_limit_budget_gives_up():
    script = Script(status(429, "slow down", {"Retry-After": "1"}))
    rec = Recorder()
    with pytest.raises(ModelError) as err:
        asyncio.run(run_once(script, rec=rec, max_retries=5, rate_limit_retries=2))
    assert "HTTP 429 (gave up after 3 tries)" in str(err.value)
    assert rec.delays == [1.0, 1.0]


def test_5xx_until_max_retries_gives_up():
    script = Script(status(502))
    rec = Recorder()
    with pytest.raises(ModelError) as err:
        asyncio.run(run_once(script, rec=rec, max_retries=2))
    assert not isinstance(err.value, FatalModelError)
    assert "HTTP 502" in str(err.value)
    assert "gave up after 3 tries" in str(err.value)
    assert len(script.seen) == 3
    assert len(rec.delays) == 2


def _closed_port() -> int:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_connection_refused_is_retried_then_gives_up():
    port = _closed_port()
    rec = Recorder()

    async def go():
        c = client(f"http://127.0.0.1:{port}/v1", rec, max_retries=2)
        try:
            return await c.complete(request(SCHEMA))
        finally:
            await c.aclose()

    with pytest.raises(ModelError) as err:
        asyncio.run(go())
    assert not isinstance(err.value, FatalModelError)
    assert "gave up after 3 tries" in str(err.value)
    assert "connection error" in str(err.value)
    assert len(rec.delays) == 2
    assert all(reason.startswith("connection error") for reason, _ in rec.retries)


def test_dropped_connection_is_retried_then_gives_up():
    hits: list[int] = []

    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hits.append(1)
        await reader.readuntil(b"\r\n\r\n")  # read the request head, then hang up without answering
        writer.close()

    async def go():
        server = await asyncio.start_server(drop, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        rec = Recorder()
        c = client(f"http://127.0.0.1:{port}/v1", rec, max_retries=2)
        try:
            with pytest.raises(ModelError) as err:
                await c.complete(request(SCHEMA))
        finally:
            await c.aclose()
            server.close()
            await server.wait_closed()
        return err.value, rec

    exc, rec = asyncio.run(go())
    assert not isinstance(exc, FatalModelError)
    assert "gave up after 3 tries" in str(exc)
    assert "connection error" in str(exc)
    assert len(hits) == 3
    assert len(rec.delays) == 2


def test_dropped_connection_then_success():
    state = {"n": 0}

    async def flaky(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        state["n"] += 1
        if state["n"] == 1:
            writer.close()
            return
        length = 0
        for line in head.decode().split("\r\n"):
            if line.lower().startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        await reader.readexactly(length)
        body = json.dumps(completion('{"children": ["after drop"]}')).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                     + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        await writer.drain()
        writer.close()

    async def go():
        server = await asyncio.start_server(flaky, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        rec = Recorder()
        c = client(f"http://127.0.0.1:{port}/v1", rec, max_retries=2)
        try:
            return await c.complete(request(SCHEMA)), rec
        finally:
            await c.aclose()
            server.close()
            await server.wait_closed()

    reply, rec = asyncio.run(go())
    assert reply.text == '{"children": ["after drop"]}'
    assert state["n"] == 2
    assert len(rec.retries) == 1 and rec.retries[0][0].startswith("connection error")


def test_timeout_is_retried():
    script = Script(slow(0.6), ok('{"children": ["fast"]}'))
    rec = Recorder()
    reply = asyncio.run(run_once(script, rec=rec, timeout_s=0.2))
    assert reply.text == '{"children": ["fast"]}'
    assert len(script.seen) == 2
    assert [r for r, _ in rec.retries] == ["no reply within 0.2s"]
    assert len(rec.delays) == 1


def test_timeout_every_time_gives_up():
    script = Script(slow(0.5))
    rec = Recorder()
    with pytest.raises(ModelError) as err:
        asyncio.run(run_once(script, rec=rec, timeout_s=0.15, max_retries=1))
    assert "no reply within 0.15s" in str(err.value)
    assert "gave up after 2 tries" in str(err.value)


@pytest.mark.parametrize("code", [401, 403, 404])
def test_auth_and_not_found_are_fatal_without_retry(code):
    script = Script(status(code, "no such key"), ok())
    rec = Recorder()
    with pytest.raises(FatalModelError) as err:
        asyncio.run(run_once(script, rec=rec))
    assert f"HTTP {code}" in str(err.value)
    assert "no such key" in str(err.value)
    assert len(script.seen) == 1
    assert rec.delays == [] and rec.retries == []


def test_400_is_a_model_error_not_fatal_and_not_retried():
    script = Script(status(400, "bad schema"), ok())
    rec = Recorder()
    with pytest.raises(ModelError) as err:
        asyncio.run(run_once(script, rec=rec))
    assert not isinstance(err.value, FatalModelError)
    assert "HTTP 400" in str(err.value)
    assert "bad schema" in str(err.value)
    assert len(script.seen) == 1
    assert rec.delays == []


def test_malformed_body_is_retried():
    script = Script(raw("this is not json"), ok('{"children": ["fine"]}'))
    rec = Recorder()
    reply = asyncio.run(run_once(script, rec=rec))
    assert reply.text == '{"children": ["fine"]}'
    assert len(script.seen) == 2
    assert [r for r, _ in rec.retries] == ["malformed response body"]


@pytest.mark.parametrize("body", ['{"choices": []}', '{"nothing": 1}', '{"choices": [{"text": "x"}]}', "[]"])
def test_json_without_a_choice_message_is_retried(body):
    script = Script(raw(body), ok('{"children": ["fine"]}'))
    rec = Recorder()
    reply = asyncio.run(run_once(script, rec=rec))
    assert reply.text == '{"children": ["fine"]}'
    assert [r for r, _ in rec.retries] == ["malformed response body"]


def test_malformed_body_every_time_gives_up():
    script = Script(raw("<html>oops</html>"))
    with pytest.raises(ModelError) as err:
        asyncio.run(run_once(script, max_retries=2))
    assert "malformed response body (gave up after 3 tries)" in str(err.value)
    assert len(script.seen) == 3


# ----- request and reply -------------------------------------------------------------------------------------


def test_request_body_with_json_schema():
    script = Script(ok())
    req = request(SCHEMA, temperature=0.25, max_tokens=321, seed=9876)
    asyncio.run(run_once(script, req=req))
    (seen,) = script.seen
    assert seen["path"] == "/v1/chat/completions"
    body = seen["body"]
    assert body["model"] == "test-model"
    assert body["messages"] == [
        {"role": "system", "content": "You reply with JSON."},
        {"role": "user", "content": "List colours."},
    ]
    assert body["temperature"] == 0.25
    assert body["max_tokens"] == 321
    assert body["seed"] == 9876
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "taxonomy_propose", "schema": SCHEMA, "strict": True},
    }
    assert seen["headers"]["Content-Type"] == "application/json"


def test_request_body_json_object_mode_when_json_schema_disabled():
    script = Script(ok())
    asyncio.run(run_once(script, req=request(SCHEMA), json_schema=False))
    body = script.seen[0]["body"]
    assert body["response_format"] == {"type": "json_object"}
    assert "json_schema" not in json.dumps(body["response_format"])


def test_request_body_without_schema_has_no_response_format():
    script = Script(ok("free text"))
    reply = asyncio.run(run_once(script, req=request(None)))
    assert "response_format" not in script.seen[0]["body"]
    assert reply.text == "free text"


def test_trailing_slash_in_base_url_is_tolerated():
    script = Script(ok())

    async def go():
        async with serve(script) as url:
            c = client(url + "/")
            try:
                assert c.url == url + "/chat/completions"
                return await c.complete(request(SCHEMA))
            finally:
                await c.aclose()

    asyncio.run(go())
    assert script.seen[0]["path"] == "/v1/chat/completions"


def test_finish_reason_and_usage_come_through():
    script = Script(ok('{"children": ["trunc', "length", {"prompt_tokens": 17, "completion_tokens": 123}))
    reply = asyncio.run(run_once(script))
    assert isinstance(reply, ChatReply)
    assert reply.text == '{"children": ["trunc'
    assert reply.finish_reason == "length"
    assert reply.prompt_tokens == 17
    assert reply.completion_tokens == 123
    assert reply.latency_s >= 0.0
    assert reply.cached_tokens == 0  # the server did not say


def test_cached_prompt_tokens_come_through_as_the_server_reports_them():
    usage = {"prompt_tokens": 257, "completion_tokens": 4, "prompt_tokens_details": {"cached_tokens": 250}}
    reply = asyncio.run(run_once(Script(ok('{"children": []}', "stop", usage))))
    assert (reply.prompt_tokens, reply.cached_tokens) == (257, 250)
    odd = {"prompt_tokens": 9, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": "many"}}
    assert asyncio.run(run_once(Script(ok('{"children": []}', "stop", odd)))).cached_tokens == 0


def test_missing_usage_finish_and_content_default():
    async def act(_req):
        return web.json_response({"choices": [{"message": {"role": "assistant", "content": None}}]})

    reply = asyncio.run(run_once(Script(act)))
    assert reply.text == ""
    assert reply.finish_reason == "stop"
    assert reply.prompt_tokens == 0
    assert reply.completion_tokens == 0


def test_latency_reflects_server_time():
    reply = asyncio.run(run_once(Script(slow(0.3))))
    assert reply.latency_s >= 0.25


# ----- credentials and identity ------------------------------------------------------------------------------


def test_unset_api_key_env_is_fatal(monkeypatch):
    monkeypatch.delenv("SEEDLESS_TEST_MISSING_KEY", raising=False)
    with pytest.raises(FatalModelError) as err:
        OpenAIClient("http://127.0.0.1:9/v1", "m", api_key_env="SEEDLESS_TEST_MISSING_KEY")
    assert "SEEDLESS_TEST_MISSING_KEY" in str(err.value)


def test_empty_api_key_env_is_fatal(monkeypatch):
    monkeypatch.setenv("SEEDLESS_TEST_EMPTY_KEY", "")
    with pytest.raises(FatalModelError):
        OpenAIClient("http://127.0.0.1:9/v1", "m", api_key_env="SEEDLESS_TEST_EMPTY_KEY")


def test_set_api_key_env_sends_bearer(monkeypatch):
    monkeypatch.setenv("SEEDLESS_TEST_KEY", "sk-test-123")
    script = Script(ok())
    asyncio.run(run_once(script, api_key_env="SEEDLESS_TEST_KEY"))
    assert script.seen[0]["headers"]["Authorization"] == "Bearer sk-test-123"


def test_no_api_key_env_sends_no_authorization():
    script = Script(ok())
    asyncio.run(run_once(script))
    assert "Authorization" not in script.seen[0]["headers"]


def test_identity_defaults_to_model_and_is_independent_of_url():
    a = OpenAIClient("http://127.0.0.1:1111/v1", "qwen")
    b = OpenAIClient("http://127.0.0.1:2222/v1", "qwen")
    assert a.identity == b.identity == "openai:qwen"
    assert OpenAIClient("http://x/v1", "qwen", identity="custom").identity == "custom"



def test_a_5xx_that_outlasts_the_retries_fails_with_what_the_server_said():
    said = '{"error": {"code": 500, "message": "The model produced output that does not match the format"}}'
    script = Script(*[status(500, said)] * 3)
    with pytest.raises(ModelError) as caught:
        asyncio.run(run_once(script, rec=Recorder(), max_retries=2))
    assert str(caught.value) == "HTTP 500 (gave up after 3 tries): " + said
