"""Contract of docs/extending.md's generation-step example: registered in one line, it runs in every datapoint,
rejects with its own stage name, and shows in `seedless stages` and `seedless estimate`; removed again after."""

from __future__ import annotations

import asyncio
import json

import pytest
from click.testing import CliRunner
from conftest import SPEC, ScriptedModel, fake_clients
from extending_examples import run_example

from seedless.core.calls import CALL_SITES
from seedless.engine.commands.estimate import estimate_spec
from seedless.engine.commands.run import run_dataset
from seedless.engine.stages.datapoint.registry import step_names, unregister_step
from seedless.interface.cli import main
from seedless.spec import parse_spec

OUTPUT = "output: {kind: fields, fields: [{name: question}, {name: answer, type: integer}], answer_field: answer}\n"


@pytest.fixture
def clarity():
    example = run_example("generation-step")
    try:
        yield example
    finally:
        unregister_step("clarity")


def with_clarity(example, spec):
    generation = example["ClaritySettings"](**spec.generation.model_dump())
    return spec.model_copy(update={"generation": generation})


def test_the_example_step_runs_after_the_requirement_critic_and_rejects_under_its_own_name(tmp_path, clarity):
    assert step_names() == ("meta_prompt", "complexify", "generate", "checks", "requirements", "clarity", "double_critic", "dedup")
    spec = with_clarity(clarity, parse_spec(SPEC + OUTPUT + "size: 6\n"))
    model = ScriptedModel()
    asked = []

    def clear(request):
        asked.append(request)
        verdict = "no" if len(asked) % 3 == 0 else "yes"  # every third datapoint is unclear
        return json.dumps({"explanation": "the quantities are given" if verdict == "yes" else "no numbers given",
                           "clear": verdict})

    model.overrides["clarity"] = clear
    clients, client = fake_clients(model)
    outcome = asyncio.run(run_dataset(spec, tmp_path, clients=clients))
    assert outcome.complete
    records = [json.loads(line) for line in (tmp_path / "dataset.jsonl").read_text().splitlines()]
    rejected = [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text().splitlines()]
    assert len(records) == 6 and any(r["stage"] == "clarity" for r in rejected)
    assert all("unclear as posed" in r["reason"] for r in rejected if r["stage"] == "clarity")
    for record in records:
        assert [v["critic"] for v in record["lineage"]["verdicts"]] == [
            "requirements", "clarity", "blind_solve", "double_correct", "double_incorrect"]
    sent = [r for r in client.requests if r.schema_name == "clarity"]
    assert sent and '"clear"' in json.dumps(sent[0].json_schema) and "Question: {" in sent[0].messages[-1][1]
    rates = {r.stage: r for r in outcome.stats.stages()}
    assert rates["clarity"].rejected == sum(r["stage"] == "clarity" for r in rejected)


def test_the_estimate_and_the_stage_list_include_the_example_step(clarity):
    spec = with_clarity(clarity, parse_spec(SPEC + OUTPUT + "size: 10\n"))
    rows = {s.calls.prompt: s for s in estimate_spec(spec).stages}
    assert rows["clarity"].calls.calls.expected > 0 and rows["clarity"].calls.stage == "clarity"
    assert rows["clarity"].site.prompt_tokens > 10  # rendered from the example's own template
    listed = CliRunner().invoke(main, ["stages"])
    assert listed.exit_code == 0 and "clarity: Rejects a datapoint" in listed.output


def test_unregistering_removes_the_step_and_its_call_site():
    run_example("generation-step")
    unregister_step("clarity")
    assert "clarity" not in step_names() and "clarity" not in CALL_SITES
