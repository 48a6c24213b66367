"""The duplicates measure: near-duplicate groups, and overlap with a reference by embedding and by copied text."""

from __future__ import annotations

import asyncio
import json

from seedless.engine.commands.evaluate import evaluate
from seedless.spec.eval_settings import EvalSettings

QUESTION = "A train leaves the station at noon travelling at sixty miles per hour toward the coast."
ITEMS = [
    {"id": "copy", "text": QUESTION},
    {"id": "wrapped", "text": "Read the story and answer. " + QUESTION + " The driver stops twice for fuel, each stop "
                              "lasting ten minutes, and the line crosses three rivers and a long viaduct over a "
                              "valley full of orchards and farms. When does the train reach the coast, 180 miles "
                              "away, and how much of the journey is spent standing still at the fuel stops?"},
    {"id": "other", "text": "Name the largest planet of the solar system and its most famous storm."},
    {"id": "other2", "text": "Which gas do plants take in from the air to make sugar in sunlight?"},
]


def test_overlap_with_a_reference_counts_embedding_matches_and_copied_text(tmp_path):
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(i) + "\n" for i in ITEMS))
    reference = tmp_path / "test_set.jsonl"
    reference.write_text(json.dumps({"id": "ref-1", "text": QUESTION}) + "\n"
                         + json.dumps({"id": "ref-2", "text": "What is the boiling point of water at sea level?"}) + "\n")
    settings = EvalSettings(metrics=["duplicates"], references=[reference])
    report = asyncio.run(evaluate(data, settings, tmp_path / "r.json"))
    overlap = report.duplicates.contamination[0]
    assert [m.item for m in overlap.matches] == ["copy"]  # the wrapped copy is diluted below 0.95 by embedding
    assert {m.item: m.reference_item for m in overlap.ngram_matches} == {"copy": "ref-1", "wrapped": "ref-1"}
    assert overlap.ngram_overlapping == 2 and all(m.similarity == 1.0 for m in overlap.ngram_matches)
