"""Caller.ask: render, fingerprint, reuse, send, validate, repair, retry on truncation, record."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from seedless.core.replies import ChildrenReply
from seedless.engine.llm.caller import MAX_TOKENS_GROWTH, Binding, Caller, fingerprint
from seedless.engine.llm.clients.base import ChatReply, ChatRequest, FatalModelError, ModelError
from seedless.engine.llm.clients.fake import FakeClient
from seedless.engine.events import CallDone, CallStarted
from seedless.engine.llm.transport.limiter import Limiter
from seedless.core.calls import TAXONOMY_PROPOSE
from seedless.engine.llm.prompts import render
from seedless.engine.store.calls import Store
from seedless.spec.models import ROLE_DEFAULTS, Role

ROLE = Role.taxonomy_proposer
PROMPT = TAXONOMY_PROPOSE
REPLY = ChildrenReply.bounded(max_items=5, max_chars=40)
SCHEMA = REPLY.json_schema()
TEMPERATURE, MAX_TOKENS = ROLE_DEFAULTS[ROLE]  # 0.9, 400
VARS: dict[str, Any] = {
    "description": "Recipes from home kitchens around the world",
    "factor": "cuisine",
    "factor_description": "the regional cooking tradition",
    "node": "Asian",
    "path": ["cuisine", "Asian"],
    "siblings": ["European", "African"],
    "plan": "Split by broad region.",
    "min_children": 2,
    "max_children": 5,
    "max_chars": 40,
    "sample": 0,
    "proposals": 3,
}
GOOD = '{"children": ["East Asian", "South Asian", "Southeast Asian"]}'
GOOD2 = '{"children": ["Chinese", "Japanese"]}'


def scripted(*replies: str | ChatReply | Exception) -> Callable[[ChatRequest], Any]:
    """A responder that answers in order; the last answer repeats. Exceptions are raised."""
    queue = list(replies)

    def respond(_request: ChatRequest) -> str | ChatReply:
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        return item

    return respond


class Harness:
    def __init__(self, store: Store, responder=None, *, model: str = "m", temperature: float = TEMPERATURE,
                 max_tokens: int = MAX_TOKENS, seed: int = 7, max_repairs: int = 2):
        self.client = FakeClient(model, responder=responder)
        self.events: list[Any] = []
        self.limiter = Limiter(4)
        binding = Binding(ROLE, self.client, self.limiter, temperature, max_tokens)
        self.caller = Caller(store, {ROLE: binding}, seed=seed, max_repairs=max_repairs, events=self.events.append)

    def call(self, variables: dict[str, Any] | None = None, *, sample: int = 0, reply=REPLY):
        return asyncio.run(self.caller.ask(PROMPT, variables or VARS, reply, sample=sample))


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "calls.sqlite")
    yield s
    s.close()


# ----- one call ----------------------------------------------------------------------------------------------


def test_valid_first_reply_sends_one_request(store):
    h = Harness(store, scripted(GOOD))
    result = h.call()
    assert result.ok
    assert isinstance(result.value, ChildrenReply)
    assert result.value.children == ["East Asian", "South Asian", "Southeast Asian"]
    assert result.failures == []
    assert len(h.client.requests) == 1
    assert h.caller.sent == 1 and h.caller.reused == 0
    assert store.call_count() == 1


def test_request_carries_rendered_messages_binding_and_schema(store):
    h = Harness(store, scripted(GOOD))
    h.call()
    (req,) = h.client.requests
    assert req.messages == render(PROMPT, VARS)
    roles = [role for role, _ in req.messages]
    assert roles[0] == "system" and roles[-1] == "user"  # a worked example may sit between them
    assert '"Asian"' in req.messages[-1][1]
    assert "European, African" in req.messages[-1][1]
    assert req.temperature == TEMPERATURE
    assert req.max_tokens == MAX_TOKENS
    assert req.json_schema == SCHEMA
    assert req.schema_name == "taxonomy_propose"


def test_seed_depends_on_caller_seed_sample_and_attempt(store):
    h = Harness(store, scripted("not json", GOOD), seed=7)
    h.call(sample=0)
    h.call(sample=1)
    seeds = [r.seed for r in h.client.requests]
    # sample 0: attempt 0 (invalid), attempt 1 (repair, valid); sample 1: attempt 0 (valid)
    assert len(h.client.requests) == 3
    assert seeds[1] == seeds[0] + 1
    assert seeds[2] == seeds[0] + 7_919
    assert seeds[0] == (7 * 1_000_003) % (2**31)


def test_invalid_then_valid_sends_a_repair_message(store):
    h = Harness(store, scripted("not json", GOOD))
    result = h.call()
    assert result.ok
    assert result.value is not None and result.value.children[0] == "East Asian"
    assert len(h.client.requests) == 2
    first, second = h.client.requests
    base = render(PROMPT, VARS)
    assert first.messages == base
    assert second.messages[: len(base)] == base
    assert len(second.messages) == len(base) + 2
    assert second.messages[-2] == ("assistant", "not json")
    role, content = second.messages[-1]
    assert role == "user"
    assert "no JSON value found in the reply" in content
    assert json.dumps(SCHEMA, separators=(",", ":")) in content
    assert result.failures == ["attempt 1: no JSON value found in the reply"]


def test_repair_message_names_the_invalid_field(store):
    h = Harness(store, scripted('{"children": [1, 2]}', GOOD))
    result = h.call()
    assert result.ok
    repair = h.client.requests[1].messages[-1][1]
    assert "children.0" in repair
    assert len(result.failures) == 1 and result.failures[0].startswith("attempt 1: children.0:")


def test_always_invalid_gives_up_after_max_repairs(store):
    h = Harness(store, scripted("still not json"), max_repairs=2)
    result = h.call()
    assert result.value is None
    assert not result.ok
    assert len(h.client.requests) == 3
    assert result.failures == [f"attempt {i}: no JSON value found in the reply" for i in (1, 2, 3)]
    assert store.call_count() == 3


@pytest.mark.parametrize("max_repairs", [0, 1, 4])
def test_number_of_attempts_is_one_plus_max_repairs(store, max_repairs):
    h = Harness(store, scripted('{"wrong": true}'), max_repairs=max_repairs)
    result = h.call()
    assert result.value is None
    assert len(h.client.requests) == 1 + max_repairs
    assert len(result.failures) == 1 + max_repairs
    assert all("children: Field required" in f for f in result.failures)


def test_repair_messages_do_not_accumulate(store):
    h = Harness(store, scripted("bad one", "bad two", GOOD), max_repairs=2)
    result = h.call()
    assert result.ok
    base = render(PROMPT, VARS)
    third = h.client.requests[2]
    assert len(third.messages) == len(base) + 2
    assert third.messages[-2] == ("assistant", "bad two")


def test_truncated_reply_is_retried_with_more_tokens_and_same_messages(store):
    truncated = ChatReply('{"children": ["East', "length", 50, 400, 0.1)
    h = Harness(store, scripted(truncated, GOOD))
    result = h.call()
    assert result.ok
    assert len(h.client.requests) == 2
    first, second = h.client.requests
    assert first.max_tokens == MAX_TOKENS
    assert second.max_tokens == int(MAX_TOKENS * 1.5)
    assert second.messages == first.messages == render(PROMPT, VARS)
    assert result.failures == [f"attempt 1: truncated at max_tokens={MAX_TOKENS}"]


def test_truncation_growth_is_capped(store):
    truncated = ChatReply("{", "length", 1, 1, 0.0)
    h = Harness(store, scripted(truncated), max_tokens=100, max_repairs=5)
    result = h.call()
    assert result.value is None
    assert [r.max_tokens for r in h.client.requests] == [100, 150, 225, 337, 400, 400]
    assert MAX_TOKENS_GROWTH == 4
    assert all(r.messages == render(PROMPT, VARS) for r in h.client.requests)


def test_truncated_but_parseable_reply_is_not_accepted(store):
    truncated = ChatReply(GOOD, "length", 1, 1, 0.0)
    h = Harness(store, scripted(truncated, GOOD2))
    result = h.call()
    assert result.value is not None and result.value.children == ["Chinese", "Japanese"]
    assert len(h.client.requests) == 2


# ----- reuse and invalidation --------------------------------------------------------------------------------


def test_second_caller_reuses_stored_reply(store):
    first = Harness(store, scripted(GOOD))
    r1 = first.call()
    second = Harness(store, scripted(GOOD2))  # would answer differently if asked
    r2 = second.call()
    assert second.client.requests == []
    assert r2.value == r1.value
    assert r2.value is not None and r2.value.children == ["East Asian", "South Asian", "Southeast Asian"]
    assert second.caller.reused == 1 and second.caller.sent == 0
    assert store.call_count() == 1


def test_reuse_survives_reopening_the_store(tmp_path):
    path = tmp_path / "calls.sqlite"
    s1 = Store(path)
    Harness(s1, scripted(GOOD)).call()
    s1.close()
    s2 = Store(path)
    try:
        h = Harness(s2, scripted(GOOD2))
        result = h.call()
        assert h.client.requests == []
        assert result.value is not None and result.value.children[0] == "East Asian"
    finally:
        s2.close()


def test_reuse_replays_repair_sequence(store):
    first = Harness(store, scripted("not json", GOOD))
    r1 = first.call()
    second = Harness(store, scripted(GOOD2))
    r2 = second.call()
    assert second.client.requests == []
    assert second.caller.reused == 2
    assert r2.value == r1.value
    assert r2.failures == r1.failures == ["attempt 1: no JSON value found in the reply"]


@pytest.mark.parametrize("change", [
    "variable", "temperature", "model", "sample", "max_tokens", "seed", "schema",
])
def test_changed_inputs_invalidate_reuse(store, change):
    Harness(store, scripted(GOOD)).call()
    kwargs: dict[str, Any] = {}
    variables, sample, reply = dict(VARS), 0, REPLY
    if change == "variable":
        variables["node"] = "Asian food"
    elif change == "temperature":
        kwargs["temperature"] = 0.5
    elif change == "model":
        kwargs["model"] = "another-model"
    elif change == "sample":
        sample = 1
    elif change == "max_tokens":
        kwargs["max_tokens"] = 500
    elif change == "seed":
        kwargs["seed"] = 8
    elif change == "schema":
        reply = ChildrenReply.bounded(max_items=6, max_chars=40)
    h = Harness(store, scripted(GOOD2), **kwargs)
    result = h.call(variables, sample=sample, reply=reply)
    assert len(h.client.requests) == 1
    assert h.caller.reused == 0 and h.caller.sent == 1
    assert result.value is not None and result.value.children == ["Chinese", "Japanese"]
    assert store.call_count() == 2


def test_same_inputs_in_one_caller_are_reused(store):
    h = Harness(store, scripted(GOOD))
    h.call()
    h.call()
    assert len(h.client.requests) == 1
    assert h.caller.sent == 1 and h.caller.reused == 1


# ----- errors ------------------------------------------------------------------------------------------------


def test_model_error_is_recorded_and_returned_as_failure(store):
    h = Harness(store, scripted(ModelError("HTTP 400: bad request")))
    result = h.call()
    assert result.value is None
    assert result.failures == ["call failed: HTTP 400: bad request"]
    assert len(h.client.requests) == 1  # no repair after a call error
    assert store.call_count() == 0
    con = sqlite3.connect(store.path)
    try:
        rows = con.execute("SELECT fingerprint, role, prompt, model, reason, invocation FROM call_errors").fetchall()
    finally:
        con.close()
    assert len(rows) == 1
    fp, role, prompt, model, reason, invocation = rows[0]
    expected_fp = fingerprint(ROLE.value, PROMPT.name, "fake:m", h.client.requests[0])
    assert fp == expected_fp
    assert (role, prompt, model, reason, invocation) == (
        "taxonomy_proposer", "taxonomy_propose", "fake:m", "HTTP 400: bad request", store.invocation)
    assert h.events == [CallStarted("taxonomy_proposer", "taxonomy_propose"), CallDone("taxonomy_proposer", "taxonomy_propose", False, "error")]


def test_model_error_after_invalid_reply_keeps_earlier_failure(store):
    h = Harness(store, scripted("nope", ModelError("gave up after 7 tries")))
    result = h.call()
    assert result.value is None
    assert result.failures == ["attempt 1: no JSON value found in the reply",
                               "call failed: gave up after 7 tries"]
    assert len(h.client.requests) == 2


def test_failed_call_is_not_reused_but_sent_again(store):
    Harness(store, scripted(ModelError("boom"))).call()
    h = Harness(store, scripted(GOOD))
    result = h.call()
    assert len(h.client.requests) == 1
    assert result.ok


def test_fatal_model_error_propagates(store):
    h = Harness(store, scripted(FatalModelError("http://x/chat/completions answered HTTP 401: bad key")))
    with pytest.raises(FatalModelError, match="HTTP 401"):
        h.call()
    assert len(h.client.requests) == 1
    # still recorded before stopping
    con = sqlite3.connect(store.path)
    try:
        reasons = [r[0] for r in con.execute("SELECT reason FROM call_errors").fetchall()]
    finally:
        con.close()
    assert reasons == ["http://x/chat/completions answered HTTP 401: bad key"]
    assert h.events == [CallStarted("taxonomy_proposer", "taxonomy_propose"), CallDone("taxonomy_proposer", "taxonomy_propose", False, "error")]


# ----- fingerprint -------------------------------------------------------------------------------------------


def _req(**kw: Any) -> ChatRequest:
    base: dict[str, Any] = dict(messages=(("system", "s"), ("user", "u")), temperature=0.9, max_tokens=400,
                                seed=11, json_schema=SCHEMA, schema_name="taxonomy_propose")
    base.update(kw)
    return ChatRequest(**base)


def test_fingerprint_is_stable_for_equal_inputs():
    a = fingerprint("taxonomy_proposer", "taxonomy_propose", "fake:m", _req())
    b = fingerprint("taxonomy_proposer", "taxonomy_propose", "fake:m",
                    _req(json_schema=json.loads(json.dumps(SCHEMA))))
    assert a == b
    assert len(a) == 64 and all(c in "0123456789abcdef" for c in a)


def test_fingerprint_material_is_exactly_the_call_inputs():
    # guards against accidental changes to the fingerprint material (which would drop every stored call)
    fp1 = fingerprint("r", "p", "m", ChatRequest((("user", "u"),), 0.5, 10, 1, None))
    fp2 = fingerprint("r", "p", "m", ChatRequest((("user", "u"),), 0.5, 10, 1, None))
    assert fp1 == fp2
    material = {"role": "r", "prompt": "p", "model": "m", "messages": [["user", "u"]], "temperature": 0.5,
                "max_tokens": 10, "seed": 1, "schema": None}
    assert fp1 == hashlib.sha256(json.dumps(material, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@pytest.mark.parametrize("what,other", [
    ("messages", dict(req=_req(messages=(("system", "s"), ("user", "u!"))))),
    ("message role", dict(req=_req(messages=(("system", "s"), ("assistant", "u"))))),
    ("seed", dict(req=_req(seed=12))),
    ("max_tokens", dict(req=_req(max_tokens=600))),
    ("temperature", dict(req=_req(temperature=0.2))),
    ("schema", dict(req=_req(json_schema=ChildrenReply.bounded(max_items=6, max_chars=40).json_schema()))),
    ("no schema", dict(req=_req(json_schema=None))),
    ("model", dict(model="fake:other")),
    ("role", dict(role="taxonomy_critic")),
    ("prompt", dict(prompt="taxonomy_critic")),
])
def test_fingerprint_differs_when_an_input_differs(what, other):
    reference = fingerprint("taxonomy_proposer", "taxonomy_propose", "fake:m", _req())
    changed = fingerprint(other.get("role", "taxonomy_proposer"), other.get("prompt", "taxonomy_propose"),
                          other.get("model", "fake:m"), other.get("req", _req()))
    assert changed != reference, what


def test_fingerprint_ignores_schema_name():
    # the schema name is derived from the prompt, which is already part of the fingerprint
    a = fingerprint("r", "p", "m", _req(schema_name="a"))
    b = fingerprint("r", "p", "m", _req(schema_name="b"))
    assert a == b


def test_stored_call_is_under_the_request_fingerprint(store):
    h = Harness(store, scripted(GOOD))
    h.call()
    (req,) = h.client.requests
    fp = fingerprint(ROLE.value, PROMPT.name, "fake:m", req)
    stored = store.get(fp)
    assert stored is not None
    assert stored.reply.text == GOOD
    assert stored.outcome == "ok"


def test_stored_outcomes_are_recorded_per_attempt(store):
    truncated = ChatReply("{", "length", 1, 1, 0.0)
    h = Harness(store, scripted("junk", truncated, GOOD), max_repairs=2)
    assert h.call().ok
    outcomes = [store.get(fingerprint(ROLE.value, PROMPT.name, "fake:m", r)).outcome for r in h.client.requests]
    assert outcomes == ["invalid", "length", "ok"]


# ----- events ------------------------------------------------------------------------------------------------


def test_events_report_sent_then_reused(store):
    reply = ChatReply(GOOD, "stop", 120, 30, 0.2)
    first = Harness(store, scripted(reply))
    first.call()
    second = Harness(store, scripted(GOOD2))
    second.call()
    assert first.events == [CallStarted("taxonomy_proposer", "taxonomy_propose"), CallDone("taxonomy_proposer", "taxonomy_propose", False, "ok", 120, 30)]
    # a reused call never starts a request
    assert second.events == [CallDone("taxonomy_proposer", "taxonomy_propose", True, "ok", 120, 30)]


def test_events_one_per_attempt_with_outcome(store):
    truncated = ChatReply("{", "length", 3, 4, 0.0)
    h = Harness(store, scripted("junk", truncated, GOOD))
    h.call()
    done = [e for e in h.events if isinstance(e, CallDone)]
    assert [type(e) for e in h.events] == [CallStarted, CallDone] * 3  # each sent call: started, then done
    assert [(e.reused, e.outcome) for e in done] == [(False, "invalid"), (False, "length"), (False, "ok")]
    assert done[1].prompt_tokens == 3 and done[1].completion_tokens == 4


# ----- limiter -----------------------------------------------------------------------------------------------


def test_limiter_bounds_requests_in_flight(store):
    peak = {"now": 0, "max": 0}

    class SlowClient(FakeClient):
        async def complete(self, request: ChatRequest) -> ChatReply:
            peak["now"] += 1
            peak["max"] = max(peak["max"], peak["now"])
            await asyncio.sleep(0.01)
            peak["now"] -= 1
            return await super().complete(request)

    async def go():
        client = SlowClient("m", responder=scripted(GOOD))
        limiter = Limiter(2)
        caller = Caller(store, {ROLE: Binding(ROLE, client, limiter, TEMPERATURE, MAX_TOKENS)}, seed=1,
                        max_repairs=0)
        results = await asyncio.gather(*(caller.ask(PROMPT, VARS | {"sample": i}, REPLY, sample=i)
                                         for i in range(6)))
        return results, caller, limiter

    results, caller, limiter = asyncio.run(go())
    assert all(r.ok for r in results)
    assert peak["max"] == 2
    assert caller.sent == 6
    assert limiter.in_flight == 0 and caller.in_flight() == 0


def test_extra_body_is_part_of_the_fingerprint_but_not_of_the_model_identity(tmp_path):
    from openai_stub import StubServer
    from seedless.engine.llm.bindings import Endpoints
    from seedless.spec import parse_spec

    def spec(url: str, extra: str) -> Any:
        return parse_spec(f"description: Recipes from home kitchens\nmodels:\n  endpoints:\n    api: {{kind: openai, "
                          f"base_url: '{url}', model: m{extra}}}\n  default: api\n  max_repairs: 0\n")

    async def call(s: Any, store: Store) -> tuple[str, int]:
        endpoints = Endpoints(s.models)
        caller = Caller(store, endpoints.bindings(), seed=0, max_repairs=0)
        try:
            result = await caller.ask(PROMPT, VARS, REPLY)
        finally:
            await endpoints.aclose()
        assert result.ok
        return endpoints.bindings()[ROLE].client.identity, caller.sent

    store = Store(tmp_path / "s.db")
    with StubServer() as server:
        plain = asyncio.run(call(spec(server.url, ""), store))
        again = asyncio.run(call(spec(server.url, ""), store))
        top_k = asyncio.run(call(spec(server.url, ", extra_body: {top_k: 5}"), store))
        top_k_again = asyncio.run(call(spec(server.url, ", extra_body: {top_k: 5}"), store))
    store.close()
    assert plain == top_k == ("openai:m", 1)  # same identity; a changed extra_body is sent anew
    assert again == top_k_again == ("openai:m", 0)  # the same one is reused from the store
    assert server.seen[-1]["body"]["top_k"] == 5 and server.requests == 2


@pytest.mark.parametrize("max_tokens,cap", [(160, 400), (300, 400), (1200, 1600), (1201, 1601)])
def test_a_reply_text_cap_grows_with_the_role_token_budget_above_its_default_and_never_shrinks(tmp_path, max_tokens,
                                                                                                 cap):
    assert ROLE_DEFAULTS[Role.judge][1] == 300
    binding = Binding(Role.judge, FakeClient(), Limiter(1), 0.0, max_tokens)
    caller = Caller(Store(tmp_path / "s.db"), {Role.judge: binding}, seed=0, max_repairs=0)
    assert caller.text_cap(Role.judge, 400) == cap
    assert caller.text_cap(Role.critic, 400) == 400  # a role with no binding keeps the base cap
