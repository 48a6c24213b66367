"""The duplicates measure: near-duplicate groups among the items, and their overlap with reference files."""

from __future__ import annotations

import asyncio
from pathlib import Path

from seedless.core.dataset.overlap import OverlapIndex
from seedless.core.measures.near_duplicates import contamination, near_duplicates
from seedless.core.measures.report import (
    DuplicatesSection,
    ReferenceMatch,
    ReferenceOverlap,
)
from seedless.engine.evaluation.items import load_items
from seedless.engine.evaluation.measure import MeasureContext


def _overlap(context: MeasureContext, reference: Path) -> ReferenceOverlap:
    assert context.vectors is not None and context.embedder is not None  # declared need: embeddings
    settings, items = context.settings, context.items
    ref_items = load_items(reference, settings.fields)
    ref = contamination(context.vectors, context.embedder.embed([i.text for i in ref_items]),
                        threshold=settings.duplicate_threshold)
    hits = [int(i) for i in ref.contaminated.nonzero()[0]]
    texts = OverlapIndex(settings.overlap_ngram, settings.overlap_threshold, "containment")
    for ref_item in ref_items:
        texts.add(ref_item.id, ref_item.text)
    copied = [(item.id, match) for item in items if (match := texts.find(item.text)) is not None]
    return ReferenceOverlap(
        reference=str(reference), overlapping=ref.count, fraction=round(ref.fraction, 4),
        matches=[ReferenceMatch(item=items[i].id, reference_item=ref_items[int(ref.best_index[i])].id,
                                similarity=round(float(ref.best_similarity[i]), 4)) for i in hits],
        ngram_overlapping=len(copied),
        ngram_matches=[ReferenceMatch(item=item, reference_item=match.key, similarity=round(match.score, 4))
                       for item, match in copied])


def duplicates_section(context: MeasureContext) -> DuplicatesSection:
    assert context.vectors is not None  # declared need: embeddings
    settings, items = context.settings, context.items
    found = near_duplicates(context.vectors, threshold=settings.duplicate_threshold)
    overlaps = [_overlap(context, reference) for reference in settings.references]
    assert context.embedder is not None  # declared need: embeddings
    return DuplicatesSection(embedder=context.embedder.identity, threshold=settings.duplicate_threshold,
                             pairs=found.pairs,
                             groups=[[items[i].id for i in g] for g in found.groups],
                             items_in_groups=sum(len(g) for g in found.groups), redundant=found.redundant,
                             contamination=overlaps)


async def run_duplicates(context: MeasureContext) -> DuplicatesSection:
    return await asyncio.to_thread(duplicates_section, context)
