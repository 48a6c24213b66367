"""Contracts of `seedless eval` on the fake model: coverage by level-by-level assignment, Elo complexity,
a resumed eval that sends nothing, data errors that name file and line."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from conftest import ScriptedModel, fake_clients, user_text
from seedless.engine.evaluation.items import DataError, load_items
from seedless.engine.commands.evaluate import evaluate
from seedless.spec.eval_settings import EvalSettings
from seedless.spec.models import FakeEndpoint, ModelsSettings

TAXONOMY = """
factors:
- name: Topic
  children:
  - name: Fractions
    children: [Halves, Quarters]
  - name: Geometry
    children: [Angles, Areas]
"""
CHOICE = re.compile(r"^- (.+?)(?::.*)?$", re.M)
ITEM = re.compile(r"^(\d+)\. (.*)$", re.M)


def assign_by_words(request):
    """Places each item in the offered category whose name appears in its text."""
    text = user_text(request)
    block = text.split("Items:")[0]
    choices = CHOICE.findall(block.split('or "none of these":')[-1])
    out = []
    for number, item in ITEM.findall(text.split("Items:")[-1]):
        hit = next((c for c in choices if c.lower() in item.lower()), "none of these")
        out.append({"item": int(number), "node": hit})
    return json.dumps({"assignments": out})


def score_by_length(request):
    """A longer item is harder."""
    items = ITEM.findall(user_text(request).split("Items:")[-1])
    return json.dumps({"scores": [{"item": int(n), "score": min(10, len(t) // 10 + 1)} for n, t in items]})


def settings(**kw):
    return EvalSettings(models=ModelsSettings(endpoints={"fake": FakeEndpoint()}, default="fake"), **kw)


def write_data(tmp_path, texts):
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps({"id": f"q{i}", "question": t}) + "\n" for i, t in enumerate(texts)))
    return path


def run_eval(tmp_path, data, model, **kw):
    (tmp_path / "tax.yaml").write_text(TAXONOMY)
    clients, client = fake_clients(model)
    report = asyncio.run(evaluate(data, settings(metrics=["coverage", "complexity"], **kw), tmp_path / "r.json",
                                  taxonomy=tmp_path / "tax.yaml", clients=clients))
    return report, client


@pytest.fixture
def model():
    m = ScriptedModel()
    m.overrides["coverage_assign"] = assign_by_words
    m.overrides["complexity_batch"] = score_by_length
    return m


def test_coverage_descends_level_by_level_and_counts_ancestors(tmp_path, model):
    data = write_data(tmp_path, ["Fractions: share halves of a pizza", "Fractions: cut quarters of a cake",
                                 "Fractions in general", "A poem about the sea"])
    report, client = run_eval(tmp_path, data, model, coverage_assignment="descent")
    (topic,) = report.as_dict()["coverage"]["taxonomies"]
    levels = {lv["level"]: lv for lv in topic["levels"]}
    # level 1: Fractions hit, Geometry not -> 1/2; level 2: Halves, Quarters hit -> 2/4
    assert (levels[1]["hit"], levels[1]["nodes"]) == (1, 2) and levels[1]["uncovered"] == [["Topic", "Geometry"]]
    assert (levels[2]["hit"], levels[2]["nodes"]) == (2, 4)
    assert report.as_dict()["coverage"]["assignments"]["q0"] == {"Topic": ["Topic", "Fractions", "Halves"]}
    assert report.as_dict()["coverage"]["assignments"]["q2"] == {"Topic": ["Topic", "Fractions"]}
    assert report.as_dict()["coverage"]["assignments"]["q3"] == {} and topic["unassigned"] == 1
    # one batch at the root, one below Fractions (three items there); Geometry got no item
    assert sum(r.schema_name == "coverage_assign" for r in client.requests) == 2


def test_complexity_ratings_rise_with_what_the_rater_scores_higher(tmp_path, model):
    texts = ["x" * n for n in (5, 25, 45, 65, 85, 95)]
    report, _ = run_eval(tmp_path, write_data(tmp_path, texts), model)
    ratings = [report.as_dict()["complexity"]["ratings"][f"q{i}"] for i in range(6)]
    assert ratings == sorted(ratings) and ratings[0] < 1500 < ratings[-1]
    assert report.as_dict()["complexity"]["batches"] >= 6 and report.as_dict()["complexity"]["summary"]["count"] == 6


def test_an_eval_run_again_sends_no_call(tmp_path, model):
    data = write_data(tmp_path, ["Fractions: halves", "Geometry: angles", "Geometry: areas"])
    first, _ = run_eval(tmp_path, data, model)
    again, client = run_eval(tmp_path, data, model)
    assert first.calls_sent > 0 and client.requests == [] and again.coverage == first.coverage


def test_a_bad_line_and_a_missing_field_name_the_file_and_line(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"question": "a"}\n{oops\n')
    with pytest.raises(DataError, match=r"d\.jsonl:2: not JSON"):
        load_items(path)
    path.write_text('{"question": "a"}\n{"prompt": "b"}\n')
    with pytest.raises(DataError, match=r"d\.jsonl:2: no field question"):
        load_items(path, ["question"])


def test_a_run_directory_is_read_as_its_records_data(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    line = {"id": "s000001", "data": {"question": "q", "answer": 3},
            "lineage": {"mix": {"Topic": ["Topic", "Fractions"]}}}
    (run / "dataset.jsonl").write_text(json.dumps(line) + "\n")
    (item,) = load_items(run)
    assert (item.id, item.text, item.mix) == ("s000001", "question: q\nanswer: 3", {"Topic": ["Topic", "Fractions"]})


def test_an_interrupted_eval_resends_no_finished_call(tmp_path, model):
    from seedless.engine.llm.caller import fingerprint
    from seedless.engine.llm.clients.base import FatalModelError

    data = write_data(tmp_path, [f"Fractions: halves number {i}" for i in range(12)])
    answered = []

    def crash_after_five(request):
        if len(answered) >= 5:
            raise FatalModelError("endpoint gone")
        answered.append(request)
        return model(request)

    (tmp_path / "tax.yaml").write_text(TAXONOMY)
    clients, first = fake_clients(crash_after_five)
    with pytest.raises(FatalModelError):
        asyncio.run(evaluate(data, settings(metrics=["coverage", "complexity"]), tmp_path / "r.json",
                             taxonomy=tmp_path / "tax.yaml", clients=clients))
    report, second = run_eval(tmp_path, data, model)
    done = {fingerprint("x", r.schema_name, first.identity, r) for r in answered}
    assert not done & {fingerprint("x", r.schema_name, second.identity, r) for r in second.requests}
    assert report.calls_reused == 5 and len(report.as_dict()["complexity"]["ratings"]) == 12


def test_the_budget_applies_to_eval_and_stops_it_before_a_call_would_pass_it(tmp_path, model):
    from seedless.engine.llm.budget import BudgetExceeded
    from seedless.spec.models import Budget

    data = write_data(tmp_path, ["x" * n for n in (5, 25, 45, 65, 85, 95)])
    models = ModelsSettings(endpoints={"fake": FakeEndpoint()}, default="fake", budget=Budget(tokens=700))
    clients, client = fake_clients(model)
    with pytest.raises(BudgetExceeded):
        asyncio.run(evaluate(data, EvalSettings(models=models, metrics=["complexity"]), tmp_path / "r.json",
                             clients=clients))
    assert 0 < len(client.requests) < 6  # unbounded, the schedule asks at least six batches


def test_eval_judges_with_the_strongest_packaged_model_unless_models_are_named(monkeypatch):
    from seedless.engine.evaluation import judges as command  # eval's (and compare's) default judges
    from seedless.spec.models import EmbeddedEndpoint

    monkeypatch.setattr(command, "strongest_installed", lambda: "qwen2.5-coder-1.5b")
    chosen = command.judging_models(EvalSettings(models=ModelsSettings(endpoints={"embedded": EmbeddedEndpoint(
        n_parallel=2)})))
    assert chosen.models.endpoints["embedded"].model == "qwen2.5-coder-1.5b"
    assert chosen.models.endpoints["embedded"].n_parallel == 2  # the endpoint's other settings kept
    named = EvalSettings(models=ModelsSettings(endpoints={"embedded": EmbeddedEndpoint(model="qwen2.5-coder-0.5b")}))
    assert command.judging_models(named) is named
    assert command.judging_models(settings()) == settings()  # a fake or a server: as given
    monkeypatch.setattr(command, "strongest_installed", lambda: None)
    assert command.judging_models(EvalSettings()).models.endpoints["embedded"].model == "qwen2.5-coder-0.5b"
