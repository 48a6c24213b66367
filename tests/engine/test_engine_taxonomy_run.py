"""Contracts of the taxonomy command: reuse, crash resume, edits kept and rebuilt minimally, basis changes."""

from __future__ import annotations

import asyncio

import pytest
import yaml

from conftest import ScriptedModel, fake_clients, user_text
from seedless.core.taxonomy_file import read_taxonomies
from seedless.engine.clients.base import FatalModelError
from seedless.engine.clients.fake import FakeClient
from seedless.engine.store import Store
from seedless.engine.taxonomy_run import build_taxonomies
from seedless.spec import parse_spec


def run(spec, out, model, **kw):
    clients, client = fake_clients(model)
    outcome = asyncio.run(build_taxonomies(spec, out, clients=clients, **kw))
    return outcome, client


def names(tax_set, factor):
    tax = tax_set.get(factor)
    return {" / ".join(p) for p, _ in tax.root.walk()}


def test_first_run_writes_an_editable_taxonomy_with_provenance(spec, scripted, tmp_path):
    outcome, client = run(spec, tmp_path, scripted)
    data = yaml.safe_load((tmp_path / "taxonomy.yaml").read_text())
    assert [f["name"] for f in data["factors"]] == ["Topic", "Format"]
    assert [f["depth"] for f in data["factors"]] == [2, 1]
    assert data["provenance"]["plans"][0]["factor"] == "Topic"
    assert any(d["path"] == ["Topic"] and d["removed"] for d in data["provenance"]["decisions"])
    assert outcome.taxonomies.get("Topic").level_sizes() == [1, 2, 4]
    assert outcome.calls_sent == len(client.requests) > 0
    assert sum(r.calls for r in outcome.usage) == outcome.calls_sent


def test_second_identical_run_sends_no_call(spec, scripted, tmp_path):
    run(spec, tmp_path, scripted)
    outcome, client = run(spec, tmp_path, scripted)
    assert client.requests == []
    assert outcome.calls_sent == 0
    assert names(outcome.taxonomies, "Topic") == names(read_taxonomies(tmp_path / "taxonomy.yaml"), "Topic")


def test_model_proposes_factors_when_the_spec_gives_none(spec_text, scripted, tmp_path):
    spec = parse_spec(spec_text.split("factors:")[0] + "taxonomy: {depth: 1, proposals: 1}\n"
                      "models: {endpoints: {fake: {kind: fake}}, default: fake}\n")
    outcome, client = run(spec, tmp_path, scripted)
    assert [t.factor for t in outcome.taxonomies.taxonomies] == ["Topic", "Format"]
    assert outcome.taxonomies.get("Format").root.description == "varies by format"


class Crash(FakeClient):
    """Completes `budget` calls, then the endpoint fails for good (like a killed process, mid-run)."""

    def __init__(self, responder, budget):
        super().__init__("scripted", 16, responder=responder)
        self.budget = budget

    async def complete(self, request):
        if len(self.requests) >= self.budget:
            raise FatalModelError("endpoint went away")
        return await super().complete(request)


