"""Contracts of the taxonomy stage: best-of-N proposals, critic edits, level plans, depth, guards."""

from __future__ import annotations

import asyncio
import json

import pytest

from conftest import ScriptedModel, user_text
from seedless.core.taxonomy.tree import Node, Taxonomy, TaxonomySet
from seedless.engine.llm.bindings import Endpoints
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.clients.base import ModelError
from seedless.engine.llm.clients.fake import FakeClient
from seedless.engine.stages.factors import StageError
from seedless.engine.store.calls import Store
from seedless.engine.stages.taxonomy import TaxonomyBuilder, lost_expansions, pool
from seedless.spec import parse_spec


def build(spec, model: ScriptedModel, tmp_path, depth=2, factor="Topic", client=None):
    client = client or FakeClient("scripted", 16, responder=model)
    store = Store(tmp_path / "s.db")
    endpoints = Endpoints(spec.models, clients={"fake": client})
    caller = Caller(store, endpoints.bindings(), seed=spec.seed, max_repairs=1)
    builder = TaxonomyBuilder(spec, caller)
    tax = Taxonomy(Node(factor, "the maths topic"), depth)
    asyncio.run(builder.build(tax))
    return tax, builder, client


def test_each_node_gets_n_independent_proposals(spec, scripted, tmp_path):
    tax, builder, client = build(spec, scripted, tmp_path, depth=1)
    proposals = [r for r in client.requests if r.schema_name == "taxonomy_propose"]
    assert len(proposals) == 3
    assert len({r.seed for r in proposals}) == 3
    assert len({user_text(r) for r in proposals}) == 3  # numbered, so servers ignoring seed still differ
    assert builder.decisions[0].proposals[0] == ["Topic 1.1", "Topic 1.2", "Topic common"]



def test_the_taxonomy_critic_sees_the_level_plan_of_the_nodes_it_edits(spec, scripted, tmp_path):
    tax, builder, client = build(spec, scripted, tmp_path, depth=2)
    critics = [user_text(r) for r in client.requests if r.schema_name == "taxonomy_critic"]
    level2 = [text for text in critics if 'Category: "Topic"' not in text]
    assert level2 and all(f"Plan for this level: {builder.plans[0].plan}" in text for text in level2)
    root = [text for text in critics if 'Category: "Topic"' in text]
    assert root and not any("Plan for this level" in text for text in root)  # no plan before level 1

def test_pool_orders_by_votes_then_first_seen():
    pooled = pool([["A", "B"], ["b", "C"], ["C", "D", "B"]])
    assert pooled == [("B", 3), ("C", 2), ("A", 1), ("D", 1)]


def test_critic_edits_become_children_and_are_recorded(spec, scripted, tmp_path):
    tax, builder, _ = build(spec, scripted, tmp_path, depth=1)
    decision = builder.decisions[0]
    assert decision.pooled[0] == "Topic common"  # three votes
    assert [c.name for c in tax.root.children] == ["Topic common", "Topic 1.1"]
    assert decision.children == ["Topic common", "Topic 1.1"]
    assert "Topic 2.1" in decision.removed and decision.added == []
    assert {e.action for e in decision.critic_edits} == {"remove"}
    assert all(e.reason == "narrow" for e in decision.critic_edits)


def test_critic_additions_and_renames_are_recorded_as_added(spec, scripted, tmp_path):
    scripted.overrides["taxonomy_critic"] = lambda r: json.dumps({
        "edits": [{"action": "rename", "target": "Topic common", "result": "Shared topic", "reason": "clearer"}],
        "children": ["Shared topic", "Topic 1.1"]})
    tax, builder, _ = build(spec, scripted, tmp_path, depth=1)
    decision = builder.decisions[0]
    assert decision.added == ["Shared topic"]
    assert "Topic common" in decision.removed
    assert decision.critic_edits[0].action == "rename"


def test_level_plan_is_written_between_levels_and_reaches_the_next_levels_prompts(spec, scripted, tmp_path):
    tax, builder, client = build(spec, scripted, tmp_path, depth=3)
    plans = [r for r in client.requests if r.schema_name == "level_plan"]
    assert len(plans) == 2  # before level 2 and before level 3, none for the root's children
    assert [p.level for p in builder.plans] == [2, 3]
    level2 = [r for r in client.requests if r.schema_name == "taxonomy_propose" and "Topic > Topic common" in
              user_text(r) and "Category to split: \"Topic common\"" in user_text(r)]
    assert level2 and all("Plan for this level: Split every node" in user_text(r) for r in level2)
    first_level = [r for r in client.requests if 'Category to split: "Topic"' in user_text(r)]
    assert first_level and not any("Plan for this level" in user_text(r) for r in first_level)


def test_depth_is_respected(spec, scripted, tmp_path):
    tax, _, _ = build(spec, scripted, tmp_path, depth=2)
    assert tax.level_sizes() == [1, 2, 4]
    assert all(not n.children for _, n in tax.level(2))


def test_critic_off_keeps_the_pooled_names_most_voted_first(scripted, tmp_path, spec_text):
    spec = parse_spec(spec_text.replace("critic: true", "critic: false"))
    tax, builder, client = build(spec, scripted, tmp_path, depth=1)
    assert not any(r.schema_name == "taxonomy_critic" for r in client.requests)
    assert [c.name for c in tax.root.children] == ["Topic common", "Topic 1.1", "Topic 1.2", "Topic 2.1"]


