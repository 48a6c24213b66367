"""The wire to an OpenAI-compatible server (clients/http_post.py Wire, OpenAIClient): no secret in any message or stored
error, the health check before the first call, a refused connection given up quickly, and real servers' options
(max_completion_tokens, extra headers and headers from the environment, query parameters, extra body fields,
proxies from the environment), each checked against what a loopback server received."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import time
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from openai_stub import Recorder, StubServer
from seedless.core.replies import ChildrenReply
from seedless.engine.llm.bindings import Endpoints
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.clients.base import ChatRequest, FatalModelError, ModelError
from seedless.engine.llm.clients.http_post import serves
from seedless.engine.llm.clients.openai_http import OpenAIClient
from seedless.engine.llm.transport.dispatch import RetryPolicy, send
from seedless.engine.llm.transport.limiter import Limiter
from seedless.core.calls import TAXONOMY_PROPOSE
from seedless.engine.store.calls import Store
from seedless.spec import parse_spec

KEY = "sk-live-0123456789abcdef"
REPLY = ChildrenReply.bounded(max_items=5, max_chars=40)
SCHEMA = REPLY.json_schema()
VARS: dict[str, Any] = {
    "description": "Recipes from home kitchens around the world", "factor": "cuisine",
    "factor_description": "the regional cooking tradition", "node": "Asian", "path": ["cuisine", "Asian"],
    "siblings": ["European"], "plan": "Split by region.", "min_children": 2, "max_children": 5, "max_chars": 40,
    "sample": 0, "proposals": 3,
}


def request(**kw: Any) -> ChatRequest:
    return ChatRequest(**({"messages": (("user", "List colours."),), "temperature": 0.5, "max_tokens": 99,
                           "seed": 3, "json_schema": SCHEMA, "schema_name": "taxonomy_propose"} | kw))


def closed_port() -> int:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def spec_for(endpoint: str) -> Any:
    return parse_spec(f"description: Recipes from home kitchens\nmodels:\n  endpoints:\n    api: {endpoint}\n"
                      "  default: api\n  max_repairs: 0\n")


async def one_call(spec: Any, store: Store):
    endpoints = Endpoints(spec.models)
    caller = Caller(store, endpoints.bindings(), seed=0, max_repairs=0)
    try:
        return await caller.ask(TAXONOMY_PROPOSE, VARS, REPLY)
    finally:
        await endpoints.aclose()


def stored_errors(path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT reason FROM call_errors")]


async def complete(client: OpenAIClient, req: ChatRequest | None = None, policy: RetryPolicy | None = None):
    try:
        return await send(client, Limiter(4), req or request(), "test", policy or RetryPolicy())
    finally:
        await client.aclose()


# ----- secrets ------------------------------------------------------------------------------------------------


def test_an_error_body_echoing_the_bearer_key_leaves_it_out_of_the_failure_and_the_stored_call_errors(
        tmp_path, monkeypatch):
    monkeypatch.setenv("SEEDLESS_TEST_KEY", KEY)
    with StubServer(status=400, echo=True) as server:
        spec = spec_for(f"{{kind: openai, base_url: '{server.url}', model: m, api_key_env: SEEDLESS_TEST_KEY}}")
        store = Store(tmp_path / "s.db")
        result = asyncio.run(one_call(spec, store))
        store.close()
    assert server.seen[0]["headers"]["Authorization"] == f"Bearer {KEY}"  # the server did get (and echo) it
    assert not result.ok
    (reason,) = stored_errors(tmp_path / "s.db")
    assert "HTTP 400" in reason and "***" in reason
    assert KEY not in reason and KEY not in " ".join(result.failures)


def test_url_credentials_travel_as_basic_auth_and_appear_in_no_message_or_stored_error(tmp_path):
    with StubServer(status=401, echo=True) as server:
        url = server.url.replace("http://", "http://alice:url-secret-42@")
        spec = spec_for(f"{{kind: openai, base_url: '{url}', model: m}}")
        store = Store(tmp_path / "s.db")
        with pytest.raises(FatalModelError) as err:
            asyncio.run(one_call(spec, store))
        store.close()
    seen = server.seen[0]
    assert seen["headers"]["Authorization"].startswith("Basic ")
    token = seen["headers"]["Authorization"].split()[1]
    for text in (str(err.value), *stored_errors(tmp_path / "s.db")):
        assert "HTTP 401" in text
        assert "url-secret-42" not in text and token not in text


def test_a_header_read_from_the_environment_is_sent_and_never_shown(monkeypatch):
    monkeypatch.setenv("SEEDLESS_TEST_AZURE", KEY)
    with StubServer(status=403, echo=True) as server:
        client = OpenAIClient(server.url, "m", headers_env={"api-key": "SEEDLESS_TEST_AZURE"})
        with pytest.raises(FatalModelError) as err:
            asyncio.run(complete(client))
    assert server.seen[0]["headers"]["api-key"] == KEY
    assert "Authorization" not in server.seen[0]["headers"]  # the bearer is optional
    assert KEY not in str(err.value) and "***" in str(err.value)


def test_an_unset_header_variable_is_fatal_naming_it(monkeypatch):
    monkeypatch.delenv("SEEDLESS_TEST_UNSET", raising=False)
    with pytest.raises(FatalModelError, match="SEEDLESS_TEST_UNSET"):
        OpenAIClient("http://127.0.0.1:9/v1", "m", headers_env={"api-key": "SEEDLESS_TEST_UNSET"})


def test_a_base_url_that_is_not_http_is_fatal_without_showing_its_credentials():
    with pytest.raises(FatalModelError, match="not an http") as err:
        OpenAIClient("localhost:8000/v1", "m")
    with pytest.raises(FatalModelError) as err:
        OpenAIClient("ftp://bob:pw-secret@host/v1", "m")
    assert "pw-secret" not in str(err.value)


# ----- the health check --------------------------------------------------------------------------------------


def test_nothing_listening_stops_the_first_call_at_once_with_a_clear_message():
    url = f"http://127.0.0.1:{closed_port()}/v1"
    started = time.monotonic()
    with pytest.raises(FatalModelError) as err:
        asyncio.run(complete(OpenAIClient(url, "m", health_check=True)))
    assert str(err.value) == f"{url}: connection refused; is the server running?"
    assert time.monotonic() - started < 5


def test_an_unknown_host_is_fatal_naming_the_host():
    with pytest.raises(FatalModelError, match="cannot resolve the host no-such-host.invalid"):
        asyncio.run(complete(OpenAIClient("http://no-such-host.invalid/v1", "m", health_check=True)))


def test_a_model_the_server_does_not_list_is_refused_before_any_request_naming_what_it_serves():
    with StubServer(listing=["a", "b"]) as server:
        with pytest.raises(FatalModelError) as err:
            asyncio.run(complete(OpenAIClient(server.url, "x", health_check=True)))
    assert str(err.value).startswith(f"model 'x' is not served at {server.url} (it serves: a, b)")
    assert server.requests == 0


def test_concurrent_first_calls_share_one_check_and_a_refusal_is_raised_to_each():
    with StubServer(listing=["m"]) as server:
        async def go(model: str):
            client = OpenAIClient(server.url, model, health_check=True)
            try:
                return await asyncio.gather(*(send(client, Limiter(8), request(seed=i), "t", RetryPolicy())
                                              for i in range(5)), return_exceptions=True)
            finally:
                await client.aclose()

        replies = asyncio.run(go("m"))
        refused = asyncio.run(go("other"))
    assert all(not isinstance(r, Exception) for r in replies)
    assert all(isinstance(r, FatalModelError) for r in refused)
    assert [s["path"] for s in server.seen].count("/v1/models") == 2  # one check per client
    assert server.requests == 5


@asynccontextmanager
async def listing_server(status: int, body: Any = None, owned_by: str = "x"):
    """A server whose GET /v1/models answers `status` (200: `body`, or a listing of `m2` owned by `owned_by`)."""
    chats: list[dict] = []

    async def models(_req: web.Request) -> web.StreamResponse:
        if status == 200:
            return web.json_response(body if body is not None else {"data": [{"id": "m2", "owned_by": owned_by}]})
        return web.Response(status=status, text="nope")

    async def chat(req: web.Request) -> web.StreamResponse:
        chats.append(await req.json())
        return web.json_response({"choices": [{"message": {"content": '{"children": ["a"]}'}}]})

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    if status != 405:
        app.router.add_get("/v1/models", models)
    else:
        app.router.add_post("/v1/models", models)  # the path exists, GET is not allowed: 405
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/v1", chats
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("status, body, owned_by", [
    (404, None, ""), (405, None, ""), (500, None, ""), (200, {"oops": 1}, ""), (200, {"data": []}, ""),
    (200, None, "llamacpp"),  # llama.cpp lists its one model under any name, and serves it whatever the name
])
def test_an_inconclusive_listing_lets_the_calls_go(status, body, owned_by):
    async def go():
        async with listing_server(status, body, owned_by) as (url, chats):
            reply = await complete(OpenAIClient(url, "m", health_check=True))
            return reply, chats

    reply, chats = asyncio.run(go())
    assert reply.text == '{"children": ["a"]}' and len(chats) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_on_the_listing_is_fatal_before_any_call(status):
    async def go():
        async with listing_server(status) as (url, chats):
            with pytest.raises(FatalModelError) as err:
                await complete(OpenAIClient(url, "m", health_check=True))
            return err.value, chats

    exc, chats = asyncio.run(go())
    assert f"HTTP {status}" in str(exc) and "health_check: false" in str(exc)
    assert chats == []


def test_health_check_false_sends_no_listing_request():
    with StubServer(listing=["a"]) as server:
        asyncio.run(complete(OpenAIClient(server.url, "x", health_check=False)))
    assert [s["path"] for s in server.seen] == ["/v1/chat/completions"]


def test_ollama_default_tags_and_openrouter_variants_count_as_served():
    assert serves(["llama3:latest"], "llama3")
    assert serves(["meta-llama/llama-3-8b-instruct"], "meta-llama/llama-3-8b-instruct:nitro")
    assert not serves(["llama3:latest"], "llama3:70b")
    assert not serves(["gpt-4o"], "gpt-4")


def test_a_refused_connection_during_a_run_gives_up_after_two_quick_retries_not_the_transport_budget():
    rec = Recorder()
    client = OpenAIClient(f"http://127.0.0.1:{closed_port()}/v1", "m")
    with pytest.raises(ModelError) as err:
        asyncio.run(complete(client, policy=RetryPolicy(6, 30, sleep=rec.sleep, on_retry=rec.on_retry)))
    assert "connection refused" in str(err.value) and "gave up after 3 tries" in str(err.value)
    assert len(rec.delays) == 2 and sum(rec.delays) <= 1.5


# ----- real servers' options ---------------------------------------------------------------------------------


def test_max_completion_tokens_replaces_max_tokens_in_the_body():
    with StubServer() as server:
        asyncio.run(complete(OpenAIClient(server.url, "o3-mini", max_tokens_field="max_completion_tokens")))
    body = server.seen[0]["body"]
    assert body["max_completion_tokens"] == 99 and "max_tokens" not in body


def test_extra_body_is_merged_into_every_request_and_never_overrides_what_seedless_writes():
    extra = {"chat_template_kwargs": {"enable_thinking": False}, "top_k": 20, "model": "evil", "messages": []}
    with StubServer() as server:
        asyncio.run(complete(OpenAIClient(server.url, "m", extra_body=extra)))
    body = server.seen[0]["body"]
    assert body["chat_template_kwargs"] == {"enable_thinking": False} and body["top_k"] == 20
    assert body["model"] == "m" and body["messages"] == [{"role": "user", "content": "List colours."}]


def test_extra_headers_and_query_parameters_reach_every_url_including_the_check():
    with StubServer(listing=["gpt-4o"]) as server:
        client = OpenAIClient(server.url + "?api-version=2024-10-21", "gpt-4o", health_check=True,
                              headers={"HTTP-Referer": "https://example.org", "X-Title": "seedless"},
                              query={"tenant": "t1"})
        asyncio.run(complete(client))
    assert [s["path"] for s in server.seen] == ["/v1/models", "/v1/chat/completions"]
    for seen in server.seen:
        assert seen["query"] == {"api-version": "2024-10-21", "tenant": "t1"}
        assert seen["headers"]["HTTP-Referer"] == "https://example.org" and seen["headers"]["X-Title"] == "seedless"


def test_requests_go_through_the_proxy_named_by_http_proxy(monkeypatch):
    """A host that does not resolve is reached only through the proxy: the session trusts the environment."""
    with StubServer(listing=["m"]) as proxy:
        for name in ("NO_PROXY", "no_proxy", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        client = OpenAIClient("http://api.seedless-test.invalid/v1", "m", health_check=True)
        reply = asyncio.run(complete(client))
    assert reply.text
    assert [s["headers"]["Host"] for s in proxy.seen] == ["api.seedless-test.invalid"] * 2


# ----- the embeddings client shares the wire -----------------------------------------------------------------


def test_the_embeddings_client_sends_the_wire_options_redacts_and_gives_up_quickly_when_refused(monkeypatch):
    from seedless.engine.llm.embedders.openai_embeddings import OpenAIEmbedder

    monkeypatch.setenv("SEEDLESS_TEST_KEY", KEY)
    with StubServer() as server:
        embedder = OpenAIEmbedder(server.url, "e", api_key_env="SEEDLESS_TEST_KEY", headers={"X-Title": "s"},
                                  query={"api-version": "1"})
        assert embedder.embed(["a", "bb"]).shape == (2, 2)
    (seen,) = server.seen
    assert seen["path"] == "/v1/embeddings" and seen["query"] == {"api-version": "1"}
    assert seen["headers"]["X-Title"] == "s" and seen["headers"]["Authorization"] == f"Bearer {KEY}"

    with StubServer(status=400, echo=True) as server:
        with pytest.raises(ModelError) as err:
            OpenAIEmbedder(server.url, "e", api_key_env="SEEDLESS_TEST_KEY").embed(["a"])
    assert "HTTP 400" in str(err.value) and KEY not in str(err.value)

    rec = Recorder()
    refused = OpenAIEmbedder(f"http://127.0.0.1:{closed_port()}/v1", "e", max_retries=6, sleep=rec.sleep)
    with pytest.raises(ModelError, match="connection refused"):
        refused.embed(["a"])
    assert len(rec.delays) == 2


def test_a_loopback_server_is_never_sent_through_the_proxy(monkeypatch):
    """The embedded model and a local vLLM listen on loopback, which no proxy can reach."""
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    with StubServer() as server:
        for url in (server.url, server.url.replace("127.0.0.1", "localhost")):
            assert asyncio.run(complete(OpenAIClient(url, "m"))).text
    assert len(server.seen) == 2
