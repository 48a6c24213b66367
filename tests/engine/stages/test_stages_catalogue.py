"""Contracts of the stage catalogue: every model-call site belongs to a stage, every stage's settings exist."""

from __future__ import annotations

from seedless.engine.stages.catalogue import STAGES
from seedless.engine.llm.prompts import PromptName
from seedless.spec.eval_settings import EvalSettings
from seedless.spec.models import Spec


def test_every_prompt_belongs_to_exactly_one_stage():
    used = [p for s in STAGES for p in s.prompts]
    assert sorted(used) == sorted(PromptName) and len(used) == len(set(used))


def test_every_stage_names_settings_that_exist_in_the_spec():
    for stage in STAGES:
        for setting in stage.settings.split(", "):
            section, _, field = setting.partition(".")
            if section == "eval":
                assert field in EvalSettings.model_fields, setting
                continue
            assert section in Spec.model_fields, setting
            if field and section != "models":
                assert field in Spec.model_fields[section].annotation.model_fields, setting
