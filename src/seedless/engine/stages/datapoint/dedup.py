"""The dedup step, last: a datapoint that repeats an accepted one or overlaps a reference file is rejected, no call.

What is compared is the datapoint without its answer field (two different questions with the same answer are not
duplicates; one question asked twice is). Against the datapoints accepted so far in this run, earlier invocations
included (Generation hands them over before the first slot opens, `remember_accepted`): the same text after case,
spacing and punctuation are taken out, or a word n-gram Jaccard >= `overlap`. Against each reference file: the
same text, or a reference item whose n-grams the datapoint holds for a share >= `overlap`. Optionally the cosine
similarity of the packaged static embedder >= `embedding_threshold`, against both.

The check and the claim of the text happen with no await between them, so two slots finishing the same datapoint
at once cannot both pass: the one checked first is accepted, the other rejected and tried again. The index lives
per run (one per Context), never on the step, which is shared by every run of the process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np

from seedless.core.dataset.overlap import Match, OverlapIndex, fields_text
from seedless.core.dataset.record import Record
from seedless.core.measures.near_duplicates import contamination
from seedless.engine.evaluation.items import DataError, load_items
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.embedders import Embedder, make_embedder
from seedless.engine.stages.datapoint.step import Context, Draft, Step
from seedless.engine.stages.factors import StageError
from seedless.engine.store.jsonl import read_objects
from seedless.spec.loader import SpecError, spec_folder, spec_problem
from seedless.spec.models import Spec

LEFT_OUT_OF_REFERENCES = ("id",)  # a reference row's own id is no part of its text


def record_id(slot: int) -> str:
    """The id the slot's accepted datapoint gets (DatapointMaker's), which a rejection names."""
    return f"s{slot:06d}"


def compared_fields(spec: Spec, data: dict[str, Any]) -> list[str]:
    """The datapoint's fields but the answer field; all of them when nothing else is left."""
    answer = spec.output.answer_field
    return [k for k in data if k != answer] or list(data)


def _format_fields(spec: Spec) -> list[str]:
    """The fields the output format names, but the answer field (what a reference row is read by)."""
    output = spec.output
    if output.kind == "fields":
        names = [f.name for f in output.fields]
    elif output.kind == "json_schema" and output.json_schema is not None:
        names = list(output.json_schema.get("properties", {}))
    else:
        names = ["text"]
    return [n for n in names if n != output.answer_field]


def _places(path: Path, count: int) -> list[str]:
    """Where each item of a reference file is: FILE:LINE for JSONL, 'FILE: row N' otherwise."""
    if path.is_file() and path.suffix in (".jsonl", ".json"):
        return [f"{path}:{n}" for n, _ in read_objects(path, DataError)]
    return [f"{path}: row {i}" for i in range(1, count + 1)]


def reference_paths(spec: Spec) -> list[Path]:
    """generation.dedup.references, a relative path taken from the spec file's folder (as judge_check.items)."""
    return [p if p.is_absolute() else spec_folder(spec) / p for p in map(Path, spec.generation.dedup.references)]


def check_references(spec: Spec) -> None:
    """SpecError naming the spec line of each reference file that cannot be read as items (missing, empty, a bad
    JSONL line with FILE:LINE); for `validate` and every command before any model is started."""
    problems = []
    for index, path in enumerate(reference_paths(spec)):
        try:
            load_items(path)
        except DataError as exc:
            problems.append(spec_problem(spec, ("generation", "dedup", "references", index), str(exc)))
    if problems:
        raise SpecError(problems)