def test_resume_reissues_no_finished_call(spec, scripted, tmp_path):
    full, reference = run(spec, tmp_path / "ref", ScriptedModel())
    total = len(reference.requests)
    crash = Crash(scripted, budget=total // 2)
    with pytest.raises(FatalModelError):
        asyncio.run(build_taxonomies(spec, tmp_path / "run", clients={"fake": crash}))
    finished = Store(tmp_path / "run" / "seedless.db").call_count()
    assert finished == total // 2
    outcome, client = run(spec, tmp_path / "run", scripted)
    assert len(client.requests) == total - finished
    assert outcome.calls_reused >= finished
    assert names(outcome.taxonomies, "Topic") == names(full.taxonomies, "Topic")


def _edit(path, fn):
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_edited_taxonomy_is_kept_and_only_what_changed_is_rebuilt(spec, scripted, tmp_path):
    run(spec, tmp_path, scripted)
    path = tmp_path / "taxonomy.yaml"

    def edit(data):
        topic = data["factors"][0]
        first, second = topic["children"]
        first["name"] = "Renamed topic"          # rename: its children are rebuilt
        second["children"] = second["children"][:1]  # delete one grandchild branch: stays deleted
        topic["children"].append("Brand new")     # add a child: kept and expanded
    _edit(path, edit)
    outcome, client = run(spec, tmp_path, scripted)
    expanded = sorted(user_text(r).split('Category to split: "')[1].split('"')[0]
                      for r in client.requests if r.schema_name == "taxonomy_propose")
    assert expanded == ["Brand new"] * 3 + ["Renamed topic"] * 3
    topic = outcome.taxonomies.get("Topic")
    assert [c.name for c in topic.root.children] == ["Renamed topic", "Topic 1.1", "Brand new"]
    assert [c.name for c in topic.find(("Topic", "Renamed topic")).children] == [
        "Renamed topic common", "Renamed topic 1.1"]
    assert len(topic.find(("Topic", "Topic 1.1")).children) == 1
    assert [c.name for c in topic.find(("Topic", "Brand new")).children] == ["Brand new common", "Brand new 1.1"]
    assert outcome.edits.renamed == [(("Topic", "Topic common"), ("Topic", "Renamed topic"))]
    assert outcome.edits.added == [("Topic", "Brand new")]
    assert len(outcome.edits.deleted) == 1
    # Format was untouched: not a single call for it.
    assert not any("Format" in user_text(r).split("Factor of variation: ")[-1][:6] for r in client.requests)
    # The file now holds the edits, and running again sends nothing.
    again, client2 = run(spec, tmp_path, scripted)
    assert client2.requests == []


def test_a_node_emptied_by_the_user_stays_a_leaf(spec, scripted, tmp_path):
    run(spec, tmp_path, scripted)

    def edit(data):
        data["factors"][0]["children"][0] = data["factors"][0]["children"][0]["name"]
    _edit(tmp_path / "taxonomy.yaml", edit)
    outcome, client = run(spec, tmp_path, scripted)
    assert client.requests == []
    assert outcome.taxonomies.get("Topic").find(("Topic", "Topic common")).children == []


def test_depth_increase_in_the_file_extends_only_the_leaves(spec, scripted, tmp_path):
    run(spec, tmp_path, scripted)
    _edit(tmp_path / "taxonomy.yaml", lambda d: d["factors"][1].update(depth=2))
    outcome, client = run(spec, tmp_path, scripted)
    assert outcome.taxonomies.get("Format").level_sizes() == [1, 2, 4]
    assert {r.schema_name for r in client.requests} == {"taxonomy_propose", "taxonomy_critic", "level_plan"}
    assert sum(r.schema_name == "taxonomy_critic" for r in client.requests) == 2


def test_spec_change_rebuilds_anew_and_keeps_the_previous_file(spec_text, scripted, tmp_path):
    run(parse_spec(spec_text), tmp_path, scripted)
    changed = parse_spec(spec_text.replace("Word problems", "Story problems"))
    events = []
    outcome, client = run(changed, tmp_path, scripted, events=events.append)
    assert (tmp_path / "taxonomy.previous.yaml").exists()
    assert client.requests  # new description: new calls
    assert any("building anew" in getattr(e, "message", "") for e in events)


def test_from_scratch_ignores_the_edited_file(spec, scripted, tmp_path):
    run(spec, tmp_path, scripted)
    _edit(tmp_path / "taxonomy.yaml", lambda d: d["factors"].pop())
    outcome, client = run(spec, tmp_path, scripted, from_scratch=True)
    assert client.requests == []  # every call reused
    assert [t.factor for t in outcome.taxonomies.taxonomies] == ["Topic", "Format"]


def test_the_run_records_the_resolved_spec_without_secrets(spec_text, scripted, tmp_path, monkeypatch):
    from seedless.spec.overrides import with_single_endpoint
    monkeypatch.setenv("MY_KEY", "sk-secret-value")
    spec = with_single_endpoint(parse_spec(spec_text), "http://127.0.0.1:9/v1", "m", api_key_env="MY_KEY")
    clients, _ = fake_clients(scripted)
    asyncio.run(build_taxonomies(spec, tmp_path, clients={"cli": clients["fake"]}))
    saved = yaml.safe_load((tmp_path / "spec.yaml").read_text())
    assert saved["models"]["endpoints"]["cli"]["api_key_env"] == "MY_KEY"
    assert saved["description"] == spec.description
    for path in tmp_path.iterdir():
        if path.is_file():
            assert b"sk-secret-value" not in path.read_bytes()
