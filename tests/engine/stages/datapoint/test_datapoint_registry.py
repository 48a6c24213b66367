"""Contracts of the step registry: the order DatapointMaker runs, plugin steps placed and removed with their call
sites, the stage vocabulary and the generation roles derived from the steps."""

from __future__ import annotations

import pytest

from seedless.core.calls import CALL_SITES, CallSite
from seedless.engine.stages.datapoint.registry import (
    STEPS,
    enabled_steps,
    generation_roles,
    register_step,
    step_names,
    unregister_step,
)
from seedless.engine.stages.datapoint.step import Step
from seedless.spec import parse_spec
from seedless.spec.models import Role

SITE = CallSite("tone_check", Role.critic, "tone_check", None)


class ToneStep(Step):
    name = "tone_check"
    calls = (SITE,)


def test_the_built_in_steps_run_in_the_methods_order_and_give_the_stage_vocabulary():
    assert step_names() == ("meta_prompt", "complexify", "generate", "checks", "requirements", "double_critic",
                            "dedup")
    assert generation_roles() == (Role.meta_prompter, Role.complexifier, Role.generator, Role.critic, Role.judge)


def test_switched_off_steps_are_not_run():
    spec = parse_spec("description: Word problems in arithmetic.\nfactors: [{name: T}]\n"
                      "generation: {requirement_critic: false}\n")
    assert [s.name for s in enabled_steps(spec)] == ["meta_prompt", "complexify", "generate", "dedup"]  # no answer


def test_a_plugin_step_goes_where_it_is_asked_with_its_call_site_and_leaves_no_trace():
    register_step(ToneStep(), after="generate")
    try:
        assert step_names()[3] == "tone_check" and CALL_SITES["tone_check"] is SITE
        with pytest.raises(ValueError, match="already exists"):
            register_step(ToneStep())
    finally:
        unregister_step("tone_check")
    assert "tone_check" not in step_names() and "tone_check" not in CALL_SITES and len(STEPS) == 7


def test_a_step_placed_after_an_unknown_one_is_refused():
    with pytest.raises(ValueError, match="no datapoint step named 'nope'"):
        register_step(ToneStep(), after="nope")
    assert "tone_check" not in step_names()


def test_a_plugin_step_without_a_place_goes_just_before_dedup_and_never_after_it():
    register_step(ToneStep())
    try:
        assert step_names()[-2:] == ("tone_check", "dedup")
    finally:
        unregister_step("tone_check")
    with pytest.raises(ValueError, match="cannot go after 'dedup'"):
        register_step(ToneStep(), after="dedup")
    assert "tone_check" not in step_names() and "tone_check" not in CALL_SITES
