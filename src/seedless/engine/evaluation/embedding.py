"""The embedding half of eval: the chosen embedder, diversity (global, local) and near-duplicates/contamination."""

from __future__ import annotations

from typing import Any

import numpy as np

from seedless.core.measures.diversity import global_diversity, local_diversity
from seedless.core.measures.near_duplicates import contamination, near_duplicates
from seedless.engine.evaluation.items import Item, load_items
from seedless.engine.llm.embedders import Embedder, make_embedder
from seedless.spec.eval_settings import EvalSettings


def make_eval_embedder(settings: EvalSettings) -> Embedder:
    """The settings' embedder; an OpenAI-compatible one gets `embedding_model` as its model name."""
    options = {"model": settings.embedding_model} if settings.embedding_model else {}
    return make_embedder(settings.embedder, **options)


def embedding_measures(items: list[Item], vectors: np.ndarray, embedder: Embedder, settings: EvalSettings,
                       wanted: set[str]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    diversity = None
    if "diversity" in wanted:
        diversity = {"embedder": embedder.identity, "k": settings.neighbours,
                     "global": round(float(global_diversity(vectors)), 6),
                     "local": round(float(local_diversity(vectors, k=settings.neighbours)), 6)}
    duplicates = None
    if "duplicates" in wanted:
        found = near_duplicates(vectors, threshold=settings.duplicate_threshold)
        overlaps = []
        for reference in settings.references:
            ref_items = load_items(reference, settings.fields)
            ref = contamination(vectors, embedder.embed([i.text for i in ref_items]),
                                threshold=settings.duplicate_threshold)
            hits = [int(i) for i in ref.contaminated.nonzero()[0]]
            overlaps.append({"reference": str(reference), "overlapping": ref.count,
                             "fraction": round(ref.fraction, 4),
                             "matches": [{"item": items[i].id, "reference_item": ref_items[int(ref.best_index[i])].id,
                                          "similarity": round(float(ref.best_similarity[i]), 4)} for i in hits]})
        duplicates = {"threshold": settings.duplicate_threshold, "pairs": found.pairs,
                      "groups": [[items[i].id for i in g] for g in found.groups],
                      "items_in_groups": sum(len(g) for g in found.groups), "redundant": found.redundant,
                      "contamination": overlaps}
    return diversity, duplicates
