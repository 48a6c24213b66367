"""Contracts of the hard budget: a run stops cleanly before a call could pass it, keeps what it made, and
continues with no finished call re-sent once the budget is raised."""

from __future__ import annotations

import asyncio
import json

import pytest

from conftest import SPEC, ScriptedModel, fake_clients
from seedless.engine.llm.budget import BudgetExceeded, Spend
from seedless.engine.llm.caller import fingerprint
from seedless.engine.llm.clients.fake import FakeClient
from seedless.engine.commands.run import run_dataset
from seedless.spec import parse_spec
from seedless.spec.models import Budget, Price

OUTPUT = """
size: 60
output:
  kind: fields
  fields: [{name: question}, {name: answer, type: integer}]
  answer_field: answer
"""


def spec_with(budget: str, prices: str = ""):
    text = SPEC.replace("  default: fake\n", f"  default: fake\n  budget: {budget}\n{prices}")
    return parse_spec(text + OUTPUT)


def test_spend_refuses_a_call_that_could_pass_the_token_budget():
    spend = Spend(Budget(tokens=1000), spent_tokens=600)
    held = spend.reserve(None, prompt_tokens=100, max_tokens=200)  # 600 + 300 <= 1000
    with pytest.raises(BudgetExceeded, match="models.budget.tokens"):
        spend.reserve(None, prompt_tokens=100, max_tokens=50)  # 600 + 300 reserved + 150 > 1000
    spend.settle(held, None, 100, 20)
    assert spend.spent_tokens == 720 and spend.reserved_tokens == 0


def test_spend_counts_cost_from_prices():
    price = Price(input_per_million=1.0, output_per_million=2.0)
    spend = Spend(Budget(cost=0.001))
    held = spend.reserve(price, prompt_tokens=200, max_tokens=300)  # 0.0002 + 0.0006 = 0.0008 <= 0.001
    spend.settle(held, price, 200, 100)  # 0.0004 spent
    assert spend.spent_cost == pytest.approx(0.0004)
    with pytest.raises(BudgetExceeded, match="models.budget.cost"):
        spend.reserve(price, prompt_tokens=200, max_tokens=300)  # 0.0004 + 0.0008 > 0.001


class Queued(FakeClient):
    """The fake model behind a narrow window, yielding like a real request: requests queue, the oldest datapoints
    first, so some datapoints finish before the budget runs out."""

    async def complete(self, request):
        await asyncio.sleep(0)
        return await super().complete(request)


def test_a_run_stops_at_its_budget_and_continues_when_it_is_raised(tmp_path):
    first = Queued("scripted", max_concurrency=2, responder=ScriptedModel())
    with pytest.raises(BudgetExceeded):
        asyncio.run(run_dataset(spec_with("{tokens: 30000}"), tmp_path, clients={"fake": first}))
    kept = (tmp_path / "dataset.jsonl").read_text().splitlines()  # written on the way out
    assert 0 < len(kept) < 60
    done = {fingerprint("x", r.schema_name, first.identity, r) for r in first.requests}
    clients, second = fake_clients(ScriptedModel())
    outcome = asyncio.run(run_dataset(spec_with("{tokens: 10000000}"), tmp_path, clients=clients))
    assert outcome.complete and len((tmp_path / "dataset.jsonl").read_text().splitlines()) == 60
    assert not done & {fingerprint("x", r.schema_name, second.identity, r) for r in second.requests}
    assert all(json.loads(line) in [json.loads(x) for x in (tmp_path / "dataset.jsonl").read_text().splitlines()]
               for line in kept)


def test_a_cost_budget_uses_the_specs_prices(tmp_path):
    prices = "  prices: {fake: {input_per_million: 1000, output_per_million: 1000}}\n"
    clients, _ = fake_clients(ScriptedModel())
    with pytest.raises(BudgetExceeded, match="cost budget"):
        asyncio.run(run_dataset(spec_with("{cost: 5}", prices), tmp_path, clients=clients))


def test_cached_prompt_tokens_cost_the_cached_price_and_the_input_price_when_none_is_set():
    from seedless.engine.llm.budget import cost_of
    discounted = Price(input_per_million=2.0, output_per_million=8.0, cached_input_per_million=0.5)
    assert cost_of(discounted, 1_000_000, 0, cached_tokens=600_000) == pytest.approx(0.8 + 0.3)
    assert cost_of(Price(input_per_million=2.0, output_per_million=8.0), 1_000_000, 0, 600_000) == pytest.approx(2.0)
    assert cost_of(discounted, 100, 0, cached_tokens=500) == pytest.approx(100 * 0.5 / 1e6)  # never above the prompt
    spend = Spend(Budget(cost=1.0))
    spend.settle(spend.reserve(discounted, 10, 10), discounted, 1_000_000, 0, 1_000_000)
    assert spend.spent_cost == pytest.approx(0.5)
