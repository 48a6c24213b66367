"""Contracts of batch mode (engine/llm/transport/batch.py over OpenAI's and Anthropic's batch protocols), against the
batch stub: concurrent calls go out as one wave whose custom ids are their bodies' hashes, answered exactly like the
online client; a full window submits at once, a large wave is split; a request's error and a cut reply are retried
in a later wave; a restarted client attaches to the batch on record and submits nothing; a batch the provider no
longer knows is sent again; a failed batch fails its calls with the provider's errors."""

from __future__ import annotations

import asyncio
import time

import pytest
from batch_stub import BatchStub

from seedless.engine.events import Notice
from seedless.engine.llm.caller import Binding, Caller
from seedless.engine.llm.clients.anthropic import AnthropicClient
from seedless.engine.llm.clients.anthropic_batch import AnthropicBatches
from seedless.engine.llm.clients.base import ChatRequest, ModelError
from seedless.engine.llm.clients.batch_api import custom_id
from seedless.engine.llm.clients.openai_batch import OpenAIBatches
from seedless.engine.llm.clients.openai_http import OpenAIClient
from seedless.engine.llm.transport.batch import BatchClient
from seedless.engine.llm.transport.dispatch import RetryPolicy, send
from seedless.engine.llm.transport.limiter import Limiter
from seedless.engine.store.batches import BatchLedger
from seedless.engine.store.calls import Store
from seedless.spec.endpoints import AnthropicEndpoint, BatchSettings
from seedless.spec.models import Role

SCHEMA = {"type": "object", "properties": {"answer": {"type": "string", "maxLength": 40}}, "required": ["answer"]}
FAST = BatchSettings(poll_s=0.01, collect_s=0.05)


async def no_wait(_: float) -> None:
    await asyncio.sleep(0)


POLICY = RetryPolicy(sleep=no_wait)


def request(i: int, site: str = "site", max_tokens: int = 50) -> ChatRequest:
    return ChatRequest((("system", "Reply with JSON."), ("user", f"question {i}")), 0.5, max_tokens, i, SCHEMA, site)


def openai(stub: BatchStub, ledger: BatchLedger | None = None, settings: BatchSettings = FAST, events=None,
           concurrency: int = 64) -> BatchClient:
    api = OpenAIBatches(OpenAIClient(stub.url, "stub", max_concurrency=concurrency))
    return BatchClient(api, ledger or BatchLedger.in_memory(), settings, POLICY, events or (lambda e: None))


async def ask_all(client: BatchClient, requests: list[ChatRequest]):
    try:
        return await asyncio.gather(*(send(client, Limiter(client.max_concurrency), r, "site", POLICY)
                                      for r in requests))
    finally:
        await client.aclose()


def test_concurrent_calls_go_out_as_one_wave_named_by_their_bodies_and_answered_like_online():
    events: list[Notice] = []
    with BatchStub() as stub:
        client = openai(stub, events=events.append)
        requests = [request(i) for i in range(5)]
        replies = asyncio.run(ask_all(client, requests))
        online = OpenAIClient(stub.url, "stub")
        expected = [stub.reply_text(online.body(r)) for r in requests]
        assert len(stub.submissions) == 1 and stub.problems == []
        batch = stub.submissions[0]
        assert batch.custom_ids == [custom_id(online.body(r)) for r in requests]
        assert [batch.bodies[c] for c in batch.custom_ids] == [online.body(r) for r in requests]
        assert stub.uploads == [{"purpose": "batch", "filename": "seedless-batch.jsonl", "bytes": stub.uploads[0]["bytes"]}]
    assert [r.text for r in replies] == expected and all(r.finish_reason == "stop" for r in replies)
    told = [e.message for e in events]
    assert told[0] == "batch batch_1: 5 requests submitted to openai:stub, waiting"
    assert any("waiting (in_progress" in m for m in told) and told[-1].startswith("batch batch_1: completed, 5 of 5")


