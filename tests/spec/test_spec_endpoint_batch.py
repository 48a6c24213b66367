"""Batch mode and the anthropic kind in the spec: `mode` (online by default) and `batch` (discount, polls, collection
delay, largest batch) on the provider kinds, a batched endpoint's fixed window, and the anthropic kind's own
settings; what is out of range is refused with FILE:LINE: field."""

from __future__ import annotations

import pytest

from seedless.spec import SpecError, parse_spec
from seedless.spec.endpoints import AnthropicEndpoint, BatchSettings, OpenAIEndpoint
from seedless.spec.models import Role

HEAD = "description: Recipes from home kitchens\nmodels:\n  default: api\n  endpoints:\n    api:\n"
OPENAI = "      kind: openai\n      base_url: http://localhost:8000/v1\n      model: m\n"


def problems(text: str) -> list[str]:
    with pytest.raises(SpecError) as err:
        parse_spec(HEAD + text, "spec.yaml")
    return [str(p) for p in err.value.problems]


def test_provider_endpoints_are_online_by_default_and_batch_mode_has_documented_defaults():
    endpoint = OpenAIEndpoint(base_url="http://x/v1", model="m")
    assert endpoint.mode == "online" and endpoint.batched is None and endpoint.adaptive_window
    assert endpoint.batch == BatchSettings(discount=0.5, poll_s=30.0, collect_s=2.0, max_requests=50_000)


def test_batch_mode_is_read_from_the_spec_and_fixes_the_window():
    spec = parse_spec(HEAD + OPENAI + "      mode: batch\n      batch: {discount: 0.4, poll_s: 60, collect_s: 5}\n")
    endpoint = spec.models.endpoints["api"]
    assert endpoint.batched == BatchSettings(discount=0.4, poll_s=60, collect_s=5)
    assert endpoint.adaptive_window is False and endpoint.variant == ""  # the online fingerprints


@pytest.mark.parametrize("extra, field", [
    ("      mode: later\n", "models.endpoints.api.mode"),
    ("      batch: {discount: 0}\n", "models.endpoints.api.batch.discount"),
    ("      batch: {max_requests: 200000}\n", "models.endpoints.api.batch.max_requests"),
    ("      batch: {window: 24h}\n", "models.endpoints.api.batch.window"),
])
def test_batch_settings_out_of_range_are_refused_with_their_line(extra, field):
    found = problems(OPENAI + extra)
    assert len(found) == 1 and found[0].startswith("spec.yaml:") and field in found[0]


def test_the_anthropic_kind_has_its_defaults_and_the_provider_token_budgets():
    spec = parse_spec(HEAD + "      kind: anthropic\n      model: claude-sonnet-4-5\n      mode: batch\n")
    endpoint = spec.models.endpoints["api"]
    assert isinstance(endpoint, AnthropicEndpoint) and endpoint.batched is not None
    assert (endpoint.base_url, endpoint.api_key_env, endpoint.anthropic_version) == (
        "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY", "2023-06-01")
    assert spec.models.sampling(Role.critic) == parse_spec(HEAD + OPENAI).models.sampling(Role.critic)


@pytest.mark.parametrize("extra, says", [
    ("      headers: {x-api-key: k}\n", "x-api-key is set by seedless"),
    ("      api_key_env: 'not a name'\n", "is not an environment variable name"),
])
def test_the_anthropic_kind_refuses_headers_it_sets_and_bad_variable_names(extra, says):
    found = problems("      kind: anthropic\n      model: m\n" + extra)
    assert len(found) == 1 and says in found[0]
