"""Contracts of the complexification step: the harder meta-prompt kept with the original."""

from __future__ import annotations

from conftest import user_text
from datapoint_harness import MIX, asked, make

from seedless.engine.stages.datapoint import Job


def test_a_complexified_datapoint_keeps_the_original_meta_prompt(tmp_path, scripted):
    record, client = make(tmp_path, scripted, Job(1, 0, MIX, complexify=True))
    assert record.lineage.complexified is True
    assert record.lineage.original_meta_prompt == "A scenario about Halves and Shopping."
    assert record.lineage.meta_prompt == "HARDER: A scenario about Halves and Shopping."
    assert "Fractions > Halves" in user_text(asked(client, "complexify")[0])
