"""The run's spec snapshot (engine/session.py `snapshot_text`, RUN/spec.yaml) holds no credential: URL userinfo
and credential-named header and query values are masked, and the snapshot still loads."""

from __future__ import annotations

from seedless.engine.session import snapshot_text
from seedless.spec import parse_spec

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
