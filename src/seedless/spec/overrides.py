"""Command-line overrides of a spec: point every role at one OpenAI-compatible endpoint without editing the file."""

from __future__ import annotations

from seedless.spec.models import OpenAIEndpoint, Spec

CLI_ENDPOINT = "cli"


def with_single_endpoint(spec: Spec, base_url: str, model: str, api_key_env: str | None = None,
                         max_concurrency: int | None = None) -> Spec:
    """Every role calls `model` at `base_url`; every other models setting (per-role temperature and token budgets,
    repairs, budget, failure limit, prices...) is kept as it is."""
    endpoint = OpenAIEndpoint(base_url=base_url, model=model, api_key_env=api_key_env,
                              **({"max_concurrency": max_concurrency} if max_concurrency else {}))
    roles = {role: r.model_copy(update={"endpoint": None}) for role, r in spec.models.roles.items()}
    models = spec.models.model_copy(update={"endpoints": {CLI_ENDPOINT: endpoint}, "default": CLI_ENDPOINT,
                                            "roles": roles})
    return spec.model_copy(update={"models": models})
