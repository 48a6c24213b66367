"""The OpenAI endpoint's options for real servers: max_tokens_field, headers, headers_env, query, extra_body and
health_check are typed, and what would collide with what seedless writes is refused with FILE:LINE: field."""

from __future__ import annotations

import pytest

from seedless.spec import OpenAIEndpoint, SpecError, parse_spec

HEAD = "description: Recipes from home kitchens\nmodels:\n  default: api\n  endpoints:\n    api:\n"
ENDPOINT = "      kind: openai\n      base_url: http://localhost:8000/v1\n      model: m\n"


def problems(extra: str) -> list[str]:
    with pytest.raises(SpecError) as err:
        parse_spec(HEAD + ENDPOINT + extra, "spec.yaml")
    return [str(p) for p in err.value.problems]


def test_the_options_default_to_a_plain_openai_server():
    endpoint = OpenAIEndpoint(base_url="http://x/v1", model="m")
    assert endpoint.max_tokens_field == "max_tokens" and endpoint.health_check is True
    assert endpoint.headers == endpoint.headers_env == endpoint.query == endpoint.extra_body == {}


def test_every_option_is_read_from_the_spec():
    spec = parse_spec(HEAD + ENDPOINT + (
        "      max_tokens_field: max_completion_tokens\n      health_check: false\n"
        "      headers: {HTTP-Referer: 'https://example.org', X-Title: seedless}\n"
        "      headers_env: {api-key: AZURE_OPENAI_KEY}\n      query: {api-version: '2024-10-21'}\n"
        "      extra_body: {chat_template_kwargs: {enable_thinking: false}, guided_json: {type: object}}\n"))
    endpoint = spec.models.endpoints["api"]
    assert isinstance(endpoint, OpenAIEndpoint)
    assert endpoint.max_tokens_field == "max_completion_tokens" and endpoint.health_check is False
    assert endpoint.headers["X-Title"] == "seedless" and endpoint.headers_env == {"api-key": "AZURE_OPENAI_KEY"}
    assert endpoint.query == {"api-version": "2024-10-21"}
    assert endpoint.extra_body["chat_template_kwargs"] == {"enable_thinking": False}


@pytest.mark.parametrize("key", ["model", "messages", "stream", "response_format", "temperature", "max_tokens",
                                 "max_completion_tokens", "seed"])
def test_extra_body_may_not_set_what_seedless_writes(key):
    (problem,) = problems(f"      extra_body: {{{key}: 1, top_k: 5}}\n")
    assert problem.startswith("spec.yaml:9: models.endpoints.api.extra_body:") and key in problem


def test_an_unknown_max_tokens_field_is_refused():
    (problem,) = problems("      max_tokens_field: max_new_tokens\n")
    assert problem.startswith("spec.yaml:9: models.endpoints.api.max_tokens_field:")


@pytest.mark.parametrize("extra, words", [
    ("      headers: {'bad header': x}\n", "not a header name"),
    ("      headers: {Content-Type: text/plain}\n", "set by seedless"),
    ("      headers_env: {api-key: 'not a variable'}\n", "not an environment variable name"),
    ("      headers: {X-Key: a}\n      headers_env: {x-key: KEY}\n", "named twice"),
    ("      api_key_env: KEY\n      headers_env: {Authorization: OTHER}\n", "Authorization"),
])
def test_conflicting_or_malformed_headers_are_refused(extra, words):
    (problem,) = problems(extra)
    assert "models.endpoints.api" in problem and words in problem
