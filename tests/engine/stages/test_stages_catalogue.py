"""Contracts of the stage catalogue: every model-call site belongs to one stage, every stage's settings exist, the
datapoint steps come from the step registry."""

from __future__ import annotations

from seedless.core.calls import CALL_SITES
from seedless.engine.llm.prompts import PROMPT_DIR, template_path
from seedless.engine.stages.catalogue import stages
from seedless.engine.stages.datapoint.registry import STEPS
from seedless.spec.eval_settings import EvalSettings
from seedless.spec.models import Spec


def test_every_call_site_belongs_to_exactly_one_stage_and_has_its_template():
    names = [s.name for s in stages()]
    assert len(names) == len(set(names))
    for site in CALL_SITES.values():
        assert site.stage in names, site.name
        assert template_path(site).is_file(), site.name
    packaged = {p.stem for p in PROMPT_DIR.glob("*.j2")} - {"repair"}
    assert packaged == set(CALL_SITES)


def test_the_datapoint_steps_are_stages_in_registry_order_with_their_call_sites():
    listed = [s.name for s in stages()]
    steps = [s.name for s in STEPS]
    assert [n for n in listed if n in steps] == steps
    for step in STEPS:
        assert all(site.stage == step.name for site in step.calls), step.name


def test_every_stage_names_settings_that_exist_in_the_spec():
    for stage in stages():
        for setting in stage.settings.split(", "):
            section, _, field = setting.partition(".")
            if section == "eval":
                assert field in EvalSettings.model_fields, setting
                continue
            assert section in Spec.model_fields, setting
            if field and section != "models":
                assert field in Spec.model_fields[section].annotation.model_fields, setting
