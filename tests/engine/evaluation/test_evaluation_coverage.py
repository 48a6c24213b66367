"""Contracts of the coverage measure's assignment on the fake model: the whole taxonomy in one prompt per batch
(items at the path the assigner names, "none of these" unplaced, a path not in the tree repaired with its reason),
tolerant path matching, auto descending level by level when the tree does not fit, and the report naming the mode."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from conftest import ScriptedModel, fake_clients
from seedless.core.taxonomy.tree import Node, Taxonomy
from seedless.engine.commands.evaluate import evaluate
from seedless.engine.evaluation.assigner import TreePaths
from seedless.engine.llm.clients.fake import FakeClient
from seedless.spec.eval_settings import EvalSettings
from seedless.spec.models import EmbeddedEndpoint, FakeEndpoint, ModelsSettings

TAXONOMY = """
factors:
- name: Topic
  description: the maths topic
  children:
  - name: Fractions
    description: parts of a whole
    children: [Halves, Quarters]
  - name: Geometry
    children: [Angles, Areas]
"""
TEXTS = ["Fractions: share halves of a pizza", "Fractions in general", "A poem about the sea", "Geometry of areas"]
NODE_LINE = re.compile(r"^\s*- (.+?)(?::.*)?$", re.M)
ITEM = re.compile(r"^(\d+)\. (.*)$", re.M)


def ask(request) -> str:
    """The user message that lists the taxonomy and the items (a repair message comes after it)."""
    return next(c for r, c in reversed(request.messages) if r == "user" and "Its nodes" in c)


def listed(request) -> tuple[list[str], list[tuple[str, str]]]:
    text = ask(request)
    nodes = NODE_LINE.findall(text.split("full path:")[1].split("For each item")[0])
    return nodes, ITEM.findall(text.split("Items:")[-1])


def deepest_named(request) -> str:
    """Each item at the deepest listed path whose last name appears in its text."""
    nodes, items = listed(request)
    out = []
    for number, item in items:
        fits = [p for p in nodes if p.split(" > ")[-1].lower() in item.lower()]
        out.append({"item": int(number), "path": max(fits, key=len) if fits else "none of these"})
    return json.dumps({"assignments": out})


def settings(**kw) -> EvalSettings:
    return EvalSettings(models=ModelsSettings(endpoints={"fake": FakeEndpoint()}, default="fake"),
                        metrics=["coverage"], **kw)


def run(tmp_path, responder, texts=TEXTS, clients=None, **kw):
    tmp_path.mkdir(exist_ok=True)
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"id": f"q{i}", "question": t}) + "\n" for i, t in enumerate(texts)))
    (tmp_path / "tax.yaml").write_text(TAXONOMY)
    model = ScriptedModel()
    model.overrides["coverage_assign_tree"] = responder
    if clients is None:
        clients, client = fake_clients(model)
    else:
        client = clients["embedded"]
        client.responder = model
    eval_settings = kw.pop("eval_settings", None) or settings(**kw)
    report = asyncio.run(evaluate(data, eval_settings, tmp_path / "r.json", taxonomy=tmp_path / "tax.yaml",
                                  clients=clients))
    return report.as_dict()["coverage"], client


def test_tree_mode_shows_the_whole_taxonomy_once_per_batch_and_places_items_at_the_named_path(tmp_path):
    section, client = run(tmp_path, deepest_named, coverage_assignment="tree")
    assert section["assignments"] == {"q0": {"Topic": ["Topic", "Fractions", "Halves"]},
                                      "q1": {"Topic": ["Topic", "Fractions"]}, "q2": {},
                                      "q3": {"Topic": ["Topic", "Geometry", "Areas"]}}
    (topic,) = section["taxonomies"]
    levels = {lv["level"]: (lv["hit"], lv["nodes"]) for lv in topic["levels"]}
    assert levels == {1: (2, 2), 2: (2, 4)} and topic["unassigned"] == 1 and topic["failures"] == []
    assert section["mode"] == "model: whole taxonomy in context"
    (request,) = client.requests  # four items, one batch of eight: one call, no descent
    assert request.schema_name == "coverage_assign_tree"
    text = ask(request)
    assert "Taxonomy: Topic (the maths topic)" in text and "- Fractions: parts of a whole" in text
    assert "  - Fractions > Quarters" in text and "  - Geometry > Angles" in text
    enum = request.json_schema["properties"]["assignments"]["items"]["properties"]["path"]["enum"]
    assert enum == ["Fractions", "Fractions > Halves", "Fractions > Quarters", "Geometry", "Geometry > Angles",
                    "Geometry > Areas", "none of these"]


def test_tree_mode_batches_items_by_coverage_batch(tmp_path):
    _, client = run(tmp_path, deepest_named, coverage_assignment="tree", coverage_batch=3)
    assert [r.schema_name for r in client.requests] == ["coverage_assign_tree"] * 2


def test_a_path_not_in_the_tree_is_repaired_with_its_reason_not_dropped(tmp_path):
    def wrong_first(request):
        if request.messages[-1][1].startswith("Your reply could not be used"):
            return deepest_named(request)
        return json.dumps({"assignments": [{"item": 1, "path": "Topic > Algebra"},
                                           {"item": 2, "path": "Fractions"}]})

    section, client = run(tmp_path, wrong_first, texts=TEXTS[:2], coverage_assignment="tree")
    assert len(client.requests) == 2
    repair = client.requests[1].messages[-1][1]
    assert "not a path of the Topic taxonomy: item 1: 'Topic > Algebra'" in repair
    assert section["assignments"]["q0"] == {"Topic": ["Topic", "Fractions", "Halves"]}
    assert section["taxonomies"][0]["failures"] == []


def test_a_batch_still_wrong_after_its_repairs_is_a_failure_and_its_items_stay_unplaced(tmp_path):
    always_wrong = lambda request: json.dumps({"assignments": [{"item": 1, "path": "Algebra"}]})  # noqa: E731
    section, client = run(tmp_path, always_wrong, texts=TEXTS[:1], coverage_assignment="tree")
    assert len(client.requests) == 3  # the call and models.max_repairs (2) repairs
    (failure,) = section["taxonomies"][0]["failures"]
    assert failure.startswith("batch 1 of 1: attempt 1: not a path of the Topic taxonomy: item 1: 'Algebra'")
    assert section["assignments"]["q0"] == {} and section["taxonomies"][0]["unassigned"] == 1


def test_reply_paths_match_ignoring_case_spacing_the_factor_arrows_and_unique_tails():
    tree = TreePaths(Taxonomy(Node("Topic", children=[
        Node("Fractions", children=[Node("Halves"), Node("Parts")]), Node("Geometry", children=[Node("Parts")])]),
        depth=2))
    assert tree.resolve("fractions >  HALVES") == ("Topic", "Fractions", "Halves")
    assert tree.resolve("Topic > Fractions -> Halves") == ("Topic", "Fractions", "Halves")
    assert tree.resolve("Fractions → Halves") == ("Topic", "Fractions", "Halves")
    assert tree.resolve("Halves") == ("Topic", "Fractions", "Halves")  # one node's path ends so
    assert tree.resolve("Parts") is None  # two nodes' paths end so: ambiguous
    assert tree.resolve("Geometry > Parts") == ("Topic", "Geometry", "Parts")
    assert tree.resolve("Geometry > Halves") is None and tree.resolve("Topic") is None


def test_auto_shows_the_whole_tree_when_it_fits(tmp_path):
    section, client = run(tmp_path, deepest_named)
    assert section["mode"] == "model: whole taxonomy in context"
    assert {r.schema_name for r in client.requests} == {"coverage_assign_tree"}


def test_auto_descends_level_by_level_for_a_tree_over_the_node_limit(tmp_path):
    section, client = run(tmp_path, deepest_named, coverage_tree_max_nodes=5)
    assert {r.schema_name for r in client.requests} == {"coverage_assign"}
    assert section["mode"] == ("model: level-by-level descent (auto descended: Topic 6 nodes, over "
                               "coverage_tree_max_nodes 5)")
    _, forced = run(tmp_path / "tree", deepest_named, coverage_tree_max_nodes=5, coverage_assignment="tree")
    assert {r.schema_name for r in forced.requests} == {"coverage_assign_tree"}  # tree is not a limit


def test_auto_descends_when_the_prompt_does_not_fit_the_assigners_context(tmp_path):
    models = ModelsSettings(endpoints={"embedded": EmbeddedEndpoint(n_ctx_per_slot=512)})
    section, client = run(tmp_path, deepest_named, clients={"embedded": FakeClient("scripted")},
                          eval_settings=EvalSettings(models=models, metrics=["coverage"]))
    assert {r.schema_name for r in client.requests} == {"coverage_assign"}
    assert "over the 512-token context" in section["mode"]


@pytest.mark.parametrize("assignment", ["descent", "tree"])
def test_the_report_names_the_mode_used(tmp_path, assignment):
    section, _ = run(tmp_path, deepest_named, coverage_assignment=assignment)
    how = {"descent": "level-by-level descent", "tree": "whole taxonomy in context"}[assignment]
    assert section["mode"] == f"model: {how}"
