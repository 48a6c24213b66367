"""Endpoint kinds by name: the settings every kind extends, the registry the `Endpoint` type validates through, and the
built-in kinds (embedded | openai | fake | anthropic), the provider ones online or in batch mode. The engine's client
registry has the same keys (engine/llm/clients)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, TypeVar

from pydantic import (
    Field,
    GetJsonSchemaHandler,
    GetPydanticSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticKnownError, core_schema

from seedless.spec.strict import Strict


class Retries(NamedTuple):
    """Retries of one request: after transport errors, and after rate limits (429/503)."""

    transport: int
    rate_limit: int


class EndpointSettings(Strict):
    """The settings of one kind of endpoint. A kind declares `kind: Literal["name"] = "name"` (the tag a spec
    writes), its fields, and overrides what differs from these defaults: a fixed window of the client's
    `max_concurrency`, the engine's default retries, nothing added to call fingerprints."""

    kind: str

    @property
    def adaptive_window(self) -> bool:
        """Whether the requests in flight adapt to the server (engine/llm/transport/concurrency.py)."""
        return False

    @property
    def retries(self) -> Retries | None:
        """This endpoint's retry budgets; None: the engine's defaults."""
        return None

    @property
    def variant(self) -> str:
        """What the endpoint adds to each call's fingerprint besides the model identity ("": nothing)."""
        return ""

    @property
    def batched(self) -> BatchSettings | None:
        """How requests go through the provider's batch API when the endpoint is in `mode: batch`; None: online."""
        return None


class BatchSettings(Strict):
    """An endpoint in `mode: batch`: requests are collected into waves, each sent as one provider batch (OpenAI's
    /v1/batches, Anthropic's message batches), polled until it ends, at the provider's batch price."""

    discount: float = Field(0.5, gt=0, le=1, description="The batch price as a share of the online price of "
                            "models.prices (OpenAI and Anthropic bill batches at half); the estimate and the budget "
                            "use it.")
    poll_s: float = Field(30.0, gt=0, le=3600, description="Seconds between two status polls of a batch.")
    collect_s: float = Field(2.0, ge=0, le=600, description="A wave is submitted once no new request came for this "
                             "long (at most 10 times this after its first), or at once when every request the "
                             "window admits is waiting.")
    max_requests: int = Field(50_000, ge=1, le=100_000, description="Most requests in one batch (OpenAI takes "
                              "50,000, Anthropic 100,000); a larger wave is split.")


class BatchMode:
    """For a kind whose provider has a batch API: its own `mode` and `batch` fields give `batched`; in batch mode the
    window is fixed (max_concurrency: the most requests waiting at once), never adaptive (a field-less mixin)."""

    @property
    def batched(self) -> BatchSettings | None:
        return self.batch if self.mode == "batch" else None  # type: ignore[attr-defined]

    @property
    def adaptive_window(self) -> bool:
        return bool(self.adaptive) and self.mode != "batch"  # type: ignore[attr-defined]


Mode = Literal["online", "batch"]
MODE_HELP = ("online: one request per call; batch: calls collected into waves through the provider's batch API, at "
             "about half the price, each wave within hours (docs/models.md, \"Batch mode\").")


class ServerWindow:
    """For a kind that talks to a server: its own `adaptive`, `max_retries` and `max_rate_limit_retries` fields
    give the window and the retry budgets (a mixin without fields, so the kind's fields keep their order)."""

    @property
    def adaptive_window(self) -> bool:
        return bool(self.adaptive)  # type: ignore[attr-defined]

    @property
    def retries(self) -> Retries:
        return Retries(self.max_retries, self.max_rate_limit_retries)  # type: ignore[attr-defined]


S = TypeVar("S", bound=EndpointSettings)
ENDPOINT_KINDS: dict[str, type[EndpointSettings]] = {}  # kind -> its settings, in registration order


def kind_of(settings: type[EndpointSettings]) -> str:
    """The tag of a settings class: the default of its `kind` field."""
    tag = settings.model_fields["kind"].default
    if not isinstance(tag, str) or not tag:
        raise TypeError(f"{settings.__name__} needs a kind field with its name as default: kind: Literal['x'] = 'x'")
    return tag


def register_endpoint_settings(settings: type[S]) -> type[S]:
    """Make `settings` the kind of its `kind` tag (a class decorator too); ValueError when another class has it."""
    tag = kind_of(settings)
    known = ENDPOINT_KINDS.get(tag)
    if known is not None and known is not settings:
        raise ValueError(f"the endpoint kind {tag!r} is already {known.__name__}")
    ENDPOINT_KINDS[tag] = settings
    return settings


def unregister_endpoint_settings(tag: str) -> None:
    ENDPOINT_KINDS.pop(tag, None)


