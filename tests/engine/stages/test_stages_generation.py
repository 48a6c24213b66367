"""Contracts of `seedless run` on the fake model: target, exact complexification, exclusions, attempt bounds,
resume without re-sent calls, determinism, minimal regeneration after edits, rejection statistics."""

from __future__ import annotations

import asyncio
import json

import pytest
from conftest import SPEC, ScriptedModel, fake_clients, user_text

from seedless.engine.commands.run import run_dataset
from seedless.engine.llm.caller import fingerprint
from seedless.engine.llm.clients.base import FatalModelError
from seedless.spec import parse_spec

OUTPUT = """
output:
  kind: fields
  fields: [{name: question}, {name: answer, type: integer}]
  answer_field: answer
"""


def spec_of(extra: str = "", size: int = 20):
    return parse_spec(SPEC + OUTPUT + f"size: {size}\n" + extra)


def run(spec, out, model, **kw):
    clients, client = fake_clients(model)
    return asyncio.run(run_dataset(spec, out, clients=clients, **kw)), client


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def fingerprints(client):
    return [fingerprint("x", r.schema_name, client.identity, r) for r in client.requests]


def fail_critic_when(predicate):
    def critic(request):
        if predicate(request):
            return json.dumps({"explanation": "misses the requirement", "verdict": "fail"})
        return None
    return critic


def test_a_run_reaches_its_target_and_every_datapoint_shows_every_stage(tmp_path, scripted):
    outcome, _ = run(spec_of(), tmp_path, scripted)
    records = lines(tmp_path / "dataset.jsonl")
    assert outcome.complete and len(records) == 20 and len({r["id"] for r in records}) == 20
    for r in records:
        lineage = r["lineage"]
        assert set(r["data"]) == {"question", "answer"}
        assert lineage["strategy"] in {"Everything", "Narrow"}
        assert set(lineage["mix"]) == {"Topic", "Format"} and lineage["mix"]["Topic"][0] == "Topic"
        assert lineage["meta_prompt"] and lineage["model"] == "fake:scripted"
        assert [v["critic"] for v in lineage["verdicts"]] == ["requirements", "blind_solve", "double_correct",
                                                             "double_incorrect"]
        if lineage["complexified"]:
            assert lineage["meta_prompt"] == "HARDER: " + lineage["original_meta_prompt"]
    assert (tmp_path / "dataset.parquet").exists() and (tmp_path / "rejected.jsonl").read_text() == ""


def test_exactly_c_of_the_accepted_datapoints_are_complexified_when_critics_reject_unevenly(tmp_path, scripted):
    # the critic rejects most complexified drafts: the complexified stream needs more slots, not fewer datapoints
    scripted.overrides["critic_requirements"] = fail_critic_when(
        lambda r: "HARDER" in user_text(r) and r.seed % 3 != 0)
    outcome, _ = run(spec_of("generation: {complexify: 0.3, max_repairs: 0}\n", size=30), tmp_path, scripted)
    records = lines(tmp_path / "dataset.jsonl")
    assert outcome.complete and len(records) == 30
    assert sum(r["lineage"]["complexified"] for r in records) == 9
    rejected = lines(tmp_path / "rejected.jsonl")
    assert rejected and all(r["stage"] == "requirements" and r["lineage"]["complexified"] for r in rejected)


@pytest.mark.parametrize("fraction, expected", [(0.0, 0), (1.0, 12), (0.5, 6)])
def test_the_complexified_count_is_round_c_times_size(tmp_path, scripted, fraction, expected):
    run(spec_of(f"generation: {{complexify: {fraction}}}\n", size=12), tmp_path, scripted)
    assert sum(r["lineage"]["complexified"] for r in lines(tmp_path / "dataset.jsonl")) == expected


def test_excluded_combinations_never_appear(tmp_path, scripted):
    extra = """
strategies:
  - name: All
    taxonomies: [Topic, Format]
    exclusions: [{nodes: [Topic > Topic common, Format > Format common]}]
"""
    run(spec_of(extra, size=40), tmp_path, scripted)
    mixes = [r["lineage"]["mix"] for r in lines(tmp_path / "dataset.jsonl")]
    assert len(mixes) == 40
    assert not any(m["Topic"][1] == "Topic common" and m["Format"][1] == "Format common" for m in mixes)
    assert any(m["Topic"][1] == "Topic common" for m in mixes)


