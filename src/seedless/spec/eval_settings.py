"""Typed settings of `seedless eval`: which measures, which text, batch sizes, embedder, thresholds, models."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from seedless.spec.models import ModelsSettings, Strict

# The built-in measures, in the order they run (engine/evaluation/registry.py MEASURES holds them; a contract test
# keeps the two equal). spec cannot import the engine, so a plugin measure's name is allowed here by its
# register_measure (allow_metric): `metrics` accepts every name in metric_names().
METRICS: tuple[str, ...] = ("coverage", "diversity", "complexity", "duplicates", "taxonomy_quality", "critic")
DEFAULT_METRICS: tuple[str, ...] = ("coverage", "diversity", "complexity", "duplicates")
_PLUGIN_METRICS: dict[str, None] = {}
LIFT_AT: tuple[float, ...] = (0.5, 0.7, 0.9)  # generator accuracies the critic's accuracy lift is always reported at


def metric_names() -> tuple[str, ...]:
    """Every measure `metrics` may name: the built-in ones, then those registered by plugins."""
    return METRICS + tuple(_PLUGIN_METRICS)


def allow_metric(name: str) -> None:
    if name not in METRICS:
        _PLUGIN_METRICS[name] = None


def disallow_metric(name: str) -> None:
    _PLUGIN_METRICS.pop(name, None)


class EvalSettings(Strict):
    metrics: list[str] = Field(default_factory=lambda: list(DEFAULT_METRICS), min_length=1,
                                  description="taxonomy_quality and critic are opt-in.")
    fields: list[str] = Field(default_factory=list, description="Data fields that make an item's text; "
                              "empty: `text` when present, else every field as 'name: value' lines.")
    max_chars: int = Field(1200, ge=50, le=20000, description="An item's text is cut to this many characters "
                           "in model prompts (small models, long items).")
    coverage_mode: Literal["model", "embedding"] = Field(
        "model", description="model: the assigner descends each taxonomy level by level; embedding: nearest "
        "node by cosine similarity (an approximation, labelled so in the report).")
    coverage_assignment: Literal["auto", "tree", "descent"] = Field(
        "auto", description="How the assigner places items (coverage_mode model). tree: one call per batch shows "
        "the whole taxonomy and the assigner names each item's deepest fitting node by its full path, as the paper "
        "does; descent: level by level, one node's children per call; auto: tree when the taxonomy has at most "
        "coverage_tree_max_nodes nodes and the prompt fits the assigner's context (embedded: n_ctx_per_slot), "
        "else descent. The report's coverage mode says which was used.")
    coverage_tree_max_nodes: int = Field(200, ge=1, le=5000, description="auto: the most nodes (below the root) "
                                         "a taxonomy may have to be shown whole in one assigner prompt.")
    coverage_batch: int = Field(8, ge=1, le=50, description="Items placed per assigner call.")
    complexity_batch: int = Field(5, ge=2, le=20, description="B: items scored together in one rater call.")
    complexity_per_item: int = Field(5, ge=1, le=50, description="K: batches each item appears in.")
    embedder: str = Field("minilm", description="minilm (all-MiniLM-L6-v2 in numpy, offline, no torch), "
                          "static (its static distillation: faster, approximate), st:NAME_OR_PATH "
                          "(sentence-transformers), or an OpenAI-compatible base URL serving /v1/embeddings.")
    embedding_model: str | None = Field(None, description="Model name for an OpenAI-compatible embedder.")
    neighbours: int = Field(10, ge=1, le=200, description="k for local diversity.")
    duplicate_threshold: float = Field(0.95, gt=0, le=1, description="Cosine similarity at or above which "
                                       "two items are near-duplicates (and an item overlaps a reference).")
    references: list[Path] = Field(default_factory=list, description="Reference files (e.g. benchmark test "
                                   "sets) to check for overlap (contamination).")
    overlap_ngram: int = Field(5, ge=1, le=50, description="Words per n-gram of the contamination check's text "
                               "overlap (as generation.dedup.ngram).")
    overlap_threshold: float = Field(0.8, gt=0, le=1, description="The share of a reference item's n-grams found in "
                                     "an item at or above which the item copies it (as generation.dedup.overlap).")
    taxonomy_judge_batch: int = Field(8, ge=1, le=50, description="Generated nodes labelled per taxonomy judge "
                                      "call (whole sibling groups packed together when they fit).")
    answer_field: str | None = Field(None, min_length=1, max_length=200, description="The field holding each "
                                     "item's known correct answer; required by the critic measure.")
    blind_solve: bool = Field(True, description="critic: a numeric answer is first solved blind by the judge, as "
                              "in generation (generation.blind_solve).")
    generator_accuracy: float = Field(0.5, ge=0, le=1, description="mu, the generator accuracy the critic's "
                                      f"accuracy lift is reported for (also always at {', '.join(map(str, LIFT_AT))}).")
    seed: int = Field(0, ge=0, le=2**31 - 1)
    models: ModelsSettings = Field(default_factory=ModelsSettings)

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, value: list[str]) -> list[str]:
        unknown = [m for m in value if m not in metric_names()]
        if unknown:
            raise ValueError(f"unknown measure(s) {', '.join(unknown)}; choose from {', '.join(metric_names())}")
        return value

    @model_validator(mode="after")
    def _critic_needs_an_answer_field(self) -> EvalSettings:
        if "critic" in self.metrics and not self.answer_field:
            raise ValueError("the critic measure needs answer_field (--answer-field NAME): the field holding "
                             "each item's correct answer")
        return self