def test_a_full_window_submits_at_once_without_waiting_for_the_collection_delay():
    with BatchStub() as stub:
        client = openai(stub, settings=BatchSettings(poll_s=0.01, collect_s=30), concurrency=3)
        started = time.monotonic()
        asyncio.run(ask_all(client, [request(i) for i in range(3)]))
        assert time.monotonic() - started < 5
        assert [len(s.custom_ids) for s in stub.submissions] == [3]


def test_a_wave_larger_than_max_requests_is_split_into_batches():
    with BatchStub() as stub:
        asyncio.run(ask_all(openai(stub, settings=BatchSettings(poll_s=0.01, collect_s=0.05, max_requests=2)),
                            [request(i) for i in range(5)]))
        assert sorted(len(s.custom_ids) for s in stub.submissions) == [1, 2, 2]


def test_identical_concurrent_requests_share_one_line_of_the_batch():
    with BatchStub() as stub:
        replies = asyncio.run(ask_all(openai(stub), [request(1), request(1), request(2)]))
        assert [len(s.custom_ids) for s in stub.submissions] == [2]
    assert replies[0] == replies[1]


def test_a_request_that_fails_in_its_batch_is_retried_in_a_later_wave():
    with BatchStub(fail_first={"flaky"}) as stub:
        replies = asyncio.run(ask_all(openai(stub), [request(1), request(2, "flaky")]))
        flaky = custom_id(OpenAIClient(stub.url, "stub").body(request(2, "flaky")))
        assert [s.custom_ids for s in stub.submissions][1:] == [[flaky]]
        assert flaky in stub.submissions[0].custom_ids
    assert all(r.finish_reason == "stop" for r in replies)


def test_a_reply_cut_at_max_tokens_is_retried_by_the_caller_with_more_tokens_in_a_later_wave(tmp_path):
    from seedless.core.calls import CRITIC_REQUIREMENTS
    with BatchStub(cut_first={CRITIC_REQUIREMENTS.name}) as stub:
        store = Store(tmp_path / "s.db")
        client = openai(stub, BatchLedger(store.db, store.invocation))
        binding = Binding(Role.critic, client, Limiter(8), 0.2, 100, POLICY)
        caller = Caller(store, {Role.critic: binding}, seed=0, max_repairs=1)

        async def go():
            try:
                return await caller.ask(CRITIC_REQUIREMENTS, {"requirements": [("Topic", "Topic > Sums")],
                                                              "datapoint": "{}", "description": "d", "format": "f",
                                                              "meta_prompt": "m"})
            finally:
                await client.aclose()

        result = asyncio.run(go())
        assert len(stub.submissions) == 2
        first, second = (s.bodies[s.custom_ids[0]] for s in stub.submissions)
        assert (first["max_tokens"], second["max_tokens"]) == (100, 150)
    assert result.ok and result.failures == ["attempt 1: truncated at max_tokens=100"]
    assert [s.state for s in BatchLedger(store.db).batches()] == ["collected", "collected"]


def test_a_restarted_client_attaches_to_the_batch_on_record_and_submits_nothing(tmp_path):
    db = tmp_path / "s.db"
    with BatchStub(held={1}) as stub:
        async def killed():
            client = openai(stub, BatchLedger(Store(db).db))
            task = asyncio.ensure_future(ask_all(client, [request(i) for i in range(3)]))
            while not (stub.submissions and stub.submissions[0].polls >= 2):
                await asyncio.sleep(0.01)
            task.cancel()  # the process dies with the batch in progress
            await asyncio.gather(task, return_exceptions=True)

        asyncio.run(killed())
        stub.release()
        events: list[Notice] = []
        store = Store(db)
        ledger = BatchLedger(store.db)
        assert [(b.id, b.state, b.waiting) for b in ledger.batches()] == [("batch_1", "submitted", 3)]
        replies = asyncio.run(ask_all(openai(stub, ledger, events=events.append), [request(i) for i in range(3)]))
        assert len(stub.submissions) == 1  # nothing sent again
        assert events[0].message == ("batch batch_1: attached to the batch submitted earlier (3 requests waiting), "
                                     "not sent again")
        assert [r.text for r in replies] == [stub.reply_text(OpenAIClient(stub.url, "stub").body(request(i)))
                                             for i in range(3)]
    assert [(b.state, b.waiting) for b in ledger.batches()] == [("collected", 0)]