def test_a_failing_slot_is_tried_slot_attempts_times_with_the_same_mix_then_given_up(tmp_path, scripted):
    scripted.overrides["critic_requirements"] = fail_critic_when(lambda r: "Topic 1.1 1.1" in user_text(r))
    run(spec_of("generation: {max_repairs: 0, slot_attempts: 3}\n", size=20), tmp_path, scripted)
    rejected = lines(tmp_path / "rejected.jsonl")
    by_slot: dict[int, list] = {}
    for r in rejected:
        by_slot.setdefault(r["lineage"]["slot"], []).append(r)
    assert by_slot and all(len(tries) == 3 for tries in by_slot.values())
    assert all(len({json.dumps(t["lineage"]["mix"]) for t in tries}) == 1 for tries in by_slot.values())
    assert [t["lineage"]["attempt"] for t in next(iter(by_slot.values()))] == [0, 1, 2]
    accepted = lines(tmp_path / "dataset.jsonl")
    assert len(accepted) == 20 and not any("Topic 1.1 1.1" in r["lineage"]["mix"]["Topic"] for r in accepted)


def test_the_run_stops_at_the_attempt_bound_and_continues_when_it_is_raised(tmp_path, scripted):
    scripted.overrides["critic_requirements"] = fail_critic_when(lambda r: r.seed % 3 == 0)
    first, client1 = run(spec_of("generation: {max_repairs: 0, max_attempts: 10}\n"), tmp_path, scripted)
    assert not first.complete and first.stopped_at_bound and first.tries_this_run == 10
    kept = {r["id"] for r in lines(tmp_path / "dataset.jsonl")}
    assert 0 < len(kept) < 10
    second, client2 = run(spec_of("generation: {max_repairs: 0, max_attempts: 200}\n"), tmp_path, scripted)
    final = {r["id"] for r in lines(tmp_path / "dataset.jsonl")}
    assert second.complete and len(final) == 20 and kept <= final
    assert not set(fingerprints(client1)) & set(fingerprints(client2))


def test_the_requirement_critic_repairs_before_rejecting(tmp_path, scripted):
    verdicts = iter(["fail", "pass"] * 100)
    scripted.overrides["critic_requirements"] = lambda r: json.dumps(
        {"explanation": "the numbers do not match", "verdict": next(verdicts)})
    run(spec_of("generation: {max_repairs: 1}\n", size=5), tmp_path, scripted)
    records = lines(tmp_path / "dataset.jsonl")
    assert len(records) == 5
    assert all(r["lineage"]["repairs"][0]["reason"] == "the numbers do not match" for r in records)


def test_the_double_critic_rejects_unless_correct_is_yes_and_incorrect_is_no(tmp_path, scripted):
    scripted.overrides["judge_incorrect"] = lambda r: json.dumps(
        {"explanation": "looks wrong", "answer": "yes" if r.seed % 3 == 0 else "no"})
    outcome, _ = run(spec_of(size=10), tmp_path, scripted)
    for r in lines(tmp_path / "rejected.jsonl"):
        assert r["stage"] == "double_critic" and "'is it incorrect?' yes" in r["reason"]
    assert all(r["lineage"]["verdicts"][-1]["passed"] for r in lines(tmp_path / "dataset.jsonl"))
    double = next(s for s in outcome.stats.stages(critics_on=outcome.critics_on) if s.stage == "double_critic")
    assert double.rejected == len(lines(tmp_path / "rejected.jsonl")) > 0


def test_critics_can_be_turned_off(tmp_path, scripted):
    run(spec_of("generation: {requirement_critic: false, double_critic: false, meta_prompt: false, "
                "complexify: 0}\n", size=5), tmp_path, scripted)
    assert set(scripted.calls) & {"critic_requirements", "judge_correct", "meta_prompt", "complexify"} == set()
    assert all(r["lineage"]["verdicts"] == [] for r in lines(tmp_path / "dataset.jsonl"))


