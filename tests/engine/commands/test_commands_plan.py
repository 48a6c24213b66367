"""Contracts of the plan: strategies written, checked, edited and kept; coverage budget and sample mixes."""

from __future__ import annotations

import asyncio
import json

import pytest

from conftest import fake_clients, user_text
from seedless.core.plan.strategy_file import StrategyFileError, read_strategies
from seedless.engine.commands.plan import build_plan
from seedless.spec import SpecError, parse_spec


def plan(spec, out, model, **kw):
    clients, client = fake_clients(model)
    return asyncio.run(build_plan(spec, out, clients=clients, **kw)), client


def test_model_strategies_are_checked_written_and_budgeted(spec, scripted, tmp_path):
    outcome, client = plan(spec, tmp_path, scripted)
    assert outcome.source == "model"
    assert [s.name for s in outcome.strategies] == ["Everything", "Narrow"]
    narrow = outcome.strategies[1]
    assert [c.under for c in narrow.components] == [("Topic", "Topic common"), ("Format",)]
    assert narrow.exclusions[0].paths == (("Topic", "Topic 1.1"), ("Format", "Format common"))
    assert read_strategies(tmp_path / "strategies.yaml") == outcome.strategies
    # Topic: 2 x 2 = 4 leaves, Format: 2 leaves -> 8; Narrow: 2 x 2 = 4, its exclusion names a node outside
    # its sub-tree, so nothing is excluded.
    assert (outcome.budget.reachable, outcome.budget.target) == (12, 100)
    assert len(outcome.samples) == 5 and all(len(m.nodes) == 2 for m in outcome.samples)
    assert sum(r.schema_name == "strategies" for r in client.requests) == 1


def test_a_second_plan_sends_no_call(spec, scripted, tmp_path):
    first, _ = plan(spec, tmp_path, scripted)
    again, client = plan(spec, tmp_path, scripted)
    assert client.requests == []
    assert again.strategies == first.strategies and again.source == "file"


def test_unusable_parts_of_the_models_strategies_are_dropped_with_notes(spec, scripted, tmp_path):
    scripted.overrides["strategies"] = lambda r: json.dumps({"strategies": [
        {"name": "A", "description": "", "weight": 2, "taxonomies": ["Topic", "Nope", "Topic > Topic common"],
         "exclusions": [{"nodes": ["Topic > Topic 1.1", "Topic > Topic common"], "reason": "same taxonomy"}]},
        {"name": "a", "description": "", "weight": 1, "taxonomies": ["Format"], "exclusions": []},
        {"name": "B", "description": "", "weight": 1, "taxonomies": ["Missing"], "exclusions": []}]})
    outcome, _ = plan(spec, tmp_path, scripted)
    assert [(s.name, [c.under for c in s.components], s.exclusions) for s in outcome.strategies] == [
        ("A", [("Topic",)], []), ("all factors", [("Topic",), ("Format",)], [])]  # Format was left out: completed
    joined = " | ".join(outcome.notes)
    assert "dropped 'Nope' (no such taxonomy or node)" in joined
    assert "dropped 'Topic > Topic common' (its taxonomy is already sampled)" in joined
    assert "dropped a second strategy named 'a'" in joined
    assert "dropped strategy 'B'" in joined
    assert "# Notes from writing these strategies:" in (tmp_path / "strategies.yaml").read_text()


def test_an_unusable_reply_falls_back_to_one_strategy_over_every_taxonomy(spec, scripted, tmp_path):
    scripted.overrides["strategies"] = lambda r: "no idea"
    outcome, _ = plan(spec, tmp_path, scripted)
    assert outcome.source == "default"
    assert [c.under for c in outcome.strategies[0].components] == [("Topic",), ("Format",)]
    assert any("strategy writing failed" in n for n in outcome.notes)


def test_strategy_writing_off_makes_no_call(spec_text, scripted, tmp_path):
    outcome, client = plan(parse_spec(spec_text + "strategy: {write: false}\n"), tmp_path, scripted)
    assert outcome.source == "default"
    assert not any(r.schema_name == "strategies" for r in client.requests)


