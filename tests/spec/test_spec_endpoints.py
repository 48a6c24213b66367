"""Contracts of seedless.spec.endpoints: endpoint kinds come from one registry, which the validated `Endpoint` type
dispatches on by `kind` (errors, locations and the JSON schema as a discriminated union's); what differs between
kinds (window, retries, fingerprint variant) is a property of the settings class."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import Field, ValidationError

from seedless.spec import SpecError, parse_spec
from seedless.spec.endpoints import (
    ENDPOINT_KINDS,
    EndpointSettings,
    Retries,
    kind_of,
    register_endpoint_settings,
    unregister_endpoint_settings,
)
from seedless.spec.models import (
    EmbeddedEndpoint,
    FakeEndpoint,
    ModelsSettings,
    OpenAIEndpoint,
    Spec,
)


class ReplayEndpoint(EndpointSettings):
    """Replies read back from a file (a test kind)."""

    kind: Literal["replay"] = "replay"
    path: str = Field(..., min_length=1)
    max_concurrency: int = Field(4, ge=1, le=64)


@pytest.fixture
def replay():
    register_endpoint_settings(ReplayEndpoint)
    yield ReplayEndpoint
    unregister_endpoint_settings("replay")


def spec_with(endpoint: str) -> str:
    return ("description: Questions about the weather.\n"  # 1
            "models:\n"  # 2
            "  endpoints:\n"  # 3
            f"    r: {endpoint}\n"  # 4
            "  default: r\n")  # 5


def problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(SpecError) as info:
        parse_spec(text, "s.yaml")
    return [(p.line, p.field, p.message) for p in info.value.problems]


def test_the_built_in_kinds_are_registered_in_order():
    assert list(ENDPOINT_KINDS)[:3] == ["embedded", "openai", "fake"]
    assert ENDPOINT_KINDS["openai"] is OpenAIEndpoint and kind_of(FakeEndpoint) == "fake"


def test_a_registered_kind_is_validated_by_its_own_settings_class(replay):
    spec = parse_spec(spec_with("{kind: replay, path: replies.jsonl}"))
    endpoint = spec.models.endpoints["r"]
    assert isinstance(endpoint, ReplayEndpoint) and endpoint.path == "replies.jsonl" and endpoint.max_concurrency == 4


def test_errors_of_a_registered_kind_name_file_line_and_field_without_the_kind(replay):
    assert problems(spec_with("{kind: replay, max_concurrency: true, bogus: 1}")) == [
        (4, "models.endpoints.r.bogus", "unknown key (not a setting)"),
        (4, "models.endpoints.r.max_concurrency", "Input should be a valid integer, not true"),
        (4, "models.endpoints.r.path", "Field required"),
    ]


def test_an_unknown_kind_lists_every_registered_kind(replay):
    assert problems(spec_with("{kind: nope}")) == [
        (4, "models.endpoints.r", ("Input tag 'nope' found using 'kind' does not match any of the expected tags: "
                                   "'embedded', 'openai', 'fake', 'anthropic', 'replay'"))]


def test_a_missing_kind_or_a_value_that_is_no_mapping_keeps_the_union_messages():
    assert problems(spec_with("{model: m}")) == [
        (4, "models.endpoints.r", "Unable to extract tag using discriminator 'kind'")]
    assert problems(spec_with("5")) == [
        (4, "models.endpoints.r", "Input should be a valid dictionary or object to extract fields from")]


def test_an_unregistered_kind_is_unknown_again(replay):
    unregister_endpoint_settings("replay")
    assert "'embedded', 'openai', 'fake'" in problems(spec_with("{kind: replay, path: p}"))[0][2]
    register_endpoint_settings(ReplayEndpoint)  # the fixture unregisters it


def test_a_kind_taken_by_another_class_is_refused_and_a_kind_needs_a_default_tag():
    class Other(EndpointSettings):
        kind: Literal["fake"] = "fake"

    class Untagged(EndpointSettings):
        kind: str

    with pytest.raises(ValueError, match="already FakeEndpoint"):
        register_endpoint_settings(Other)
    with pytest.raises(TypeError, match="kind field"):
        register_endpoint_settings(Untagged)
    register_endpoint_settings(FakeEndpoint)  # the same class again: nothing changes
    assert ENDPOINT_KINDS["fake"] is FakeEndpoint


def test_python_construction_takes_instances_and_mappings_and_reports_field_paths_without_the_tag():
    models = ModelsSettings(endpoints={"a": FakeEndpoint(), "b": {"kind": "openai", "base_url": "http://x/v1",
                                                                  "model": "m"}}, default="a")
    assert isinstance(models.endpoints["b"], OpenAIEndpoint) and models.endpoints["a"] == FakeEndpoint()
    with pytest.raises(ValidationError) as info:
        ModelsSettings(endpoints={"x": {"kind": "openai"}})
    assert [e["loc"] for e in info.value.errors()] == [("endpoints", "x", "base_url"), ("endpoints", "x", "model")]


def test_the_json_schema_is_a_discriminated_union_of_the_kinds_registered_when_it_is_made(replay):
    schema = Spec.model_json_schema()
    union = schema["$defs"]["ModelsSettings"]["properties"]["endpoints"]["additionalProperties"]
    assert union["discriminator"] == {"propertyName": "kind", "mapping": {
        "embedded": "#/$defs/EmbeddedEndpoint", "openai": "#/$defs/OpenAIEndpoint", "fake": "#/$defs/FakeEndpoint",
        "anthropic": "#/$defs/AnthropicEndpoint", "replay": "#/$defs/ReplayEndpoint"}}
    assert schema["$defs"]["ReplayEndpoint"]["required"] == ["path"]


def test_a_spec_dump_keeps_each_endpoints_own_fields(replay):
    spec = parse_spec(spec_with("{kind: replay, path: p}"))
    assert spec.model_dump(exclude_none=True)["models"]["endpoints"]["r"] == {
        "kind": "replay", "path": "p", "max_concurrency": 4}


def test_window_retries_and_variant_are_properties_of_the_settings_class():
    fake, embedded = FakeEndpoint(), EmbeddedEndpoint()
    openai = OpenAIEndpoint(base_url="http://x/v1", model="m", extra_body={"top_k": 5, "min_p": 0.1})
    assert (fake.adaptive_window, fake.retries, fake.variant) == (False, None, "")
    assert (embedded.adaptive_window, embedded.retries) == (False, Retries(3, 30))
    assert EmbeddedEndpoint(adaptive=True).adaptive_window is True
    assert (openai.adaptive_window, openai.retries) == (True, Retries(6, 30))
    assert openai.variant == '{"min_p":0.1,"top_k":5}'
    assert OpenAIEndpoint(base_url="http://x/v1", model="m").variant == ""
