"""The embedding side of eval: the chosen embedder, whose item vectors diversity, duplicates and coverage share."""

from __future__ import annotations

from seedless.engine.llm.embedders import Embedder, make_embedder
from seedless.spec.eval_settings import EvalSettings


def make_eval_embedder(settings: EvalSettings) -> Embedder:
    """The settings' embedder; an OpenAI-compatible one gets `embedding_model` as its model name."""
    options = {"model": settings.embedding_model} if settings.embedding_model else {}
    return make_embedder(settings.embedder, **options)
