"""The run's spec snapshot (engine/session.py `snapshot_text`, RUN/spec.yaml) holds no credential: URL userinfo
and credential-named header and query values are masked, and the snapshot still loads. A session serves a client
given by name whether or not the spec declares that endpoint."""

from __future__ import annotations

import asyncio

from seedless.engine.llm.clients.fake import FakeClient
from seedless.engine.session import Session, role_prices, snapshot_text
from seedless.spec import parse_spec
from seedless.spec.models import Role

SPEC = """\
description: Recipes from home kitchens
models:
  default: api
  endpoints:
    api: {kind: openai, base_url: "http://user:KEY-in-url-31337@llm.example/v1", model: m,
          headers: {Authorization: "Bearer sk-in-headers-4242"}, query: {api-key: qk-in-query-777}}
"""


def test_the_spec_snapshot_under_its_no_keys_header_holds_no_key():
    text = snapshot_text(parse_spec(SPEC))
    assert "API keys are never stored" in text
    for secret in ("KEY-in-url-31337", "sk-in-headers-4242", "qk-in-query-777"):
        assert secret not in text
    assert "http://user:***@llm.example/v1" in text
    assert parse_spec(text).models.default == "api"


def test_a_session_serves_a_client_given_by_name_that_the_spec_does_not_declare(tmp_path):
    spec = parse_spec("description: Recipes from home kitchens\nmodels:\n  endpoints: {fake: {kind: fake}}\n"
                      "  default: mine\n  roles: {critic: {endpoint: fake}}\n", clients={"mine"})
    mine = FakeClient("mine", max_concurrency=3)

    async def go():
        async with Session(spec, tmp_path, "taxonomy", clients={"mine": mine}) as session:
            return session.caller.bindings, role_prices(spec.models)

    bindings, prices = asyncio.run(go())
    assert bindings[Role.generator].client is mine and bindings[Role.generator].limiter.ceiling == 3
    assert bindings[Role.critic].client.identity == "fake:fake"
    assert prices[Role.generator] is None
