"""Contracts of the meta-prompt step: the selection rule, earlier meta-prompts of the same mix in context."""

from __future__ import annotations

from conftest import user_text
from datapoint_harness import MIX, asked, make

from seedless.engine.stages.datapoint import Job, choose_meta_prompt


def test_the_kept_meta_prompt_names_the_most_mix_nodes_then_differs_most_from_history():
    candidates = ["A story at the shop.", "Halves of a pizza while shopping.", "Halves while Shopping today."]
    assert choose_meta_prompt(candidates, MIX, ()) == "Halves of a pizza while shopping."
    history = ("Halves of a pizza while shopping.",)
    assert choose_meta_prompt(candidates, MIX, history) == "Halves while Shopping today."

def test_earlier_meta_prompts_of_the_same_mix_are_in_context(tmp_path, scripted):
    _, client = make(tmp_path, scripted, Job(9, 0, MIX, False, history=("First idea.", "Second idea.")))
    text = user_text(asked(client, "meta_prompt")[0])
    assert "Scenarios already written for these same requirements" in text
    assert "- First idea.\n- Second idea." in text