def test_repeats_of_a_mix_see_the_earlier_meta_prompts_of_their_stream(tmp_path, scripted):
    extra = """
strategies: [{name: One, taxonomies: [Format > Format common]}]
generation: {complexify: 0, history: 2, history_lag: 1}
"""
    run(spec_of(extra, size=4), tmp_path, scripted)
    asked = [user_text(r) for r in scripted_requests(tmp_path, scripted, "meta_prompt")]
    assert len(asked) == 4
    assert "already written" not in asked[0] and "already written" in asked[1]
    assert asked[3].count("A scenario about Format common.") == 2  # two earlier ones, the history setting


def test_history_lag_lets_that_many_repeats_of_a_mix_draft_at_once(tmp_path, scripted):
    extra = """
strategies: [{name: One, taxonomies: [Format > Format common]}]
generation: {complexify: 0, history: 5, history_lag: 2}
"""
    run(spec_of(extra, size=5), tmp_path, scripted)
    asked = [user_text(r) for r in scripted_requests(tmp_path, scripted, "meta_prompt")]
    seen = sorted(text.count("A scenario about Format common.") for text in asked)
    assert seen == [0, 0, 1, 2, 3]  # repeat j sees repeats 0..j-2


class NumberedScenarios(ScriptedModel):
    """The scripted model, but each meta-prompt reply's scenario (and datapoint) is numbered, so every kept one is
    told apart;
    `asked` holds (request text, the scenario it was given) in the order the requests came."""

    def __init__(self):
        super().__init__()
        self.asked: list[tuple[str, str]] = []

    def __call__(self, request):
        reply = super().__call__(request)
        if request.schema_name == "generate":  # datapoints that differ, so no step rejects a repeat
            return json.dumps({"question": f"Question {len(self.asked)}?", "answer": len(self.asked)})
        if request.schema_name != "meta_prompt":
            return reply
        candidates = json.loads(reply)["candidates"]
        candidates[-1] = candidates[-1].rstrip(".") + f", number {len(self.asked) + 1}."
        self.asked.append((user_text(request), candidates[-1]))
        return json.dumps({"candidates": candidates})


def _mix_and_history(text):
    """(the requirements block, the scenarios listed under 'already written') of one meta_prompt request."""
    mix = text.split("Requirements of this datapoint:")[1].split("The datapoint itself")[0]
    block = text.split("Scenarios already written")[1].split("\n\n")[0] if "already written" in text else ""
    return mix, [line[2:] for line in block.splitlines() if line.startswith("- ")]


@pytest.mark.parametrize("per_mix", [2, 4, 10])
def test_at_the_defaults_every_repeat_of_a_mix_sees_the_kept_meta_prompts_of_all_earlier_repeats(tmp_path, per_mix):
    model = NumberedScenarios()
    extra = "strategies: [{name: Formats, taxonomies: [Format]}]\ngeneration: {complexify: 0}\n"
    outcome, _ = run(spec_of(extra, size=2 * per_mix), tmp_path, model)  # Format has 2 leaves: V = 2, N/V = per_mix
    assert outcome.budget.reachable == 2
    keep = parse_spec(SPEC).generation.history
    assert len(model.asked) == 2 * per_mix  # one meta-prompt per slot: every try accepted
    earlier: dict[str, list[str]] = {}
    for text, kept in model.asked:
        mix, shown = _mix_and_history(text)
        before = earlier.setdefault(mix, [])
        assert shown == before[-keep:]  # every earlier repeat of its mix, the last `history` of them
        before.append(kept)
    repeats = sorted(len(v) for v in earlier.values())
    assert sum(repeats) == 2 * per_mix and (per_mix < 10 or repeats[-1] > keep)  # at 10, the window is full


def scripted_requests(tmp_path, scripted, name):
    from seedless.engine.store.calls import Store
    store = Store(tmp_path / "seedless.db")
    rows = store.db.execute("SELECT request FROM calls WHERE prompt = ? ORDER BY created", (name,)).fetchall()
    store.close()

    class R:
        def __init__(self, request):
            self.messages = [tuple(m) for m in json.loads(request)["messages"]]
    return [R(r[0]) for r in rows]