def test_the_specs_strategies_are_used_as_given_and_checked(spec_text, scripted, tmp_path):
    given = spec_text + """strategies:
  - name: Mine
    weight: 2
    taxonomies: [Topic, Format]
    exclusions: [{nodes: [Topic > Topic common, Format > Format 1.1], reason: odd}]
size: 10
"""
    outcome, client = plan(parse_spec(given), tmp_path, scripted)
    assert outcome.source == "spec" and outcome.strategies[0].name == "Mine"
    assert not any(r.schema_name == "strategies" for r in client.requests)
    assert outcome.budget.target == 10
    bad = given.replace("Format > Format 1.1", "Format > Nothing here")
    with pytest.raises(SpecError) as err:
        plan(parse_spec(bad, "spec.yaml"), tmp_path / "bad", scripted)
    assert [str(p) for p in err.value.problems] == [
        "spec.yaml:14: strategies[0].exclusions[0].nodes[1]: exclusion names no node Format / Nothing here"]


def test_an_edited_strategies_file_is_kept_and_checked(spec, scripted, tmp_path):
    plan(spec, tmp_path, scripted)
    path = tmp_path / "strategies.yaml"
    path.write_text(path.read_text().replace("weight: 3.0", "weight: 5.0"))
    outcome, client = plan(spec, tmp_path, scripted)
    assert client.requests == [] and outcome.source == "file"
    assert outcome.strategies[0].weight == 5.0
    text = path.read_text().replace("- Format\n", "- Format > Gone\n", 1)
    path.write_text(text)
    with pytest.raises(StrategyFileError) as err:  # a SpecError: the CLI exits 2 with the line
        plan(spec, tmp_path, scripted)
    line = text.splitlines().index("  - Format > Gone") + 1
    assert [str(p) for p in err.value.problems] == [
        f"{path}:{line}: strategies[0].taxonomies[1]: no node Format / Gone"]


def test_an_unedited_strategies_file_that_still_fits_is_kept_after_a_taxonomy_edit(spec, scripted, tmp_path):
    plan(spec, tmp_path, scripted)
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_text(taxonomy.read_text().replace("  - Format 1.1\n", "  - Spoken\n"))
    outcome, client = plan(spec, tmp_path, scripted)
    assert not any(r.schema_name == "strategies" for r in client.requests)
    assert outcome.source == "file"


def test_an_unedited_strategies_file_is_rewritten_when_an_edit_breaks_it(spec, scripted, tmp_path):
    plan(spec, tmp_path, scripted)
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_text(taxonomy.read_text().replace("  - name: Topic common\n", "  - name: Shared\n"))
    outcome, client = plan(spec, tmp_path, scripted)
    (request,) = [r for r in client.requests if r.schema_name == "strategies"]
    assert "Shared" in request.messages[-1][1]
    assert outcome.source == "model"


def test_a_description_edit_in_the_taxonomy_keeps_the_strategies(spec, scripted, tmp_path):
    plan(spec, tmp_path, scripted)
    taxonomy = tmp_path / "taxonomy.yaml"
    edited = taxonomy.read_text().replace("description: how the problem is told", "description: how it is phrased")
    taxonomy.write_text(edited)
    outcome, client = plan(spec, tmp_path, scripted)
    assert not any(r.schema_name == "strategies" for r in client.requests)
    assert outcome.source == "file"


def test_a_model_strategy_whose_exclusion_names_its_own_sub_tree_roots_is_dropped_with_a_note(spec, scripted,
                                                                                             tmp_path):
    scripted.overrides["strategies"] = lambda r: json.dumps({"strategies": [
        {"name": "Never", "description": "", "weight": 1, "taxonomies": ["Topic > Topic common", "Format > Format 1.1"],
         "exclusions": [{"nodes": ["Topic > Topic common", "Format > Format 1.1"], "reason": "itself"}]},
        {"name": "All", "description": "", "weight": 1, "taxonomies": ["Topic", "Format"], "exclusions": []}]})
    outcome, _ = plan(spec, tmp_path, scripted)
    assert outcome.source == "model" and [s.name for s in outcome.strategies] == ["All"]
    assert "dropped strategy 'Never': its exclusions exclude every mix it could draw" in outcome.notes
    assert outcome.budget.reachable > 0 and len(outcome.samples) == 5


