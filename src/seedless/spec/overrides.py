"""Command-line overrides of a spec: point every role at one OpenAI-compatible endpoint without editing the file."""

from __future__ import annotations

from typing import TypeVar

from seedless.spec.eval_settings import EvalSettings
from seedless.spec.models import OpenAIEndpoint, Spec

CLI_ENDPOINT = "cli"
Settings = TypeVar("Settings", Spec, EvalSettings)  # both carry a `models` section


def on_one_endpoint(settings: Settings, base_url: str | None, model: str | None, api_key_env: str | None = None,
                    max_concurrency: int | None = None) -> Settings:
    """`settings` with every role on `model` at `base_url` when both are given, as they are when neither is;
    ValueError when only one is (the CLI's --base-url/--model, the API's base_url/model)."""
    if bool(base_url) != bool(model):
        raise ValueError("base_url and model go together")
    if base_url and model:
        return with_single_endpoint(settings, base_url, model, api_key_env, max_concurrency)
    return settings


def with_single_endpoint(spec: Settings, base_url: str, model: str, api_key_env: str | None = None,
                         max_concurrency: int | None = None) -> Settings:
    """Every role calls `model` at `base_url`; every other models setting (per-role temperature and token budgets,
    repairs, budget, failure limit, prices...) is kept as it is."""
    endpoint = OpenAIEndpoint(base_url=base_url, model=model, api_key_env=api_key_env,
                              **({"max_concurrency": max_concurrency} if max_concurrency else {}))
    roles = {role: r.model_copy(update={"endpoint": None}) for role, r in spec.models.roles.items()}
    models = spec.models.model_copy(update={"endpoints": {CLI_ENDPOINT: endpoint}, "default": CLI_ENDPOINT,
                                            "roles": roles})
    return spec.model_copy(update={"models": models})
