"""Secrets out of text (spec/secrets.py): URL credentials masked, known secret values replaced in any form they are
echoed in, and the written spec snapshot without a credential that still loads as the same spec."""

from __future__ import annotations

import yaml

from seedless.spec import parse_spec
from seedless.spec.secrets import Redactor, public_dump, redacted_url

SPEC = """\
description: Recipes from home kitchens
models:
  default: api
  endpoints:
    api:
      kind: openai
      base_url: "http://alice:s3cr%2Ft@llm.example:8000/v1?key=qk-123&region=eu"
      model: m
      headers: {X-Api-Key: hk-456, X-Title: seedless}
      headers_env: {api-key: AZURE_OPENAI_KEY}
      query: {api-version: '2024-10-21', access_token: at-789}
"""


def test_redacted_url_masks_the_password_a_lone_token_and_credential_query_values():
    assert redacted_url("http://user:KEY@host/v1") == "http://user:***@host/v1"
    assert redacted_url("https://ghp_token@host/v1") == "https://***@host/v1"
    assert redacted_url("https://host/v1?api-version=1&key=K") == "https://host/v1?api-version=1&key=***"
    assert redacted_url("http://localhost:8000/v1") == "http://localhost:8000/v1"


def test_a_redactor_replaces_each_secret_also_encoded_and_masks_unknown_url_credentials():
    redact = Redactor(["sk-a/b c", ""])
    text = "echo: Bearer sk-a/b c | sk-a%2Fb%20c | sk-a%2Fb+c | http://alice:pw@h/v1 | ok"
    assert redact(text) == "echo: Bearer *** | *** | *** | http://alice:***@h/v1 | ok"


def test_the_spec_snapshot_holds_no_credential_and_still_loads():
    spec = parse_spec(SPEC)
    dump = public_dump(spec, exclude_none=True)
    text = yaml.safe_dump(dump, sort_keys=False)
    for secret in ("s3cr", "qk-123", "hk-456", "at-789"):
        assert secret not in text
    endpoint = dump["models"]["endpoints"]["api"]
    assert endpoint["base_url"] == "http://alice:***@llm.example:8000/v1?key=***&region=eu"
    assert endpoint["headers"] == {"X-Api-Key": "***", "X-Title": "seedless"}
    assert endpoint["headers_env"] == {"api-key": "AZURE_OPENAI_KEY"}  # a variable's name, not a secret
    assert endpoint["query"] == {"api-version": "2024-10-21", "access_token": "***"}
    again = parse_spec(text)
    assert again.description == spec.description and again.models.default == "api"
