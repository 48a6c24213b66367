"""Contracts of `seedless compare` on the fake model: coverage against one shared taxonomy (the union of the runs',
never each run's own), independent of the other datasets; one joint Elo pool whose ratings depend only on the pooled
items (not on labels, order or grouping) and rank a harder dataset above an easier one; no model without one."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from conftest import ScriptedModel, fake_clients, user_text
from seedless.engine.commands.compare import compare, dataset_names, write_comparison
from seedless.engine.evaluation.items import DataError
from seedless.spec.compare_settings import CompareSettings
from seedless.spec.models import FakeEndpoint, ModelsSettings

DEEP = """
factors:
- name: Topic
  depth: 2
  children:
  - name: Fractions
    children: [Halves, Quarters]
  - name: Geometry
    children: [Angles, Areas]
"""
SHALLOW = """
factors:
- name: Topic
  depth: 1
  children: [Fractions, Geometry]
"""
NODE_LINE = re.compile(r"^\s*- (.+?)(?::.*)?$", re.M)
ITEM = re.compile(r"^(\d+)\. (.*)$", re.M)


def deepest_named(request) -> str:
    """Each item at the deepest listed path whose last name appears in its text."""
    text = next(c for r, c in reversed(request.messages) if r == "user" and "Its nodes" in c)
    nodes = NODE_LINE.findall(text.split("full path:")[1].split("For each item")[0])
    out = []
    for number, item in ITEM.findall(text.split("Items:")[-1]):
        fits = [p for p in nodes if p.split(" > ")[-1].lower() in item.lower()]
        out.append({"item": int(number), "path": max(fits, key=len) if fits else "none of these"})
    return json.dumps({"assignments": out})


def score_by_marker(request) -> str:
    """An item is as hard as the number of times it says 'hard'."""
    items = ITEM.findall(user_text(request).split("Items:")[-1])
    return json.dumps({"scores": [{"item": int(n), "score": min(10, 1 + t.count("hard"))} for n, t in items]})


@pytest.fixture
def model():
    m = ScriptedModel()
    m.overrides["coverage_assign_tree"] = deepest_named
    m.overrides["complexity_batch"] = score_by_marker
    return m


def settings(**kw) -> CompareSettings:
    kw.setdefault("fields", ["question"])  # the text judged: without it, every field but id
    return CompareSettings(models=ModelsSettings(endpoints={"fake": FakeEndpoint()}, default="fake"), **kw)


def write_jsonl(path, texts, prefix="q"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"id": f"{prefix}{i}", "question": t}) + "\n" for i, t in enumerate(texts)))
    return path


def write_run(path, texts, taxonomy):
    write_jsonl(path / "dataset.jsonl", texts)
    (path / "taxonomy.yaml").write_text(taxonomy)
    return path


def run(out, sources, model, **kw):
    clients, client = fake_clients(model)
    names = kw.pop("names", ())
    taxonomy = kw.pop("taxonomy", None)
    comparison = asyncio.run(compare(sources, settings(**kw), out, names=names, taxonomy=taxonomy, clients=clients))
    return comparison, client


BASELINE = ["Fractions for beginners", "More fractions", "Geometry basics", "Geometry again"]
FULL = ["Fractions: halves of a pizza", "Fractions: quarters of a cake", "Geometry: angles of a roof",
        "Geometry: areas of a garden"]


def test_a_depth_1_baseline_is_not_fully_covered_by_the_union_of_the_runs_taxonomies(tmp_path, model):
    baseline = write_run(tmp_path / "baseline", BASELINE, SHALLOW)
    full = write_run(tmp_path / "full", FULL, DEEP)
    comparison, _ = run(tmp_path / "out", [baseline, full], model, metrics=["coverage"])
    low, high = comparison.datasets
    assert (low.level_ratio(1), low.level_ratio(2)) == (1.0, 0.0)  # its own one-level taxonomy would say 100%
    assert (high.level_ratio(1), high.level_ratio(2)) == (1.0, 1.0)
    assert comparison.levels == 2 and "union" in comparison.taxonomy_description
    written = (tmp_path / "out" / "taxonomy.yaml").read_text()
    assert "Halves" in written and comparison.taxonomy == str(tmp_path / "out" / "taxonomy.yaml")
    header, rows = comparison.table()
    assert rows[0].cells[header.index("cov. L2")] == "0%"


def test_a_datasets_coverage_does_not_depend_on_the_datasets_it_is_compared_with(tmp_path, model):
    full = write_run(tmp_path / "full", FULL, DEEP)
    other = write_jsonl(tmp_path / "other.jsonl", ["Angles everywhere", "Nothing at all"])
    more = write_jsonl(tmp_path / "more.jsonl", ["Quarters", "Halves and quarters", "A poem"])
    (tmp_path / "deep.yaml").write_text(DEEP)
    first, _ = run(tmp_path / "out1", [full, other], model, metrics=["coverage"], taxonomy=tmp_path / "deep.yaml")
    second, _ = run(tmp_path / "out2", [more, full], model, metrics=["coverage"], taxonomy=tmp_path / "deep.yaml")
    union, _ = run(tmp_path / "out3", [other, full, more], model, metrics=["coverage"])  # files bring no taxonomy
    assert first.datasets[0].coverage == second.datasets[1].coverage == union.datasets[1].coverage
    assert first.datasets[1].coverage == union.datasets[0].coverage
    assert first.taxonomy == str(tmp_path / "deep.yaml") and (tmp_path / "out1" / "taxonomy.yaml").is_file()


def texts(kind, n):
    return [f"{kind} task {i}: " + ("hard " * (2 + i % 3) if kind == "hard" else "easy ") + f"#{i}"
            for i in range(n)]


def ratings_by_text(comparison, sources):
    out = {}
    for d, items in zip(comparison.datasets, sources):
        for line in items.read_text().splitlines():
            row = json.loads(line)
            out[row["question"]] = d.complexity.ratings[row["id"]]
    return out


def test_an_items_joint_rating_depends_only_on_the_pool_not_on_labels_order_or_grouping(tmp_path, model):
    easy, hard = texts("easy", 6), texts("hard", 6)
    a = write_jsonl(tmp_path / "a.jsonl", easy)
    b = write_jsonl(tmp_path / "b.jsonl", hard)
    mixed1 = write_jsonl(tmp_path / "m1.jsonl", easy[:3] + hard[:3], prefix="x")
    mixed2 = write_jsonl(tmp_path / "m2.jsonl", easy[3:] + hard[3:], prefix="y")
    forward, _ = run(tmp_path / "o1", [a, b], model, metrics=["complexity"])
    backward, _ = run(tmp_path / "o2", [b, a], model, metrics=["complexity"], names=["first", "second"])
    regrouped, _ = run(tmp_path / "o3", [mixed1, mixed2], model, metrics=["complexity"])
    same = ratings_by_text(forward, [a, b])
    assert ratings_by_text(backward, [b, a]) == same == ratings_by_text(regrouped, [mixed1, mixed2])
    assert forward.pool.items == 12 and forward.pool.mixed_batches > 0
    assert forward.pool.summary_.mean == pytest.approx(1500, abs=0.01)  # one centre: the pool's


def test_a_dataset_of_harder_items_rates_higher_in_the_joint_pool(tmp_path, model):
    a = write_jsonl(tmp_path / "a.jsonl", texts("easy", 8))
    b = write_jsonl(tmp_path / "b.jsonl", texts("hard", 8))
    comparison, client = run(tmp_path / "out", [a, b], model, metrics=["complexity"])
    easy, hard = (d.complexity for d in comparison.datasets)
    assert hard.summary_.min > easy.summary_.max and easy.summary_.mean < 1500 < hard.summary_.mean
    assert sum(easy.histogram) == sum(hard.histogram) == 8
    assert len(comparison.pool.edges) == comparison.settings.histogram_bins + 1
    batches = [ITEM.findall(user_text(r).split("Items:")[-1]) for r in client.requests]
    assert any({"easy", "hard"} <= {t.split()[0] for _, t in batch} for batch in batches)  # batches mix datasets


def test_the_pool_samples_at_most_complexity_items_per_dataset_and_an_item_shared_is_one_member(tmp_path, model):
    a = write_jsonl(tmp_path / "a.jsonl", texts("easy", 10))
    b = write_jsonl(tmp_path / "b.jsonl", texts("easy", 10)[:4] + texts("hard", 2))
    comparison, client = run(tmp_path / "out", [a, b], model, metrics=["complexity"], complexity_items=6)
    assert [d.complexity.items for d in comparison.datasets] == [6, 6]
    assert comparison.pool.items < 12  # b's easy items sampled in a too are not pooled twice
    assert comparison.pool.batches == len(client.requests)
    again, resent = run(tmp_path / "out", [a, b], model, metrics=["complexity"], complexity_items=6)
    assert again.calls_sent == 0 and again.calls_reused == comparison.calls_sent and not resent.requests
    assert again.datasets == comparison.datasets


def test_diversity_alone_calls_no_model_and_writes_the_comparison(tmp_path, model):
    a = write_jsonl(tmp_path / "a.jsonl", texts("easy", 5))
    b = write_jsonl(tmp_path / "b.jsonl", ["Fractions", "A poem about the sea", "Tax law", "Volcanoes", "Chess"])
    comparison, client = run(tmp_path / "out", [a, b], model, metrics=["diversity"], embedder="static")
    assert not client.requests and not (tmp_path / "out" / "seedless.db").exists()
    assert comparison.datasets[1].diversity.global_ > comparison.datasets[0].diversity.global_
    assert comparison.embedder == comparison.datasets[0].diversity.embedder and comparison.judge is None
    path = write_comparison(comparison, tmp_path / "out")
    assert json.loads(path.read_text())["datasets"][0]["name"] == "a"


def test_coverage_without_any_taxonomy_is_skipped_with_a_note(tmp_path, model):
    a = write_jsonl(tmp_path / "a.jsonl", ["x", "y"])
    comparison, _ = run(tmp_path / "out", [a], model, metrics=["coverage"])
    assert comparison.datasets[0].coverage is None and "coverage skipped" in comparison.notes[0]


def test_labels_default_to_names_lengthened_until_they_differ_and_a_run_directory_is_refused_as_out(tmp_path, model):
    a1 = write_run(tmp_path / "x" / "run", ["a"], SHALLOW)
    a2 = write_run(tmp_path / "y" / "run", ["b"], SHALLOW)
    assert [d.name for d in dataset_names([a1, a2])] == ["x/run", "y/run"]
    assert [d.name for d in dataset_names([a1, tmp_path / "f.jsonl"])] == ["run", "f"]
    with pytest.raises(DataError, match="one --name per dataset"):
        dataset_names([a1, a2], ["only"])
    with pytest.raises(DataError, match="is a run directory"):
        run(a1, [a2], model, metrics=["diversity"])
