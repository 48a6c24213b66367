"""The models eval's roles judge with when none is named: the strongest packaged model installed (eval and compare)."""

from __future__ import annotations

from typing import TypeVar

from seedless.engine.llm.clients.packaged_model import strongest_installed
from seedless.spec.endpoints import EmbeddedEndpoint
from seedless.spec.eval_settings import EvalSettings

S = TypeVar("S", bound=EvalSettings)  # eval's settings, or compare's (a subclass): the same type back


def judging_models(settings: S) -> S:
    """The settings as given, unless they leave eval on the default embedded endpoint (no model named): then
    every eval role (assigner, rater, judge, taxonomy judge, corrupter) runs on the strongest packaged model
    installed (the 1.5B with the `local-large` extra), with that endpoint's other settings kept."""
    endpoint = settings.models.endpoints.get(settings.models.default)
    best = strongest_installed()
    if (not isinstance(endpoint, EmbeddedEndpoint) or "model" in endpoint.model_fields_set
            or endpoint.model_path is not None or best is None or best == endpoint.model):
        return settings
    chosen = endpoint.model_copy(update={"model": best})
    models = settings.models.model_copy(update={"endpoints": settings.models.endpoints
                                                | {settings.models.default: chosen}})
    return settings.model_copy(update={"models": models})