def test_a_batch_the_provider_no_longer_knows_is_dropped_and_its_requests_sent_again(tmp_path):
    with BatchStub() as stub:
        ledger = BatchLedger.in_memory()
        client = openai(stub, ledger)
        ledger.submitted("batch_gone", client.key, [custom_id(OpenAIClient(stub.url, "stub").body(request(1)))])
        replies = asyncio.run(ask_all(client, [request(1)]))
        assert [s.id for s in stub.submissions] == ["batch_1"]
    assert replies[0].finish_reason == "stop"
    assert {b.id: b.state for b in ledger.batches()} == {"batch_gone": "lost", "batch_1": "collected"}


class BadLines(OpenAIBatches):
    """Writes each line with the wrong url: the provider validates the file and fails the whole batch."""

    def entry(self, cid, body):
        return super().entry(cid, body) | {"url": "/v1/completions"}


def test_a_failed_batch_fails_its_calls_with_the_providers_errors():
    with BatchStub() as stub:
        client = BatchClient(BadLines(OpenAIClient(stub.url, "stub")), BatchLedger.in_memory(), FAST, POLICY)
        with pytest.raises(ModelError, match=r"batch batch_1 failed: invalid_request: line 1: method POST and url "):
            asyncio.run(ask_all(client, [request(1)]))
        assert stub.problems == ["line 1: method POST and url /v1/chat/completions expected"]


def test_anthropic_requests_go_as_one_message_batch_answered_like_the_online_client(monkeypatch):
    monkeypatch.setenv("STUB_KEY", "sk-ant-secret")
    with BatchStub(fail_first={"flaky"}) as stub:
        settings = AnthropicEndpoint(model="claude-stub", base_url=stub.url, api_key_env="STUB_KEY", mode="batch")
        online = AnthropicClient(settings)
        client = BatchClient(AnthropicBatches(online), BatchLedger.in_memory(), FAST, POLICY)
        requests = [request(1), request(2), request(3, "flaky")]
        replies = asyncio.run(ask_all(client, requests))
        assert stub.problems == [] and [len(s.custom_ids) for s in stub.submissions] == [3, 1]
        first = stub.submissions[0]
        params = first.bodies[first.custom_ids[0]]
        assert params["system"] == "Reply with JSON." and params["messages"] == [{"role": "user", "content": "question 1"}]
        assert params["tool_choice"] == {"type": "tool", "name": "site"} and "seed" not in params
        headers = next(s["headers"] for s in stub.seen if s["path"] == "/v1/messages/batches")
        assert headers["x-api-key"] == "sk-ant-secret" and headers["anthropic-version"] == "2023-06-01"
    assert [r.text for r in replies] == [stub.reply_text(online.body(r), anthropic=True) for r in requests]


def test_an_endpoint_in_batch_mode_is_bound_to_a_batch_client_with_a_fixed_window_and_the_online_fingerprints():
    from seedless.engine.llm.bindings import Endpoints
    from seedless.spec import parse_spec
    head = ("description: Recipes from home kitchens\nmodels:\n  default: api\n  endpoints:\n    api: {kind: openai, "
            "base_url: 'http://127.0.0.1:9/v1', model: m, max_concurrency: 500")
    batched = Endpoints(parse_spec(head + ", mode: batch}\n").models).bindings()[Role.critic]
    online = Endpoints(parse_spec(head + "}\n").models).bindings()[Role.critic]
    assert isinstance(batched.client, BatchClient) and batched.limiter.controller is None
    assert batched.limiter.limit == batched.client.max_concurrency == 500
    assert online.limiter.controller is not None
    assert (batched.client.identity, batched.variant, batched.max_tokens) == (
        online.client.identity, online.variant, online.max_tokens)
