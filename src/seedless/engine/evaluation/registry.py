"""The registry of eval measures: what `seedless eval` runs, in report order; plugins add theirs with one call."""

from __future__ import annotations

from seedless.core.calls import (
    COMPLEXITY_BATCH,
    CORRUPT_ANSWER,
    COVERAGE_ASSIGN,
    COVERAGE_ASSIGN_TREE,
    JUDGE_CORRECT,
    JUDGE_INCORRECT,
    TAXONOMY_JUDGE,
    register_call_site,
)
from seedless.core.measures.report import (
    BUILT_IN,
    ComplexitySection,
    CoverageSection,
    CriticSection,
    DiversitySection,
    DuplicatesSection,
    Section,
    TaxonomyQualitySection,
)
from seedless.engine.evaluation.complexity import run_complexity
from seedless.engine.evaluation.coverage import run_coverage
from seedless.engine.evaluation.critic import run_critic
from seedless.engine.evaluation.diversity import run_diversity
from seedless.engine.evaluation.duplicates import run_duplicates
from seedless.engine.evaluation.measure import Measure, MeasureContext, Needs, always
from seedless.engine.evaluation.taxonomy_quality import run_taxonomy_quality
from seedless.spec.eval_settings import EvalSettings, allow_metric, disallow_metric


def _coverage_embeds(settings: EvalSettings) -> bool:
    return settings.coverage_mode == "embedding"


_IN_TREE: tuple[Measure, ...] = (
    Measure("coverage", CoverageSection, run_coverage,
            Needs(embeddings=_coverage_embeds,
                  taxonomy="no taxonomy (pass --taxonomy, or evaluate a run directory)"),
            settings=("coverage_mode", "coverage_assignment", "coverage_tree_max_nodes", "coverage_batch",
                      "max_chars"), calls=(COVERAGE_ASSIGN_TREE, COVERAGE_ASSIGN),
            summary="each item placed in each taxonomy (the whole tree in context, or level by level); "
                    "level-ratio coverage"),
    Measure("diversity", DiversitySection, run_diversity, Needs(embeddings=always),
            settings=("embedder", "embedding_model", "neighbours"),
            summary="global and local embedding diversity"),
    Measure("complexity", ComplexitySection, run_complexity, Needs(),
            settings=("complexity_batch", "complexity_per_item", "max_chars", "seed"), calls=(COMPLEXITY_BATCH,),
            summary="batch-relative difficulty scores fitted into Elo ratings"),
    Measure("duplicates", DuplicatesSection, run_duplicates, Needs(embeddings=always),
            settings=("embedder", "embedding_model", "duplicate_threshold", "references", "overlap_ngram",
                      "overlap_threshold"),
            summary="near-duplicate groups and overlap with reference files"),
    Measure("taxonomy_quality", TaxonomyQualitySection, run_taxonomy_quality,
            Needs(items=False, taxonomy="no generated taxonomy (pass --taxonomy, or a run directory as DATA)",
                  expert="no expert taxonomy (pass --expert)", strict=True),
            settings=("taxonomy_judge_batch",), calls=(TAXONOMY_JUDGE,),
            summary="each generated node labelled against the expert taxonomy"),
    Measure("critic", CriticSection, run_critic, Needs(answer_field=True),
            settings=("answer_field", "generator_accuracy"), calls=(CORRUPT_ANSWER, JUDGE_CORRECT, JUDGE_INCORRECT),
            summary="the double critic on each item's answer and on a corrupted copy: p, q, lift"),
)
MEASURES: dict[str, Measure] = {}  # starts with spec's METRICS, in order (a contract test)


def register_measure(measure: Measure) -> Measure:
    """Add a plugin's measure: `seedless eval --metrics NAME` runs it, its section is written under NAME after the
    built-in ones, and the CLI shows its `summary()`. Its call sites are registered too (core.calls)."""
    if measure.name in MEASURES and MEASURES[measure.name] != measure:
        raise ValueError(f"a measure named {measure.name!r} already exists")
    for site in measure.calls:
        register_call_site(site)
    MEASURES[measure.name] = measure
    allow_metric(measure.name)
    return measure


def unregister_measure(name: str) -> None:
    """Remove a plugin's measure (its call sites stay registered: unregister_call_site them if need be)."""
    if name in BUILT_IN:
        raise ValueError(f"{name} is a built-in measure")
    MEASURES.pop(name, None)
    disallow_metric(name)


for _measure in _IN_TREE:
    register_measure(_measure)


def measure(name: str) -> Measure:
    return MEASURES[name]


def selected(names: list[str]) -> list[Measure]:
    """The named measures, in registry order (the order they run and their notes are written)."""
    unknown = [n for n in names if n not in MEASURES]
    if unknown:
        raise ValueError(f"unknown measure(s) {', '.join(unknown)}; choose from {', '.join(MEASURES)}")
    return [m for m in MEASURES.values() if m.name in names]


def plugin_sections() -> dict[str, type[Section]]:
    """Section types of the registered plugin measures, by name (what reading a report back needs)."""
    return {name: m.section for name, m in MEASURES.items() if name not in BUILT_IN}


__all__ = ["MEASURES", "Measure", "MeasureContext", "Needs", "measure", "plugin_sections", "register_measure",
           "selected", "unregister_measure"]
