"""Contracts of the taxonomy command: reuse, crash resume, edits kept and rebuilt minimally, basis changes."""

from __future__ import annotations

import asyncio
import json

import pytest
import yaml

from conftest import CRITIC_NODE, NODE, ScriptedModel, fake_clients, user_text
from seedless.core.taxonomy.file import read_taxonomies
from seedless.engine.llm.clients.base import FatalModelError, ModelError
from seedless.engine.llm.clients.fake import FakeClient
from seedless.engine.events import Notice
from seedless.engine.stages.factors import StageError
from seedless.engine.store.calls import Store
from seedless.engine.commands.taxonomy import build_taxonomies
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


# A stage that produced nothing stops the command; partial failures are a warning, retried by the next run.

def _errors_for(node: str | None):
    """A taxonomy_propose override failing (an error after its retries) for `node`, or for every node."""
    def propose(request):
        if node is None or f'Category to split: "{node}"' in user_text(request):
            raise ModelError("HTTP 500: proxy error (gave up after 7 tries)")
        return None
    return propose


def test_every_taxonomy_proposal_failing_stops_the_command_naming_the_factors_and_the_reason(spec, scripted, tmp_path):
    scripted.overrides["taxonomy_propose"] = _errors_for(None)
    with pytest.raises(StageError) as info:
        run(spec, tmp_path / "run", scripted)
    message = str(info.value)
    assert "factor 'Topic' failed" in message and "factor 'Format' failed" in message
    assert "HTTP 500: proxy error" in message and "proposal 1" not in message
    assert "calls that failed are sent again" in message
    assert not (tmp_path / "run" / "taxonomy.yaml").exists()  # nothing half-built is left to be used


def test_one_factor_failing_entirely_stops_the_command_even_when_the_other_was_built(spec, scripted, tmp_path):
    scripted.overrides["taxonomy_propose"] = _errors_for("Format")
    with pytest.raises(StageError, match="factor 'Format' failed") as info:
        run(spec, tmp_path / "run", scripted)
    assert "Topic" not in str(info.value)


def test_nodes_that_lost_their_expansion_are_a_warning_and_the_next_run_retries_exactly_them(spec, scripted,
                                                                                              tmp_path):
    scripted.overrides["taxonomy_propose"] = _errors_for("Topic common")
    events = []
    outcome, _ = run(spec, tmp_path / "run", scripted, events=events.append)
    warnings = [e.message for e in events if isinstance(e, Notice) and e.warning]
    assert len(warnings) == 1 and warnings == outcome.warnings
    assert "1 node(s) lost their expansion" in warnings[0] and "'Topic / Topic common'" in warnings[0]
    assert "HTTP 500: proxy error" in warnings[0] and "run the same command again" in warnings[0]
    assert outcome.taxonomies.get("Topic").find(("Topic", "Topic common")).children == []

    healthy = ScriptedModel()
    again, client = run(spec, tmp_path / "run", healthy)
    assert again.warnings == []
    asked = {NODE.search(user_text(r)).group(1) if r.schema_name == "taxonomy_propose"
             else CRITIC_NODE.search(user_text(r)).group(1) for r in client.requests}
    assert asked == {"Topic common"}  # the failed calls are sent again, nothing else
    assert {r.schema_name for r in client.requests} == {"taxonomy_propose", "taxonomy_critic"}
    assert [c.name for c in again.taxonomies.get("Topic").find(("Topic", "Topic common")).children] == [
        "Topic common common", "Topic common 1.1"]


def test_factor_identification_failing_entirely_stops_the_command(spec_text, scripted, tmp_path):
    spec = parse_spec(spec_text.split("factors:")[0] + "taxonomy: {depth: 1, proposals: 1}\n"
                      "models: {endpoints: {fake: {kind: fake}}, default: fake}\n")

    def down(request):
        raise ModelError("HTTP 500: proxy error")
    scripted.overrides["factors"] = down
    with pytest.raises(StageError, match="factor identification failed .*HTTP 500: proxy error"):
        run(spec, tmp_path / "run", scripted)


def test_a_factor_the_model_gives_no_child_is_a_warning_not_a_failure(spec, scripted, tmp_path):
    def propose(request):
        return json.dumps({"children": []}) if 'Category to split: "Format"' in user_text(request) else None
    scripted.overrides["taxonomy_propose"] = propose
    outcome, _ = run(spec, tmp_path / "run", scripted)
    assert outcome.warnings == ["taxonomy 'Format' has no child: the model proposed none usable, so every "
                                "datapoint gets the factor alone"]


# Comments the user wrote in taxonomy.yaml survive a rebuild.

def test_comments_in_taxonomy_yaml_survive_a_rebuild_on_the_same_nodes(spec, scripted, tmp_path):
    run(spec, tmp_path / "run", scripted)
    path = tmp_path / "run" / "taxonomy.yaml"
    text = path.read_text()
    for old, new in [
        ("factors:\n", "# reviewed by Ana, March\nfactors:\n"),
        ("  - name: Topic common\n", "  # keep this branch small\n  - name: Topic common  # core\n"),
        ("  - name: Topic 1.1\n", "  - name: Topic one  # renamed: rebuilt below\n"),
        ("    - Topic 1.1 1.1\n", "    - Topic 1.1 1.1  # goes with its branch\n"),
        ("- name: Format\n", "- name: Format  # how it is told\n"),
        ("  - Format common\n", "  # new\n  - Riddles\n  - Format common\n"),
    ]:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text)
    outcome, client = run(spec, tmp_path / "run", scripted)
    assert outcome.edits.renamed == [(("Topic", "Topic 1.1"), ("Topic", "Topic one"))]
    assert outcome.edits.added == [("Format", "Riddles")] and client.requests
    after = path.read_text()
    assert "# reviewed by Ana, March\nfactors:\n" in after
    assert "  # keep this branch small\n  - name: Topic common  # core\n" in after
    assert "  - name: Topic one  # renamed: rebuilt below\n    children:\n    - Topic one common\n" in after
    assert "goes with its branch" not in after
    assert "- name: Format  # how it is told\n" in after and "  # new\n  - Riddles\n" in after
    again, _ = run(spec, tmp_path / "run", scripted)
    assert path.read_text() == after  # a rebuild that changes nothing keeps the file as it is
