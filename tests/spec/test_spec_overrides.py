"""Contracts of seedless.spec.overrides.with_single_endpoint: one OpenAI-compatible endpoint for every role."""

from __future__ import annotations

from seedless.spec import ModelsSettings, OpenAIEndpoint, Role, RoleSettings, parse_spec
from seedless.spec.overrides import CLI_ENDPOINT, with_single_endpoint

SPEC = """\
description: Questions about the weather.
models:
  endpoints:
    embedded: {kind: embedded}
    hosted: {kind: openai, base_url: "http://old/v1", model: old}
  default: embedded
  max_repairs: 5
  roles:
    taxonomy_critic: {endpoint: hosted, temperature: 0.1, max_tokens: 2000}
    level_planner: {max_tokens: 128}
"""


def test_every_role_points_at_one_openai_endpoint_named_cli():
    spec = with_single_endpoint(parse_spec(SPEC), "http://localhost:8000/v1", "qwen")
    assert CLI_ENDPOINT == "cli"
    assert list(spec.models.endpoints) == ["cli"]
    endpoint = spec.models.endpoints["cli"]
    assert isinstance(endpoint, OpenAIEndpoint)
    assert (endpoint.base_url, endpoint.model, endpoint.api_key_env) == ("http://localhost:8000/v1", "qwen", None)
    assert endpoint.max_concurrency == 256  # the default ceiling; the adaptive limit finds the server's own
    assert spec.models.default == "cli"
    assert all(settings.endpoint is None for settings in spec.models.roles.values())


def test_per_role_temperature_and_max_tokens_and_max_repairs_are_kept():
    spec = with_single_endpoint(parse_spec(SPEC), "http://h/v1", "m")
    roles = spec.models.roles
    assert set(roles) == {Role.taxonomy_critic, Role.level_planner}
    critic, planner = roles[Role.taxonomy_critic], roles[Role.level_planner]
    assert (critic.temperature, critic.max_tokens) == (0.1, 2000)
    assert (planner.temperature, planner.max_tokens) == (None, 128)
    assert spec.models.max_repairs == 5


def test_api_key_env_and_max_concurrency_are_passed_to_the_endpoint():
    spec = with_single_endpoint(parse_spec(SPEC), "http://h/v1", "m", api_key_env="MY_KEY", max_concurrency=7)
    endpoint = spec.models.endpoints["cli"]
    assert endpoint.api_key_env == "MY_KEY"
    assert endpoint.max_concurrency == 7


def test_the_rest_of_the_spec_and_the_original_are_untouched():
    original = parse_spec(SPEC + "seed: 11\ntaxonomy: {depth: 3}\n")
    spec = with_single_endpoint(original, "http://h/v1", "m")
    assert spec.seed == 11 and spec.taxonomy.depth == 3 and spec.description == original.description
    assert set(original.models.endpoints) == {"embedded", "hosted"}
    assert original.models.default == "embedded"
    assert original.models.roles[Role.taxonomy_critic].endpoint == "hosted"


def test_a_single_endpoint_keeps_the_specs_prices():
    spec = parse_spec("""
description: Word problems in arithmetic for primary school pupils.
models:
  prices: {cli: {input_per_million: 0.5, output_per_million: 1.5}}
""")
    from seedless.spec.overrides import with_single_endpoint

    moved = with_single_endpoint(spec, "http://localhost:8000/v1", "m")
    assert moved.models.prices["cli"].output_per_million == 1.5


ALL_MODELS_SETTINGS = """\
description: Questions about the weather.
models:
  endpoints:
    hosted: {kind: openai, base_url: "http://old/v1", model: old}
  default: hosted
  roles:
    critic: {endpoint: hosted, temperature: 0.1, max_tokens: 2000}
  max_repairs: 4
  max_consecutive_failures: 3
  prices: {cli: {input_per_million: 0.5, output_per_million: 1.5}}
  budget: {tokens: 5000, cost: 2.5}
"""
REPLACED = {"endpoints", "default", "roles"}


def test_a_single_endpoint_keeps_every_other_models_setting():
    original = parse_spec(ALL_MODELS_SETTINGS)
    kept = set(ModelsSettings.model_fields) - REPLACED
    # A new models setting must be added to ALL_MODELS_SETTINGS (with a value other than its default) to pass.
    assert kept <= original.models.model_fields_set, sorted(kept - original.models.model_fields_set)
    moved = with_single_endpoint(original, "http://h/v1", "m")
    for name in sorted(kept):
        assert getattr(moved.models, name) == getattr(original.models, name), name
        assert getattr(moved.models, name) != ModelsSettings.model_fields[name].get_default(call_default_factory=True)
    critic = moved.models.roles[Role.critic]
    for name in set(RoleSettings.model_fields) - {"endpoint"}:
        assert getattr(critic, name) == getattr(original.models.roles[Role.critic], name), name
    assert critic.endpoint is None
