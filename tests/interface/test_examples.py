"""Contracts of the shipped examples: every spec validates; the ablation specs switch exactly their mechanisms."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ScriptedModel, fake_clients
from seedless.engine.commands.run import run_dataset
from seedless.spec import load_spec
from seedless.spec.models import FakeEndpoint, ModelsSettings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("path", sorted(EXAMPLES.rglob("*.yaml")), ids=lambda p: p.name)
def test_every_example_spec_validates(path):
    load_spec(path)


@pytest.mark.parametrize("variant, prompts", [
    ("baseline", {"generate"}),
    ("local", {"generate", "meta_prompt"}),
    ("global", {"generate", "taxonomy_propose", "taxonomy_critic", "strategies"}),
    ("local_global", {"generate", "meta_prompt", "taxonomy_propose", "strategies"}),
    ("full", {"generate", "meta_prompt", "complexify", "critic_requirements", "judge_correct", "judge_incorrect"}),
])
def test_each_ablation_spec_runs_exactly_its_mechanisms(tmp_path, variant, prompts):
    import asyncio

    spec = load_spec(EXAMPLES / "ablation" / f"{variant}.yaml")
    # The scripted model's texts do not end with the question mark the examples' pattern asks for, and its judge,
    # which accepts everything, would stop the judge check on the samples: both are beside the point here.
    fields = [f.model_copy(update={"pattern": None}) for f in spec.output.fields]
    spec = spec.model_copy(update={"output": spec.output.model_copy(update={"fields": fields}), "samples": [],
                                   "size": 4, "models": ModelsSettings(endpoints={"fake": FakeEndpoint()},
                                                                       default="fake"),
                                   "taxonomy": spec.taxonomy.model_copy(update={"depth": min(spec.taxonomy.depth, 2)})})
    model = ScriptedModel(factors=tuple(f.name for f in spec.factors))
    clients, _ = fake_clients(model)
    outcome = asyncio.run(run_dataset(spec, tmp_path, clients=clients))
    assert outcome.complete
    generation = {"meta_prompt", "complexify", "critic_requirements", "judge_correct", "judge_incorrect"}
    assert prompts <= set(model.calls)
    assert set(model.calls) & generation == prompts & generation