class CrashAfter:
    """The scripted model, but the endpoint refuses everything after `n` answers (a crash mid-run)."""

    def __init__(self, n: int):
        self.model, self.n = ScriptedModel(), n

    def __call__(self, request):
        if self.n <= 0:
            raise FatalModelError("endpoint gone")
        self.n -= 1
        return self.model(request)


def test_a_crashed_run_resumes_without_resending_finished_calls_and_makes_the_same_dataset(tmp_path, scripted):
    spec = spec_of(size=25)
    run(spec, tmp_path / "whole", ScriptedModel())
    crashing = CrashAfter(140)
    clients, first = fake_clients(crashing)
    with pytest.raises(FatalModelError):
        asyncio.run(run_dataset(spec, tmp_path / "resumed", clients=clients))
    partial = lines(tmp_path / "resumed" / "dataset.jsonl")  # written from the store on the way out
    assert 0 < len(partial) < 25
    answered = set(fingerprints(first)[:140])
    outcome, second = run(spec, tmp_path / "resumed", ScriptedModel())
    assert not answered & set(fingerprints(second))
    assert outcome.calls_reused > 0
    assert (tmp_path / "resumed" / "dataset.jsonl").read_text() == (tmp_path / "whole" / "dataset.jsonl").read_text()


def test_a_finished_run_run_again_sends_nothing(tmp_path, scripted):
    run(spec_of(), tmp_path, scripted)
    before = (tmp_path / "dataset.jsonl").read_text()
    outcome, client = run(spec_of(), tmp_path, ScriptedModel())
    assert client.requests == [] and outcome.complete and (tmp_path / "dataset.jsonl").read_text() == before


def test_renaming_a_leaf_regenerates_only_datapoints_whose_mix_touches_it(tmp_path, scripted):
    run(spec_of(size=30), tmp_path, scripted)
    before = {r["id"]: r for r in lines(tmp_path / "dataset.jsonl")}
    touched = {i for i, r in before.items() if "Topic 1.1 1.1" in r["lineage"]["mix"]["Topic"]}
    assert 0 < len(touched) < 30
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_text(taxonomy.read_text().replace("    - Topic 1.1 1.1\n", "    - Long division\n"))
    outcome, client = run(spec_of(size=30), tmp_path, ScriptedModel())
    after = {r["id"]: r for r in lines(tmp_path / "dataset.jsonl")}
    assert len(after) == 30 and outcome.regenerated == len(touched)
    assert all(after[i] == r for i, r in before.items() if i not in touched)
    assert not any("Topic 1.1 1.1" in r["lineage"]["mix"]["Topic"] for r in after.values())
    assert sum(r.schema_name == "generate" for r in client.requests) == len(touched)


def test_a_strategy_weight_edit_keeps_every_datapoint(tmp_path, scripted):
    run(spec_of(), tmp_path, scripted)
    before = (tmp_path / "dataset.jsonl").read_text()
    path = tmp_path / "strategies.yaml"
    path.write_text(path.read_text().replace("weight: 3.0", "weight: 1.0"))
    _, client = run(spec_of(), tmp_path, ScriptedModel())
    assert client.requests == [] and (tmp_path / "dataset.jsonl").read_text() == before


def test_a_smaller_size_keeps_the_first_datapoints_and_a_larger_one_adds_to_them(tmp_path, scripted):
    run(spec_of(size=20), tmp_path, scripted)
    first = lines(tmp_path / "dataset.jsonl")
    _, client = run(spec_of(size=10), tmp_path, ScriptedModel())
    fewer = lines(tmp_path / "dataset.jsonl")
    assert client.requests == [] and len(fewer) == 10 and all(r in first for r in fewer)
    _, client = run(spec_of(size=30), tmp_path, ScriptedModel())
    more = lines(tmp_path / "dataset.jsonl")
    assert len(more) == 30 and all(r in more for r in first)
    assert sum(r.schema_name == "generate" for r in client.requests) == 10


