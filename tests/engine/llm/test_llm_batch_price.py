"""Batch mode's price: an endpoint in `mode: batch` is billed at its discount of the online price (every rate, cached
input too), which each call's cost, the budget's account and `seedless estimate` all use; the estimate says which
endpoints run in batch mode and at what price."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from batch_stub import BatchStub
from click.testing import CliRunner

from seedless.core.calls import LEVEL_PLAN
from seedless.core.estimate import Assumptions
from seedless.engine.commands.estimate import estimate_spec
from seedless.engine.events import CallDone
from seedless.engine.llm.budget import BudgetExceeded, price_for
from seedless.engine.session import ModelSession
from seedless.engine.store.batches import BatchLedger
from seedless.interface.cli.estimate import estimate
from seedless.spec import parse_spec

SPEC = """
description: Word problems in arithmetic for primary school pupils.
factors:
  - {{name: Topic, description: the maths topic}}
  - {{name: Format, description: how the problem is told, depth: 1}}
models:
  endpoints:
    api: {{kind: openai, base_url: "{url}", model: m, mode: {mode}, batch: {{poll_s: 0.01, collect_s: 0.01{extra}}}}}
  default: api
  prices: {{"openai:m": {{input_per_million: 1000.0, output_per_million: 4000.0, cached_input_per_million: 100.0}}}}
{budget}"""


def spec(mode: str = "batch", url: str = "http://127.0.0.1:9/v1", extra: str = "", budget: str = ""):
    return parse_spec(SPEC.format(mode=mode, url=url, extra=extra, budget=budget))


def test_an_endpoint_in_batch_mode_is_priced_at_its_discount_of_every_rate():
    online = price_for(spec("online").models, "api")
    half = price_for(spec("batch").models, "api")
    quarter = price_for(spec("batch", extra=", discount: 0.25").models, "api")
    assert (online.input_per_million, online.output_per_million, online.cached_input_per_million) == (1000, 4000, 100)
    assert (half.input_per_million, half.output_per_million, half.cached_input_per_million) == (500, 2000, 50)
    assert (quarter.input_per_million, quarter.output_per_million) == (250, 1000)


def ask_plan(loaded, db):
    """One level-plan call through a session over `db`; the CallDone events."""
    done: list[CallDone] = []

    async def go():
        async with ModelSession(loaded.models, 0, db, "test", events=lambda e: isinstance(e, CallDone) and done.append(e)) as s:
            await s.caller.ask(LEVEL_PLAN, {"factor": "Topic", "factor_description": "", "description": "d",
                                            "level": 1, "nodes": [("Topic", "Sums")]})
            return s.caller.spend

    return asyncio.run(go()), done


def test_a_call_through_a_batch_endpoint_costs_and_counts_against_the_budget_at_the_batch_price(tmp_path):
    with BatchStub() as stub:
        spend, done = ask_plan(spec(url=stub.url), tmp_path / "s.db")
        assert len(stub.submissions) == 1
    cost = (10 * 500 + 5 * 2000) / 1e6  # the stub's usage: 10 prompt and 5 completion tokens
    assert [d.cost for d in done] == [pytest.approx(cost)] and spend.spent_cost == pytest.approx(cost)
    assert [b.state for b in BatchLedger(sqlite3.connect(tmp_path / "s.db")).batches()] == ["collected"]


def test_a_cost_budget_the_online_price_would_pass_allows_the_batch_call(tmp_path):
    # the call reserves its prompt plus all of max_tokens (the level planner's 1,200 on an openai endpoint): about
    # 4.9 at the online price, half that in batch mode
    budget = "  budget: {cost: 3.5}\n"
    with BatchStub() as stub:
        with pytest.raises(BudgetExceeded):
            ask_plan(spec("online", url=stub.url, budget=budget), tmp_path / "online.db")
        ask_plan(spec("batch", url=stub.url, budget=budget), tmp_path / "batch.db")
        assert len(stub.submissions) == 1


def test_the_estimate_costs_a_batch_endpoint_at_half_and_says_it_runs_in_batch_mode(tmp_path):
    online = estimate_spec(spec("online"), Assumptions()).total("cost")
    batched = estimate_spec(spec("batch"), Assumptions()).total("cost")
    assert batched.expected == pytest.approx(online.expected / 2) and batched.high == pytest.approx(online.high / 2)
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.format(mode="batch", url="http://127.0.0.1:9/v1", extra="", budget=""))
    shown = CliRunner().invoke(estimate, [str(path)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    said = " ".join(shown.output.split())  # lines wrapped at the console's width
    assert "endpoint api (openai:m): " in said
    assert "; batch mode, at 0.5 x the online price: 500 in / 2000 out per million tokens" in said