def _by_kind(value: Any) -> EndpointSettings:
    """`value` validated by the settings of its `kind`, with the errors (and locations) of a discriminated union."""
    if isinstance(value, EndpointSettings) and ENDPOINT_KINDS.get(value.kind) is type(value):
        return value
    if not isinstance(value, dict):
        raise PydanticKnownError("model_attributes_type")
    if "kind" not in value:
        raise PydanticKnownError("union_tag_not_found", {"discriminator": "'kind'"})
    tag = value["kind"]
    settings = ENDPOINT_KINDS.get(tag) if isinstance(tag, str) else None
    if settings is None:
        raise PydanticKnownError("union_tag_invalid", {"discriminator": "'kind'", "tag": str(tag),
                                                      "expected_tags": ", ".join(f"'{k}'" for k in ENDPOINT_KINDS)})
    return settings.model_validate(value)


def _core_schema(_source: Any, _handler: Any) -> CoreSchema:
    return core_schema.no_info_plain_validator_function(_by_kind)


def _json_schema(_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
    """The kinds registered when the schema is made, as one discriminated union (oneOf with a mapping)."""
    kinds = {tag: settings.__pydantic_core_schema__ for tag, settings in ENDPOINT_KINDS.items()}
    return handler(core_schema.tagged_union_schema(kinds, discriminator="kind"))


# One endpoint of models.endpoints: validated by the kind its `kind` names, among those registered at the time.
Endpoint = Annotated[EndpointSettings, GetPydanticSchema(_core_schema, _json_schema)]


PackagedModelName = Literal["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]  # engine/llm/clients/packaged_model.py
DEFAULT_PACKAGED_MODEL = "qwen2.5-coder-0.5b"


@register_endpoint_settings
class EmbeddedEndpoint(ServerWindow, EndpointSettings):
    """llama.cpp (xllamacpp) in this process, serving the packaged Qwen2.5-Coder-0.5B or any local GGUF."""

    kind: Literal["embedded"] = "embedded"
    model: PackagedModelName = Field(DEFAULT_PACKAGED_MODEL, description="A packaged model by name: "
                                     "qwen2.5-coder-0.5b (the `local` extra) or qwen2.5-coder-1.5b (`local-large`, "
                                     "a clearly better judge, about 2.5 times slower).")
    model_path: Path | None = Field(None, description="A local GGUF instead of a packaged model.")
    n_parallel: int = Field(8, ge=1, le=64, description="Server slots decoded together (continuous batching); 8 "
                            "measured best on 2 cores (benchmarks/embedded_parallel.py, docs/performance.md).")
    n_ctx_per_slot: int = Field(4096, ge=512, le=131072, description="Context tokens per slot.")
    threads: int | None = Field(None, ge=1, le=512, description="CPU threads; default: all cores.")
    max_concurrency: int | None = Field(None, ge=1, le=1024, description="Requests in flight; default n_parallel.")
    timeout_s: float = Field(600.0, gt=0, description="Seconds before one request is abandoned and retried.")
    max_retries: int = Field(3, ge=0, le=20, description="Retries of one request after transport errors.")
    max_rate_limit_retries: int = Field(30, ge=0, le=1000, description="Retries of one request after 429/503.")
    adaptive: bool = Field(False, description="Adapt the requests in flight (up to max_concurrency) to the server; "
                           "off by default: the window already equals the server's slots, so nothing queues.")


@register_endpoint_settings
class OpenAIEndpoint(BatchMode, ServerWindow, EndpointSettings):
    """Any OpenAI-compatible server: vLLM, llama.cpp, Ollama, OpenRouter, a LiteLLM proxy, OpenAI."""

    kind: Literal["openai"] = "openai"
    base_url: str = Field(..., min_length=1, description="e.g. http://localhost:8000/v1")
    model: str = Field(..., min_length=1)
    api_key_env: str | None = Field(None, description="Name of the environment variable holding the API key.")
    max_concurrency: int = Field(256, ge=1, le=4096, description="Most requests in flight (a sliding window); "
                                 "with `adaptive`, the limit starts lower and finds the server's own.")
    timeout_s: float = Field(300.0, gt=0)
    max_retries: int = Field(6, ge=0, le=50, description="Retries of one request after transport errors "
                             "(timeouts, resets, 5xx, malformed bodies).")
    max_rate_limit_retries: int = Field(30, ge=0, le=1000, description="Retries of one request after 429/503, "
                                        "each after the server's Retry-After.")
    adaptive: bool = Field(True, description="Adapt the requests in flight to the server: back off on rate "
                           "limits and queueing, grow while answers come back at their usual speed.")
    json_schema: bool = Field(True, description="Send response_format json_schema (turn off for servers without it).")
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = Field(
        "max_tokens", description="The body field of the token budget (reasoning models take max_completion_tokens).")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra headers on every request (e.g. "
                                    "OpenRouter's HTTP-Referer and X-Title); keep secrets in headers_env.")
    headers_env: dict[str, str] = Field(default_factory=dict, description="Header name -> the environment "
                                        "variable holding its value (e.g. api-key: AZURE_OPENAI_KEY): keys stay "
                                        "out of the spec.")
    query: dict[str, str] = Field(default_factory=dict, description="Query parameters on every URL (e.g. Azure's "
                                  "api-version).")
    extra_body: dict[str, Any] = Field(default_factory=dict, description="Fields merged into every request body "
                                       "(vLLM's chat_template_kwargs, guided_json, top_k...); part of each call's "
                                       "fingerprint, since they change the replies.")
    health_check: bool = Field(True, description="GET {base_url}/models once before the first call: stop at once "
                               "when the server is not there, refuses the key or does not serve the model.")
    mode: Mode = Field("online", description=MODE_HELP)
    batch: BatchSettings = Field(default_factory=BatchSettings, description="Batch mode's waves, polls and price.")

    @field_validator("headers", "headers_env")
    @classmethod
    def _header_names(cls, value: dict[str, str]) -> dict[str, str]:
        return header_names(value)

    @field_validator("headers_env")
    @classmethod
    def _variable_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name, variable in value.items():
            if not ENV_NAME.fullmatch(variable):
                raise ValueError(f"{name}: {variable!r} is not an environment variable name")
        return value

    @field_validator("extra_body")
    @classmethod
    def _body_fields_seedless_sets(cls, value: dict[str, Any]) -> dict[str, Any]:
        taken = sorted(set(value) & set(RESERVED_BODY))
        if taken:
            raise ValueError(f"{', '.join(taken)} cannot be set here: seedless writes model, messages, stream and "
                             "response_format itself; temperature and max_tokens are models.roles settings, seed is "
                             "the spec's seed")
        return value

    @property
    def variant(self) -> str:
        """Its `extra_body` (it changes the replies), canonical JSON; empty without one, so fingerprints of an
        endpoint without it never change."""
        return json.dumps(self.extra_body, sort_keys=True, separators=(",", ":")) if self.extra_body else ""

    @model_validator(mode="after")
    def _one_authorization(self) -> OpenAIEndpoint:
        names = [n.lower() for n in (*self.headers, *self.headers_env)]
        if len(names) != len(set(names)):
            raise ValueError("a header is named twice in headers and headers_env")
        if self.api_key_env and "authorization" in names:
            raise ValueError("api_key_env sends the Authorization header; do not set it in headers as well")
        return self


def header_names(value: dict[str, str], fixed: frozenset[str] = frozenset()) -> dict[str, str]:
    """`value` when every key is a header name seedless does not set itself and no value holds a line break."""
    for name, item in value.items():
        if not HEADER_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a header name")
        if name.lower() in FIXED_HEADERS | fixed:
            raise ValueError(f"{name} is set by seedless")
        if "\r" in item or "\n" in item:
            raise ValueError(f"the value of {name} holds a line break")
    return value


HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FIXED_HEADERS = frozenset({"content-type", "content-length", "host"})
RESERVED_BODY = ("model", "messages", "stream", "response_format", "temperature", "max_tokens",
                 "max_completion_tokens", "seed")


@register_endpoint_settings
class FakeEndpoint(EndpointSettings):
    """Deterministic, schema-aware fake model. For tests only; never a default."""

    kind: Literal["fake"] = "fake"
    model: str = "fake"
    max_concurrency: int = Field(8, ge=1, le=4096)


@register_endpoint_settings
class AnthropicEndpoint(BatchMode, ServerWindow, EndpointSettings):
    """Anthropic's Messages API (POST {base_url}/messages, the reply's JSON through a forced tool call) and its
    Message Batches (POST {base_url}/messages/batches)."""

    kind: Literal["anthropic"] = "anthropic"
    model: str = Field(..., min_length=1, description="e.g. claude-sonnet-4-5")
    base_url: str = Field("https://api.anthropic.com/v1", min_length=1)
    api_key_env: str | None = Field("ANTHROPIC_API_KEY", description="Name of the environment variable holding the "
                                    "API key (sent as x-api-key); none for a proxy that adds it.")
    anthropic_version: str = Field("2023-06-01", min_length=1, description="The anthropic-version header.")
    max_concurrency: int = Field(64, ge=1, le=4096, description="Most requests in flight (batch mode: the most "
                                 "waiting at once, so the largest wave).")
    timeout_s: float = Field(300.0, gt=0)
    max_retries: int = Field(6, ge=0, le=50, description="Retries of one request after transport errors.")
    max_rate_limit_retries: int = Field(30, ge=0, le=1000, description="Retries of one request after 429/503/529.")
    adaptive: bool = Field(True, description="Adapt the requests in flight to the server (online mode).")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra headers on every request (e.g. "
                                    "anthropic-beta).")
    health_check: bool = Field(True, description="GET {base_url}/models once before the first call.")
    mode: Mode = Field("online", description=MODE_HELP)
    batch: BatchSettings = Field(default_factory=BatchSettings, description="Batch mode's waves, polls and price.")

    @field_validator("headers")
    @classmethod
    def _header_names(cls, value: dict[str, str]) -> dict[str, str]:
        return header_names(value, frozenset({"x-api-key", "anthropic-version"}))

    @field_validator("api_key_env")
    @classmethod
    def _variable_name(cls, value: str | None) -> str | None:
        if value is not None and not ENV_NAME.fullmatch(value):
            raise ValueError(f"{value!r} is not an environment variable name")
        return value