def test_a_changed_output_format_starts_the_dataset_afresh(tmp_path, scripted):
    run(spec_of(size=5), tmp_path, scripted)
    text = SPEC + "size: 5\noutput: {kind: text}\n"
    outcome, client = run(parse_spec(text), tmp_path, ScriptedModel())
    assert outcome.complete and all(set(r["data"]) == {"text"} for r in lines(tmp_path / "dataset.jsonl"))
    assert sum(r.schema_name == "generate" for r in client.requests) == 5


def test_rejection_rates_per_critic_and_node_warn_when_high(tmp_path, scripted):
    scripted.overrides["critic_requirements"] = fail_critic_when(lambda r: "Topic 1.1 1.1" in user_text(r))
    outcome, _ = run(spec_of("generation: {max_repairs: 0}\n", size=20), tmp_path, scripted)
    requirements = next(s for s in outcome.stats.stages() if s.stage == "requirements")
    assert requirements.rejected == len(lines(tmp_path / "rejected.jsonl")) > 0
    worst = outcome.stats.nodes()[0]
    assert worst.path == ("Topic", "Topic 1.1", "Topic 1.1 1.1") and worst.rate == 1.0
    assert any("Topic > Topic 1.1 > Topic 1.1 1.1 (100%" in w for w in outcome.warnings)


def test_a_new_exclusion_regenerates_only_the_datapoints_it_now_excludes(tmp_path, scripted):
    run(spec_of(size=30), tmp_path, scripted)
    before = {r["id"]: r for r in lines(tmp_path / "dataset.jsonl")}

    def excluded(r):
        mix = r["lineage"]["mix"]
        return r["lineage"]["strategy"] == "Everything" and mix["Topic"][1] == "Topic 1.1" and \
            mix["Format"][1] == "Format 1.1"

    hit = {i for i, r in before.items() if excluded(r)}
    assert 0 < len(hit) < 30
    path = tmp_path / "strategies.yaml"
    path.write_text(path.read_text().replace(
        "  - Format\n- name: Narrow",
        "  - Format\n  exclusions:\n  - nodes:\n    - Topic > Topic 1.1\n    - Format > Format 1.1\n- name: Narrow", 1))
    outcome, _ = run(spec_of(size=30), tmp_path, ScriptedModel())
    after = {r["id"]: r for r in lines(tmp_path / "dataset.jsonl")}
    assert outcome.regenerated == len(hit) and not any(excluded(r) for r in after.values())
    assert all(after[i] == r for i, r in before.items() if i not in hit)


def test_usage_per_stage_covers_every_stored_call_also_after_a_resume(tmp_path, scripted):
    run(spec_of(size=6), tmp_path, scripted)
    outcome, client = run(spec_of(size=8), tmp_path, ScriptedModel())
    stages = {r.role: r.calls for r in outcome.usage_stages}
    assert sum(stages.values()) == sum(r.calls for r in outcome.usage_total) > len(client.requests) > 0
    assert {"taxonomy", "strategies", "meta_prompt", "generate", "requirements", "double_critic"} <= set(stages)
    assert stages["generate"] == 8 and stages["double_critic"] == 24  # blind solve, two questions


def test_an_endpoint_failing_every_call_ends_the_run_cleanly_instead_of_every_try(tmp_path, scripted):
    from seedless.engine.llm.clients.base import ModelError

    def down_after_planning(request):
        if request.schema_name in ("meta_prompt", "generate", "complexify"):
            raise ModelError("HTTP 503 (gave up after 7 tries)")
        return scripted(request)

    spec = spec_of(size=60)  # 120 tries of meta-prompts if every try were made
    spec = spec.model_copy(update={"models": spec.models.model_copy(update={"max_consecutive_failures": 5})})
    clients, client = fake_clients(down_after_planning)
    with pytest.raises(FatalModelError, match="calls failed in a row"):
        asyncio.run(run_dataset(spec, tmp_path, clients=clients))
    sent = sum(r.schema_name == "meta_prompt" for r in client.requests)
    assert sent <= 5 + 8  # the failures, plus at most the fake's 8 in flight: nothing is sent once it is down
    assert (tmp_path / "rejected.jsonl").exists()
