"""Contracts of engine/llm/bindings.py: each role gets its endpoint's client, window, retries and fingerprint
variant from the endpoint's settings class (no test of a kind's name); a client given by name needs no declared
endpoint: a fixed window of its own max_concurrency, the default retries, no variant, no price, its own identity."""

from __future__ import annotations

import pytest

from seedless.engine.llm.bindings import Endpoints
from seedless.engine.llm.budget import price_for
from seedless.engine.llm.clients.fake import FakeClient
from seedless.engine.llm.transport.dispatch import RetryPolicy
from seedless.engine.session import role_prices
from seedless.spec import parse_spec
from seedless.spec.models import Role


def spec_of(models: str, clients=()):
    return parse_spec(f"description: Recipes from home kitchens\nmodels:\n{models}", clients=clients)


def test_the_window_retries_and_variant_come_from_the_endpoints_settings():
    spec = spec_of("  endpoints:\n"
                   "    api: {kind: openai, base_url: 'http://127.0.0.1:9/v1', model: m, max_retries: 2,\n"
                   "          max_rate_limit_retries: 5, extra_body: {top_k: 3}}\n"
                   "    fake: {kind: fake, max_concurrency: 3}\n"
                   "  default: api\n"
                   "  roles: {critic: {endpoint: fake}}\n")
    bindings = Endpoints(spec.models).bindings()
    api, fake = bindings[Role.generator], bindings[Role.critic]
    assert api.limiter.controller is not None and api.limiter.ceiling == 256
    assert (api.retries.transport, api.retries.rate_limit, api.variant) == (2, 5, '{"top_k":3}')
    assert api.client.identity == "openai:m"
    assert fake.limiter.controller is None and fake.limiter.ceiling == 3
    assert (fake.retries.transport, fake.retries.rate_limit, fake.variant) == (6, 30, "")
    assert bindings[Role.judge].limiter is api.limiter  # one window per endpoint, shared by its roles


def test_a_client_given_by_name_works_without_a_declared_endpoint():
    spec = spec_of("  endpoints: {fake: {kind: fake}}\n  default: mine\n  roles: {critic: {endpoint: fake}}\n",
                   clients={"mine"})
    mine = FakeClient("custom", max_concurrency=5)
    bindings = Endpoints(spec.models, clients={"mine": mine}).bindings()
    binding = bindings[Role.generator]
    assert binding.client is mine and binding.client.identity == "fake:custom"
    assert binding.limiter.controller is None and binding.limiter.ceiling == 5
    assert binding.retries == RetryPolicy() and binding.variant == ""
    assert bindings[Role.critic].client is not mine  # the declared endpoint is made from its settings
    assert price_for(spec.models, "mine") is None
    assert role_prices(spec.models)[Role.generator] is None


def test_a_name_neither_declared_nor_given_as_a_client_is_a_clear_error():
    spec = spec_of("  endpoints: {fake: {kind: fake}}\n  default: mine\n", clients={"mine"})
    with pytest.raises(KeyError, match="'mine' is neither declared in models.endpoints nor given as a client"):
        Endpoints(spec.models).bindings()


def test_a_client_given_under_a_declared_name_keeps_that_endpoints_settings():
    spec = spec_of("  endpoints:\n"
                   "    api: {kind: openai, base_url: 'http://127.0.0.1:9/v1', model: m, extra_body: {top_k: 3}}\n"
                   "  default: api\n")
    stand_in = FakeClient("stand-in", max_concurrency=7)
    binding = Endpoints(spec.models, clients={"api": stand_in}).bindings()[Role.generator]
    assert binding.client is stand_in and binding.variant == '{"top_k":3}'
    assert binding.limiter.controller is not None and binding.limiter.ceiling == 7


def test_several_embedded_endpoints_share_the_processs_cores_unless_threads_are_given(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    spec = spec_of("  endpoints:\n    small: {kind: embedded}\n"
                   "    large: {kind: embedded, model: qwen2.5-coder-1.5b, n_parallel: 4}\n"
                   "    pinned: {kind: embedded, threads: 6}\n  default: small\n"
                   "  roles: {judge: {endpoint: large}, critic: {endpoint: large}, rater: {endpoint: pinned}}\n")
    endpoints = Endpoints(spec.models)
    assert [endpoints.client(n).settings.threads for n in ("small", "large", "pinned")] == [2, 2, 6]
    assert endpoints.client("large").identity == "embedded:qwen2.5-coder-1.5b-instruct-q4_k_m@cc324af070c2"
    alone = Endpoints(spec_of("  endpoints: {small: {kind: embedded}}\n  default: small\n").models)
    assert alone.client("small").settings.threads is None  # one embedded server: all cores, as before


def test_an_adaptive_endpoint_starts_where_an_earlier_command_in_the_run_left_its_limit(tmp_path):
    from seedless.engine.session import keep_windows, learned_windows
    from seedless.engine.store.calls import Store
    from seedless.engine.llm.transport.concurrency import Learned

    spec = spec_of("  endpoints:\n    api: {kind: openai, base_url: 'http://127.0.0.1:9/v1', model: m}\n"
                   "  default: api\n")
    first = Endpoints(spec.models)
    controller = first.bindings()[Role.generator].limiter.controller
    assert controller.allowed == 16 and first.learned_limits() == {}  # nothing decided yet: nothing to keep
    controller.demand(16, 1)
    for _ in range(16):
        controller.succeeded(controller.epoch, "generate", 0.5)
    assert first.learned_limits() == {"openai:m": Learned(32, True)}

    store = Store(tmp_path / "s.db")
    keep_windows(store, first.learned_limits())
    again = Endpoints(spec.models, learned=learned_windows(store))
    assert again.bindings()[Role.generator].limiter.controller.allowed == 32
    store.close()

    after_decrease = Endpoints(spec.models, learned={"openai:m": Learned(400, False)})
    c = after_decrease.bindings()[Role.generator].limiter.controller
    assert c.allowed == 256 and not c.slow_start  # never above the ceiling; additive increase only from there
    written = spec_of("  endpoints:\n    api: {kind: openai, base_url: 'http://127.0.0.1:9/v1', model: m,"
                      " max_concurrency: 64}\n  default: api\n")
    mine = Endpoints(written.models, learned={"openai:m": Learned(8, False)}).bindings()[Role.generator]
    assert mine.limiter.controller.allowed == 64  # a max_concurrency the user wrote is where it starts
