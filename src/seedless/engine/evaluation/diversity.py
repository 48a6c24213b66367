"""The diversity measure: global and local embedding diversity of the items' vectors."""

from __future__ import annotations

import asyncio

from seedless.core.measures.diversity import global_diversity, local_diversity
from seedless.core.measures.report import DiversitySection
from seedless.engine.evaluation.measure import MeasureContext


def diversity_section(context: MeasureContext) -> DiversitySection:
    assert context.vectors is not None and context.embedder is not None  # declared need: embeddings
    k = context.settings.neighbours
    return DiversitySection(embedder=context.embedder.identity, k=k,
                            global_=round(float(global_diversity(context.vectors)), 6),
                            local=round(float(local_diversity(context.vectors, k=k)), 6))


async def run_diversity(context: MeasureContext) -> DiversitySection:
    return await asyncio.to_thread(diversity_section, context)
