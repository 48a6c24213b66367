"""Contracts of the taxonomy_quality measure on the fake model: hand-computed completeness, soundness and novelty
from scripted labels, factors matched by name, sibling groups batched together, repairs, and a resume that sends
nothing."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from conftest import ScriptedModel, fake_clients, user_text
from seedless.core.taxonomy.file import read_taxonomies
from seedless.engine.commands.evaluate import evaluate
from seedless.engine.evaluation.taxonomy_quality import node_batches
from seedless.spec.eval_settings import EvalSettings
from seedless.spec.models import FakeEndpoint, ModelsSettings

GENERATED = """
factors:
- name: Animal
  children:
  - name: Mammals
    children: [Cats, Felines, Canines, Chairs]
  - Reptiles
- name: Colour
  children: [Red]
"""
EXPERT = """
factors:
- name: animal
  children:
  - name: Mammals
    children: [Cats, Dogs, Horses]
  - name: Birds
    children: [Parrots]
- name: Habitat
  children: [Forest, Sea]
"""
LABELS = {"Mammals": ("good_shared", "Mammals"), "Reptiles": ("good_new", "none"),
          "Mammals > Cats": ("good_shared", "Mammals > Cats"), "Mammals > Felines": ("redundant", "none"),
          "Mammals > Canines": ("good_shared", "Mammals > Dogs"), "Mammals > Chairs": ("bad", "none")}
NODE = re.compile(r"^(\d+)\. (.*)$", re.M)


def listed(request):
    """(number, path) of the nodes to label, from the last message that lists them (a repair comes after it)."""
    text = next(c for r, c in reversed(request.messages) if r == "user" and "Generated categories" in c)
    return NODE.findall(text.split("Generated categories to label:")[-1].split("Labels:")[0])


def label_by_table(request):
    """Labels each listed node as the LABELS table says."""
    return json.dumps({"labels": [{"node": int(n), "match": LABELS[path][1], "label": LABELS[path][0]}
                                  for n, path in listed(request)]})


@pytest.fixture
def model():
    m = ScriptedModel()
    m.overrides["taxonomy_judge"] = label_by_table
    return m


def run(tmp_path, model, **kw):
    (tmp_path / "generated.yaml").write_text(GENERATED)
    (tmp_path / "expert.yaml").write_text(EXPERT)
    clients, client = fake_clients(model)
    settings = EvalSettings(models=ModelsSettings(endpoints={"fake": FakeEndpoint()}, default="fake"),
                            metrics=["taxonomy_quality"], **kw)
    report = asyncio.run(evaluate(None, settings, tmp_path / "r.json", taxonomy=tmp_path / "generated.yaml",
                                  expert=tmp_path / "expert.yaml", clients=clients))
    return report, client


def test_scores_are_computed_from_the_labels_per_factor_and_overall(tmp_path, model):
    report, _ = run(tmp_path, model)
    section = report.as_dict()["taxonomy_quality"]
    (animal,) = section["factors"]
    # Animal: E = 6 expert nodes; 3 distinct matched (Mammals, Cats, Dogs); 4 good of 6 generated; 1 new
    assert (animal["factor"], animal["expert_factor"], animal["expert_nodes"]) == ("Animal", "animal", 6)
    assert (animal["completeness"], animal["soundness"], animal["novelty"]) == (0.5, 0.6667, 0.1667)
    assert animal["counts"] == {"good_shared": 3, "good_new": 1, "redundant": 1, "bad": 1}
    assert {"path": ["Animal", "Mammals", "Canines"], "label": "good_shared",
            "expert": ["animal", "Mammals", "Dogs"]} in animal["nodes"]
    assert animal["expert_unmatched"] == [["animal", "Mammals", "Horses"], ["animal", "Birds"],
                                          ["animal", "Birds", "Parrots"]]
    # overall: E = 6 + 2 (Habitat has no generated counterpart, its nodes count as missed)
    assert (section["expert_nodes"], section["completeness"], section["novelty"]) == (8, 0.375, 0.125)
    assert section["soundness"] == 0.6667
    assert section["unmatched_generated_factors"] == ["Colour"]
    assert section["unmatched_expert_factors"] == ["Habitat"]
    assert report.items == 0 and report.data is None


def test_sibling_groups_are_judged_together_and_split_only_when_too_big(tmp_path, model):
    tax = read_taxonomies_text(tmp_path, GENERATED).taxonomies[0]
    assert [[p[-1] for p in b] for b in node_batches(tax, 8)] == [
        ["Mammals", "Reptiles", "Cats", "Felines", "Canines", "Chairs"]]
    assert [[p[-1] for p in b] for b in node_batches(tax, 3)] == [
        ["Mammals", "Reptiles"], ["Cats", "Felines", "Canines"], ["Chairs"]]
    report, client = run(tmp_path, model, taxonomy_judge_batch=3)
    assert sum(r.schema_name == "taxonomy_judge" for r in client.requests) == 3
    assert report.as_dict()["taxonomy_quality"]["factors"][0]["completeness"] == 0.5


def read_taxonomies_text(tmp_path, text):
    path = tmp_path / "t.yaml"
    path.write_text(text)
    return read_taxonomies(path)


def test_the_match_is_limited_to_the_expert_paths_and_an_unmatched_good_shared_is_repaired(tmp_path, model):
    def careless(request):
        if "could not be used" in user_text(request):
            return None  # the repair: answer from the table
        return json.dumps({"labels": [{"node": int(n), "match": "none", "label": "good_shared"}
                                      for n, _ in listed(request)]})

    seen = []
    model.overrides["taxonomy_judge"] = lambda r: seen.append(r) or careless(r) or label_by_table(r)
    report, _ = run(tmp_path, model)
    schema = seen[0].json_schema["properties"]["labels"]["items"]["properties"]["match"]["enum"]
    assert schema == ["none", "Mammals", "Mammals > Cats", "Mammals > Dogs", "Mammals > Horses", "Birds",
                      "Birds > Parrots"]
    assert len(seen) == 2 and "good_shared, so its match must be one of the expert" in user_text(seen[1])
    assert report.as_dict()["taxonomy_quality"]["completeness"] == 0.375


def test_a_node_the_judge_left_out_is_reported_unlabelled(tmp_path, model):
    model.overrides["taxonomy_judge"] = lambda r: json.dumps(
        {"labels": [e for e in json.loads(label_by_table(r))["labels"] if e["node"] != 1]})
    report, _ = run(tmp_path, model)
    (animal,) = report.as_dict()["taxonomy_quality"]["factors"]
    assert animal["unlabelled"] == [["Animal", "Mammals"]] and animal["generated_nodes"] == 6
    assert animal["completeness"] == 0.3333  # Cats and Dogs of 6


def test_taxonomy_quality_run_again_sends_no_call(tmp_path, model):
    first, _ = run(tmp_path, model)
    again, client = run(tmp_path, model)
    assert first.calls_sent == 1 and client.requests == [] and again.taxonomy_quality == first.taxonomy_quality