def test_when_no_model_strategy_allows_a_mix_one_strategy_samples_every_taxonomy(spec, scripted, tmp_path):
    scripted.overrides["strategies"] = lambda r: json.dumps({"strategies": [
        {"name": "Never", "description": "", "weight": 1, "taxonomies": ["Topic > Topic common", "Format"],
         "exclusions": [{"nodes": ["Topic > Topic common", "Format"], "reason": "itself"}]}]})
    outcome, _ = plan(spec, tmp_path, scripted)
    assert outcome.source == "default"
    assert [c.under for c in outcome.strategies[0].components] == [("Topic",), ("Format",)]
    assert any("no usable strategy from the model" in n for n in outcome.notes)


def test_an_edited_strategies_file_that_allows_no_mix_is_refused_at_the_exclusions_line(spec, scripted, tmp_path):
    plan(spec, tmp_path, scripted)
    path = tmp_path / "strategies.yaml"
    text = path.read_text().replace("- Topic > Topic 1.1\n", "- Topic > Topic common\n").replace(
        "- Format > Format common\n", "- Format\n")
    path.write_text(text)
    with pytest.raises(StrategyFileError) as err:
        plan(spec, tmp_path, scripted)
    line = text.splitlines().index("  - nodes:") + 1
    assert [str(p) for p in err.value.problems] == [
        f"{path}:{line}: strategies[1].exclusions[0]: excludes every mix of the strategy: every leaf it draws lies "
        "under Topic > Topic common and Format; name narrower nodes, or sample wider taxonomies"]


def test_a_run_stops_on_strategies_that_allow_no_mix_before_generating(spec, scripted, tmp_path):
    from seedless.engine.commands.run import run_dataset

    given = parse_spec(SPEC_WITH_STRATEGY.format(exclusion="[Topic > Topic common, Format]"), "spec.yaml")
    clients, client = fake_clients(scripted)
    with pytest.raises(SpecError) as err:
        asyncio.run(run_dataset(given, tmp_path, clients=clients))
    assert [(p.file, p.line, p.field) for p in err.value.problems] == [("spec.yaml", 14, "strategies[0].exclusions[0]")]
    assert not any(r.schema_name in ("meta_prompt", "generate") for r in client.requests)


SPEC_WITH_STRATEGY = """
description: Word problems in arithmetic for primary school pupils.
factors:
  - {{name: Topic, description: the maths topic}}
  - {{name: Format, description: how the problem is told, depth: 1}}
taxonomy: {{depth: 2, proposals: 3, min_children: 1, max_children: 4, critic: true, level_plan: true}}
models:
  endpoints: {{fake: {{kind: fake}}}}
  default: fake
strategies:
  - name: Mine
    taxonomies: [Topic > Topic common, Format]
    exclusions:
      - nodes: {exclusion}
size: 5
"""


def test_two_exclusions_that_together_allow_no_mix_are_reported_together(scripted, tmp_path):
    both = "[Topic > Topic common, Format > Format common]\n      - nodes: [Topic > Topic common, Format > Format 1.1]"
    with pytest.raises(SpecError) as err:
        plan(parse_spec(SPEC_WITH_STRATEGY.format(exclusion=both), "spec.yaml"), tmp_path, scripted)
    assert [str(p) for p in err.value.problems] == [
        "spec.yaml:13: strategies[0].exclusions: together these exclusions exclude every mix of the strategy; "
        "narrow or remove one"]


def notices(spec, out, model):
    from seedless.engine.events import Notice
    seen = []
    clients, client = fake_clients(model)
    outcome = asyncio.run(build_plan(spec, out, clients=clients, events=seen.append))
    return outcome, [e.message for e in seen if isinstance(e, Notice) and e.warning], client


