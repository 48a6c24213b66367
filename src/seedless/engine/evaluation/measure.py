"""What a measure of `seedless eval` is: its name, settings, needs, section type, call sites and behaviour."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seedless.core.calls import CallSite
from seedless.core.measures.report import Section
from seedless.core.taxonomy.tree import TaxonomySet
from seedless.engine.evaluation.items import Item
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.embedders import Embedder
from seedless.spec.eval_settings import EvalSettings


def never(settings: EvalSettings) -> bool:
    return False


def always(settings: EvalSettings) -> bool:
    return True


@dataclass(frozen=True)
class Needs:
    """What a measure needs besides its settings. A missing taxonomy or expert skips the measure with a note
    "<name> skipped: <reason>" (the reason given here); `strict` makes them usage errors at the command line."""

    items: bool = True  # reads the items of DATA (so DATA is required)
    embeddings: Callable[[EvalSettings], bool] = never  # the items' vectors from the settings' embedder
    taxonomy: str | None = None  # the (generated) taxonomy; the skip reason when there is none
    expert: str | None = None  # the expert taxonomy (--expert); the skip reason when there is none
    answer_field: bool = False  # settings.answer_field, each item's known correct answer
    strict: bool = False


@dataclass
class MeasureContext:
    """Everything a measure's behaviour may read; `caller` is there only for a measure that declares call sites
    (those run together once the model-call store is open, the others before it)."""

    data: Path | None
    settings: EvalSettings
    items: list[Item]
    taxonomies: TaxonomySet | None = None
    experts: TaxonomySet | None = None
    taxonomy_path: str | None = None
    expert_path: str | None = None
    vectors: np.ndarray | None = None
    embedder: Embedder | None = None
    model: Caller | None = None

    @property
    def caller(self) -> Caller:
        if self.model is None:
            raise RuntimeError("this measure declared no call site, so it has no caller")
        return self.model


@dataclass(frozen=True)
class Measure:
    """One measure: `run` turns the context into the measure's `section` (the report key is `name`). `settings`
    names the EvalSettings fields it reads; `calls` the call sites it asks a model through (none: no model)."""

    name: str
    section: type[Section]
    run: Callable[[MeasureContext], Awaitable[Section]]
    needs: Needs = Needs()
    settings: tuple[str, ...] = ()
    calls: tuple[CallSite, ...] = ()
    summary: str = ""
