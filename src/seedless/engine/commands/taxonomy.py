"""`seedless taxonomy`: the taxonomy stage alone, in its own session over the run directory."""

from __future__ import annotations

from pathlib import Path

from seedless.engine.events import EventSink, ignore
from seedless.engine.llm.clients import ModelClient
from seedless.engine.session import Session
from seedless.engine.stages.taxonomy_stage import TaxonomyOutcome, taxonomy_step
from seedless.spec.models import Spec

__all__ = ["TaxonomyOutcome", "build_taxonomies"]


async def build_taxonomies(spec: Spec, out: Path, *, events: EventSink = ignore, from_scratch: bool = False,
                           clients: dict[str, ModelClient] | None = None) -> TaxonomyOutcome:
    """Build (or rebuild around edits) every taxonomy of `spec` in run directory `out`."""
    async with Session(spec, out, "taxonomy", events=events, clients=clients) as session:
        return await taxonomy_step(session, from_scratch=from_scratch)