def test_model_strategies_that_leave_a_factor_unsampled_are_completed_with_the_default_strategy(spec, scripted,
                                                                                               tmp_path):
    scripted.overrides["strategies"] = lambda r: json.dumps({"strategies": [
        {"name": "Topics", "description": "", "weight": 3, "taxonomies": ["Topic"], "exclusions": []}]})
    outcome, warnings, _ = notices(spec, tmp_path, scripted)
    assert outcome.source == "model"
    assert [(s.name, s.weight, [c.under for c in s.components]) for s in outcome.strategies] == [
        ("Topics", 3.0, [("Topic",)]), ("all factors", 3.0, [("Topic",), ("Format",)])]
    assert outcome.budget.reachable == 4 + 8
    (note,) = [n for n in outcome.notes if n.startswith("completed with the default strategy")]
    assert "no strategy samples 'Format'" in note and note in (tmp_path / "strategies.yaml").read_text()
    assert any("completed with the default strategy" in w for w in warnings)
    assert not any("so no datapoint will have that factor" in w for w in warnings)  # nothing is left unsampled


def test_model_strategies_that_reach_far_fewer_mixes_than_the_taxonomies_allow_are_completed(spec, scripted,
                                                                                            tmp_path):
    scripted.overrides["strategies"] = lambda r: json.dumps({"strategies": [
        {"name": "One", "description": "", "weight": 2, "taxonomies": ["Topic > Topic common", "Format > Format common"],
         "exclusions": [{"nodes": ["Topic > Topic common > Topic common 1.1", "Format > Format common"],
                         "reason": "one mix left"}]}]})
    outcome, warnings, _ = notices(spec, tmp_path, scripted)
    # One reaches V = 1 for N = 100, where every taxonomy reaches 8: 1 < min(100, 8) / 4
    assert [s.name for s in outcome.strategies] == ["One", "all factors"]
    assert outcome.strategies[0].exclusions[0].paths[0] == ("Topic", "Topic common", "Topic common 1.1")
    assert outcome.budget.reachable == 1 + 8
    assert any("they reach V = 1 mixes for 100 datapoints where the taxonomies allow 8" in w for w in warnings)


def test_the_specs_strategies_that_leave_a_factor_unsampled_are_warned_about_not_changed(scripted, tmp_path):
    text = SPEC_WITH_STRATEGY.format(exclusion="[]").replace("taxonomies: [Topic > Topic common, Format]",
                                                             "taxonomies: [Topic]")
    given = parse_spec(text.replace("    exclusions:\n      - nodes: []\n", ""), "spec.yaml")
    outcome, warnings, _ = notices(given, tmp_path, scripted)
    assert outcome.source == "spec" and [s.name for s in outcome.strategies] == ["Mine"]
    assert [c.under for c in outcome.strategies[0].components] == [("Topic",)]
    assert warnings == ["strategies: no strategy samples 'Format', so no datapoint will have that factor; add it to "
                        "a strategy in the spec's strategies"]


def test_the_strategist_is_shown_every_node_an_exclusion_may_name(spec, scripted, tmp_path):
    _, _, client = notices(spec, tmp_path, scripted)
    (request,) = [r for r in client.requests if r.schema_name == "strategies"]
    shown = user_text(request)
    second_level = [line for line in shown.splitlines() if line.startswith("  - Topic > Topic common: ")]
    assert len(second_level) == 1 and {"Topic common 1.1", "Topic common common"} <= set(
        second_level[0].split(": ", 1)[1].split(", "))
    assert "  - Format > Format common" in shown.splitlines() and "(the first" not in shown


def test_the_nodes_shown_to_the_strategist_are_bounded_by_the_schemas_cap_and_say_so(spec, scripted, tmp_path,
                                                                                    monkeypatch):
    from seedless.engine.stages import strategies
    monkeypatch.setattr(strategies, "MAX_NODE_CHOICES", 3)
    _, _, client = notices(spec, tmp_path, scripted)
    (request,) = [r for r in client.requests if r.schema_name == "strategies"]
    shown = user_text(request)
    assert "(the first 3 only)" in shown
    listed = [line for line in shown.splitlines() if line.startswith("  - ")]
    assert sum(1 + (len(line.split(": ", 1)[1].split(", ")) if ": " in line else 0) for line in listed) == 3
