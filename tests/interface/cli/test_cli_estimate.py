"""Contracts of `seedless estimate`: no model call, a row per stage with totals, roles' endpoints, cost from the
spec's prices, exit 2 on a bad spec, and call counts within 10% of a real fake-model run of the same spec."""

from __future__ import annotations

import asyncio
from collections import Counter

from click.testing import CliRunner

from conftest import SPEC, ScriptedModel, fake_clients
from seedless.core.estimate import Assumptions
from seedless.engine.commands.estimate import estimate_spec
from seedless.engine.commands.run import run_dataset
from seedless.interface.cli.estimate import estimate
from seedless.spec import parse_spec

OUTPUT = "output: {kind: fields, fields: [{name: question}, {name: answer, type: integer}], answer_field: answer}\n"
PRICES = ("  prices: {fake: {input_per_million: 1.0, output_per_million: 4.0}, "
          "elsewhere: {input_per_million: 1.0, output_per_million: 1.0}}\n")


def invoke(tmp_path, text, *args):
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return CliRunner().invoke(estimate, [str(path), *args], env={"COLUMNS": "200"})


def test_the_estimate_lists_every_stage_and_the_totals_without_a_model_call(tmp_path):
    result = invoke(tmp_path, SPEC + OUTPUT + "size: 20\n")
    assert result.exit_code == 0, result.output
    for site in ("taxonomy_propose", "taxonomy_critic", "level_plan", "strategies", "meta_prompt", "complexify",
                 "generate", "critic_requirements", "repair_datapoint", "judge_correct", "judge_incorrect", "total"):
        assert site in result.output
    assert "endpoint fake (fake:fake)" in result.output and "cost not shown" in result.output


def test_prices_in_the_spec_give_a_cost_and_an_unknown_price_key_is_reported(tmp_path):
    result = invoke(tmp_path, SPEC + PRICES + OUTPUT)
    assert result.exit_code == 0, result.output
    assert "; cost " in " ".join(result.output.split()) and "price 'elsewhere' names no endpoint" in result.output


def test_base_url_and_model_put_every_role_on_one_endpoint_and_keep_the_prices(tmp_path):
    text = SPEC + "  prices: {openai:m: {input_per_million: 1.0, output_per_million: 1.0}}\n" + OUTPUT
    result = invoke(tmp_path, text, "--base-url", "http://localhost:1/v1", "--model", "m")
    assert result.exit_code == 0, result.output
    assert "endpoint cli (openai:m)" in result.output and "no price for" not in result.output


def test_a_bad_spec_exits_2(tmp_path):
    result = invoke(tmp_path, "description: short\nsize: 0\n")
    assert result.exit_code == 2


def test_the_estimated_calls_are_within_ten_percent_of_a_fake_model_run(tmp_path):
    spec = parse_spec(SPEC + OUTPUT + "size: 20\n")
    model = ScriptedModel()  # every critic passes; the taxonomy critic keeps 2 children per node
    clients, client = fake_clients(model)
    asyncio.run(run_dataset(spec, tmp_path / "run", clients=clients))
    real = Counter(r.schema_name for r in client.requests)
    got = {s.calls.prompt: s.calls.calls.expected for s in estimate_spec(spec, Assumptions(acceptance=1.0)).stages}
    # generation is exact when every check passes; the taxonomy differs by the children midpoint (2.5 vs 2)
    for prompt in ("meta_prompt", "complexify", "generate", "critic_requirements"):
        assert got[prompt] == real[prompt]
    assert got["judge_correct"] == real["judge_correct"] and got["judge_incorrect"] == real["judge_incorrect"]
    assert got["judge_solve"] == real["judge_solve"] == 20
    total_real = sum(real.values())
    assert abs(sum(got.values()) - total_real) <= 0.1 * total_real
