"""Command-line overrides of a spec: point every role at one OpenAI-compatible endpoint without editing the file."""

from __future__ import annotations

from seedless.spec.models import ModelsSettings, OpenAIEndpoint, RoleSettings, Spec

CLI_ENDPOINT = "cli"


def with_single_endpoint(spec: Spec, base_url: str, model: str, api_key_env: str | None = None,
                         max_concurrency: int | None = None) -> Spec:
    """Every role calls `model` at `base_url`; per-role temperature and token budgets are kept."""
    endpoint = OpenAIEndpoint(base_url=base_url, model=model, api_key_env=api_key_env,
                              **({"max_concurrency": max_concurrency} if max_concurrency else {}))
    roles = {role: RoleSettings(temperature=r.temperature, max_tokens=r.max_tokens)
             for role, r in spec.models.roles.items()}
    models = ModelsSettings(endpoints={CLI_ENDPOINT: endpoint}, default=CLI_ENDPOINT, roles=roles,
                            max_repairs=spec.models.max_repairs, prices=spec.models.prices)
    return spec.model_copy(update={"models": models})