def test_critic_failure_falls_back_to_pooled_and_is_recorded(spec, scripted, tmp_path):
    scripted.overrides["taxonomy_critic"] = lambda r: "I cannot answer that."
    tax, builder, client = build(spec, scripted, tmp_path, depth=1)
    assert sum(r.schema_name == "taxonomy_critic" for r in client.requests) == 2  # one repair
    assert [c.name for c in tax.root.children][0] == "Topic common"
    assert any(f.startswith("critic:") for f in builder.decisions[0].failures)


def test_bad_names_are_rejected_and_recorded_never_crashing(spec, scripted, tmp_path):
    long = "x" * 200
    scripted.overrides["taxonomy_propose"] = lambda r: json.dumps(
        {"children": ["1. Fractions", "fractions", "Topic", "", long, "Topic > Decimals", "Money (1)"]})
    scripted.overrides["taxonomy_critic"] = lambda r: None if False else json.dumps(
        {"edits": [], "children": ["Fractions", "Decimals", "Money"]})
    tax, builder, _ = build(spec, scripted, tmp_path, depth=1)
    assert [c.name for c in tax.root.children] == ["Fractions", "Decimals", "Money"]
    reasons = {r.reason for r in builder.decisions[0].rejected}
    assert "duplicate of a sibling" in reasons
    assert "repeats its parent or an ancestor" in reasons
    assert "empty name" in reasons
    assert any("longer than" in r for r in reasons)


def test_a_child_repeating_a_node_higher_up_is_rejected(spec, scripted, tmp_path):
    def propose(request):
        text = user_text(request)
        if 'Category to split: "Topic"' in text:
            return json.dumps({"children": ["Algebra", "Geometry"]})
        return json.dumps({"children": ["Geometry", "Algebra", "Angles", "Equations"]})
    scripted.overrides["taxonomy_propose"] = propose
    scripted.overrides["taxonomy_critic"] = lambda r: json.dumps(
        {"edits": [], "children": [n for n in ("Algebra", "Geometry", "Angles", "Equations") if f"- {n} (" in
                                   user_text(r)]})
    tax, _, _ = build(spec, scripted, tmp_path, depth=2)
    assert [c.name for c in tax.find(("Topic", "Algebra")).children] == ["Angles", "Equations"]


def test_all_proposals_failing_leaves_a_recorded_leaf(spec, scripted, tmp_path):
    scripted.overrides["taxonomy_propose"] = lambda r: "no json here"
    tax, builder, _ = build(spec, scripted, tmp_path, depth=1)
    assert tax.root.children == []
    assert len(builder.decisions[0].failures) == 3


def test_nodes_of_a_level_expand_concurrently(spec, scripted, tmp_path):
    class Gate(FakeClient):
        open_now = 0
        most = 0

        async def complete(self, request):
            Gate.open_now += 1
            Gate.most = max(Gate.most, Gate.open_now)
            await asyncio.sleep(0.01)
            Gate.open_now -= 1
            return await super().complete(request)

    build(spec, scripted, tmp_path, depth=2, client=Gate("scripted", 16, responder=scripted))
    assert Gate.most >= 6  # two level-2 nodes x three proposals in flight together


def test_a_node_whose_every_proposal_failed_is_lost_but_one_the_model_left_empty_is_not(spec, scripted, tmp_path):
    def propose(request):
        if 'Category to split: "Topic common"' in user_text(request):
            raise ModelError("HTTP 500: proxy error")
        if 'Category to split: "Topic 1.1"' in user_text(request):
            return json.dumps({"children": []})
        return None
    scripted.overrides["taxonomy_propose"] = propose
    tax, builder, _ = build(spec, scripted, tmp_path, depth=2)
    by_node = {d.path[-1]: d for d in builder.decisions}
    assert by_node["Topic common"].lost and not by_node["Topic 1.1"].lost and not by_node["Topic"].lost
    assert lost_expansions(TaxonomySet([tax]), builder.decisions) == [by_node["Topic common"]]


def test_a_taxonomy_left_without_a_child_by_failures_is_a_stage_error_naming_each_reason_once(spec, scripted,
                                                                                              tmp_path):
    scripted.overrides["taxonomy_propose"] = lambda r: "no json here"
    tax, builder, _ = build(spec, scripted, tmp_path, depth=1)
    with pytest.raises(StageError) as info:
        lost_expansions(TaxonomySet([tax]), builder.decisions)
    message = str(info.value)
    assert "every proposal for factor 'Topic' failed" in message
    assert message.count("attempt 1") == 1 and "Use a stronger taxonomy_proposer" in message


def test_a_leaf_the_user_froze_is_never_a_failure(spec, scripted, tmp_path):
    tax = Taxonomy(Node("Topic"), 1)
    store = Store(tmp_path / "s.db")
    client = FakeClient("scripted", 16, responder=scripted)
    caller = Caller(store, Endpoints(spec.models, clients={"fake": client}).bindings(), seed=spec.seed, max_repairs=1)
    builder = TaxonomyBuilder(spec, caller, frozen={("topic",)})
    asyncio.run(builder.build(tax))
    assert client.requests == [] and lost_expansions(TaxonomySet([tax]), builder.decisions) == []