class DedupIndex:
    """One run's accepted texts and reference texts; `claim` checks a datapoint and, when it passes, holds it."""

    def __init__(self, spec: Spec):
        settings = spec.generation.dedup
        self.spec = spec
        self.accepted = OverlapIndex(settings.ngram, settings.overlap, "resemblance")
        self.references = OverlapIndex(settings.ngram, settings.overlap, "containment")
        self.threshold = settings.embedding_threshold
        self.embedder: Embedder | None = make_embedder() if self.threshold is not None else None
        self._keys: list[str] = []
        self._rows: list[np.ndarray] = []
        self._matrix: np.ndarray | None = None
        self._ref_keys: list[str] = []
        self._ref_matrix: np.ndarray | None = None
        self._load_references(reference_paths(spec))

    def _load_references(self, paths: list[Path]) -> None:
        wanted = _format_fields(self.spec)
        texts: list[str] = []
        for path in paths:
            try:
                items = load_items(path)
                places = _places(path, len(items))
            except DataError as exc:
                raise StageError(f"generation.dedup.references: {exc}") from None
            for item, place in zip(items, places):
                fields = [f for f in wanted if f in item.data] or [
                    k for k in item.data if k not in LEFT_OUT_OF_REFERENCES and k != self.spec.output.answer_field]
                text = fields_text(item.data, fields)
                self.references.add(place, text)
                self._ref_keys.append(place)
                texts.append(text)
        if self.embedder is not None and texts:
            self._ref_matrix = self.embedder.embed(texts)

    def text(self, data: dict[str, Any]) -> str:
        return fields_text(data, compared_fields(self.spec, data))

    def embed(self, text: str) -> np.ndarray | None:
        return self.embedder.embed([text])[0] if self.embedder is not None else None

    def add(self, key: str, data: dict[str, Any], vector: np.ndarray | None = None) -> None:
        text = self.text(data)
        self.accepted.add(key, text)
        if self.embedder is not None:
            self._keys.append(key)
            self._rows.append(self.embed(text) if vector is None else vector)
            self._matrix = None

    def _nearest(self, vector: np.ndarray, keys: list[str], matrix: np.ndarray | None,
                 skip: str | None = None) -> tuple[str, float] | None:
        if matrix is None or not len(matrix) or self.threshold is None:
            return None
        found = contamination(vector[None, :], matrix, threshold=self.threshold)
        best, similarity = int(found.best_index[0]), float(found.best_similarity[0])
        if not found.contaminated[0] or keys[best] == skip:
            return None  # the best row being the slot's own claim: a second-best above threshold is not sought
        return keys[best], similarity

    def check(self, key: str, data: dict[str, Any], vector: np.ndarray | None = None) -> str | None:
        """Why the datapoint under `key` repeats what is held, or None; the slot's own earlier claim is skipped."""
        text = self.text(data)
        match = self.references.find(text)
        if match is not None:
            return f"overlaps reference {match.key} ({_how(match, 'of the reference item found')})"
        match = self.accepted.find(text, skip=key)
        if match is not None:
            return f"duplicate of {match.key} ({_how(match, 'Jaccard')})"
        if vector is not None:
            near = self._nearest(vector, self._ref_keys, self._ref_matrix)
            if near is not None:
                return f"overlaps reference {near[0]} (embedding cosine {near[1]:.3f})"
            if self._matrix is None and self._rows:
                self._matrix = np.stack(self._rows)
            near = self._nearest(vector, self._keys, self._matrix, skip=key)
            if near is not None:
                return f"duplicate of {near[0]} (embedding cosine {near[1]:.3f})"
        return None

    def claim(self, key: str, data: dict[str, Any], vector: np.ndarray | None = None) -> str | None:
        """Check, then hold the datapoint when it passes: one synchronous call, so no other slot runs between."""
        reason = self.check(key, data, vector)
        if reason is None:
            self.add(key, data, vector)
        return reason


def _how(match: Match, share: str) -> str:
    if match.how == "exact":
        return "the same text once case, spacing and punctuation are taken out"
    return f"word n-grams: {match.score:.2f} {share}"


_INDEXES: WeakKeyDictionary[Context, DedupIndex] = WeakKeyDictionary()


def dedup_index(ctx: Context) -> DedupIndex:
    """The run's index (one per Context, built on first use: references read, accepted datapoints none yet)."""
    index = _INDEXES.get(ctx)
    if index is None:
        index = _INDEXES[ctx] = DedupIndex(ctx.spec)
    return index


def remember_accepted(ctx: Context, records: Iterable[Record]) -> None:
    """Before the first slot opens: the run's index built (a bad reference file is a StageError now, before any
    call) and the datapoints already accepted held, so a resumed run does not accept their duplicates."""
    if not ctx.spec.generation.dedup.enabled:
        return
    index = dedup_index(ctx)
    for record in records:
        index.add(record.id, record.data)


class DedupStep(Step):
    """The last step: no call; rejects a repeat of an accepted datapoint or of a reference item, naming it."""

    name = "dedup"
    summary = ("No call: rejects a datapoint (answer field left out) that repeats an accepted one or overlaps a "
               "reference file: same normalised text, word n-gram overlap, optionally embedding cosine.")
    settings = "generation.dedup"
    reads = ("record.data", "store: records (accepted)")
    writes = ("rejected.jsonl",)

    def enabled(self, spec: Spec) -> bool:
        return spec.generation.dedup.enabled

    async def run(self, draft: Draft, ctx: Context, caller: Caller) -> str | None:
        index = dedup_index(ctx)
        data = draft.data or {}
        vector = await asyncio.to_thread(index.embed, index.text(data)) if index.embedder is not None else None
        return index.claim(record_id(draft.job.slot), data, vector)  # no await from the check to the claim

    # load(): the base one, no call and every try goes on (repeats are the exception the estimate leaves out)
