"""Contracts of the checks step: each deterministic check of the output format and each user validator rejects
with its reason (stage "checks"), a repair is asked with that reason first, uniqueness holds across concurrent
slots and a resumed run, and a spec that declares nothing runs no such step."""

from __future__ import annotations

import asyncio
import itertools
import json

import pytest
from conftest import SPEC, ScriptedModel, fake_clients, user_text
from datapoint_harness import MIX, asked

import seedless
from seedless.core.dataset.record import Record, Rejection
from seedless.engine.commands.run import run_dataset
from seedless.engine.llm.bindings import Endpoints
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.clients.fake import FakeClient
from seedless.engine.stages.datapoint import DatapointMaker, Job
from seedless.engine.stages.datapoint.checks import field_problems, one_of, validator_problem
from seedless.engine.stages.datapoint.registry import enabled_steps
from seedless.engine.store.calls import Store
from seedless.spec import parse_spec
from seedless.spec.models import FieldSpec

MCQ = """
output:
  kind: fields
  fields:
    - {name: question, unique: true}
    - {name: options, type: list, items: 3}
    - {name: answer, choices_from: options}
  answer_field: answer
"""
GOOD = {"question": "What is half of 8?", "options": ["2", "4", "6"], "answer": "4"}


def make(tmp_path, model, output=MCQ, extra="generation: {max_repairs: 0}\n"):
    spec = parse_spec(SPEC + output + extra)
    client = FakeClient("scripted", 16, responder=model)
    caller = Caller(Store(tmp_path / "s.db"), Endpoints(spec.models, clients={"fake": client}).bindings(), seed=0,
                    max_repairs=1)
    return asyncio.run(DatapointMaker(spec, caller).make(Job(4, 0, MIX, complexify=False))), client


def generating(*datapoints):
    replies = itertools.cycle(datapoints)
    return lambda request: json.dumps(next(replies))


@pytest.mark.parametrize("value, options, ok", [
    ("4", ["2", "4", "6"], True), ("  four ", ["Two", "FOUR"], True), (4, ["2", "4.0"], True),
    ("B", ["2", "4", "6"], True), ("(c)", ["2", "4", "6"], True), ("4", ["A) 2", "B) 4"], True),
    ("D", ["2", "4", "6"], False), ("5", ["2", "4", "6"], False), ("4 apples", ["4"], False)])
def test_a_value_is_one_of_the_options_normalised_by_letter_or_without_the_options_label(value, options, ok):
    assert one_of(value, options) is ok


@pytest.mark.parametrize("settings, value, reason", [
    ({"type": "integer", "choices": [1, 2, 3]}, 4, "x 4 is not one of [1, 2, 3]"),
    ({"choices": ["Easy", "Hard"]}, " easy", None),
    ({"type": "list", "items": 2}, ["a"], "x has 1 items, not 2"),
    ({"type": "list", "min_items": 2}, ["a"], "x has 1 items, fewer than 2"),
    ({"type": "list", "max_items": 1}, ["a", "b"], "x has 2 items, more than 1"),
    ({"type": "number", "minimum": 0.5}, 0.25, "x 0.25 is below the minimum 0.5"),
    ({"type": "integer", "maximum": 10}, 11, "x 11 is above the maximum 10"),
    ({"pattern": "[A-Z]{3}"}, "ABCD", 'x "ABCD" does not match the pattern [A-Z]{3}'),
    ({"pattern": "[A-Z]{3}"}, "ABC", None)])
def test_each_field_check_names_the_field_the_value_and_the_rule(settings, value, reason):
    found = field_problems(FieldSpec(name="x", **settings), {"x": value})
    assert found == ([reason] if reason else [])


def test_a_validators_verdict_is_none_or_true_to_pass_else_a_reason():
    data = {"answer": 4}
    assert validator_problem("v", lambda d: None, data) is None
    assert validator_problem("v", lambda d: True, data) is None
    assert validator_problem("v", lambda d: (True, "fine"), data) is None
    assert validator_problem("v", lambda d: "too easy", data) == "validator v: too easy"
    assert validator_problem("v", lambda d: (False, "odd"), data) == "validator v: odd"
    assert validator_problem("v", lambda d: False, data) == "validator v failed"
    assert validator_problem("v", lambda d: 1 / 0, data) == "validator v raised ZeroDivisionError: division by zero"
    changed = {}
    assert validator_problem("v", lambda d: changed.update(d) or d.clear(), data) is None
    assert data == {"answer": 4} and changed == data  # the validator saw a copy


def test_an_answer_not_among_the_options_is_rejected_at_checks_with_the_reason(tmp_path, scripted):
    scripted.overrides["generate"] = generating(GOOD | {"answer": "5"})
    rejection, client = make(tmp_path, scripted)
    assert isinstance(rejection, Rejection) and rejection.stage == "checks"
    assert rejection.reason == 'failed the checks after 0 repair(s): answer "5" is not one of options ["2", "4", "6"]'
    assert [(v.critic, v.passed) for v in rejection.lineage.verdicts] == [("checks", False)]
    assert not asked(client, "critic_requirements")  # the model critics are not paid for


def test_a_failed_check_is_repaired_with_its_reason_then_checked_again(tmp_path, scripted):
    scripted.overrides["generate"] = generating(GOOD | {"options": ["2", "4"]})
    scripted.overrides["repair_datapoint"] = generating(GOOD)
    record, client = make(tmp_path, scripted, extra="generation: {max_repairs: 2}\n")
    assert isinstance(record, Record) and record.data == GOOD
    assert [r.reason for r in record.lineage.repairs] == ["options has 2 items, not 3"]
    checks = [(v.passed, v.attempt, v.explanation) for v in record.lineage.verdicts if v.critic == "checks"]
    assert checks == [(False, 0, "options has 2 items, not 3"), (True, 1, "every check passed")]
    assert "A reviewer found this problem: options has 2 items, not 3" in user_text(asked(client, "repair_datapoint")[0])


def test_the_schema_sent_carries_the_checks_json_schema_can_express(tmp_path, scripted):
    scripted.overrides["generate"] = generating(GOOD)
    _, client = make(tmp_path, scripted)
    options = asked(client, "generate")[0].json_schema["properties"]["options"]
    assert (options["minItems"], options["maxItems"]) == (3, 3)


def test_a_validator_by_dotted_path_rejects_with_its_reason(tmp_path, scripted, monkeypatch):
    (tmp_path / "my_checks.py").write_text("def short(d):\n    return None if len(d['question']) < 10 else "
                                           "'the question is too long'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    scripted.overrides["generate"] = generating(GOOD)
    rejection, _ = make(tmp_path, scripted, extra="generation: {max_repairs: 0, validators: [my_checks.short]}\n")
    assert isinstance(rejection, Rejection) and rejection.stage == "checks"
    assert rejection.reason.endswith("validator my_checks.short: the question is too long")


def test_nothing_declared_no_checks_step_and_no_verdict(tmp_path, scripted):
    spec = parse_spec(SPEC + "output:\n  kind: fields\n  fields: [{name: question}, {name: answer}]\n")
    assert "checks" not in [s.name for s in enabled_steps(spec)]
    assert "checks" in [s.name for s in enabled_steps(parse_spec(SPEC + MCQ))]
    names = [s.name for s in enabled_steps(parse_spec(SPEC + MCQ))]
    assert names.index("generate") + 1 == names.index("checks") < names.index("requirements")


def run(spec_text, out, model, **kw):
    clients, client = fake_clients(model)
    return asyncio.run(run_dataset(parse_spec(spec_text), out, clients=clients, **kw)), client


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def counting(first_same: int = 0):
    """Generation replies: the first `first_same` all ask the same question, then each a new one."""
    counter = itertools.count()

    def reply(request):
        n = next(counter)
        return json.dumps(GOOD | {"question": "Same question?" if n < first_same else f"Question {n}?"})
    return reply


UNIQUE_RUN = SPEC + MCQ + "generation: {max_repairs: 0, complexify: 0}\n"


def test_concurrent_slots_with_the_same_unique_value_keep_exactly_one(tmp_path):
    model = ScriptedModel()
    model.overrides["generate"] = counting(first_same=3)
    outcome, _ = run(UNIQUE_RUN + "size: 5\n", tmp_path, model)
    questions = [r["data"]["question"] for r in lines(tmp_path / "dataset.jsonl")]
    assert outcome.complete and len(questions) == 5 == len(set(questions)) and "Same question?" in questions
    rejected = lines(tmp_path / "rejected.jsonl")
    assert len(rejected) == 2 and {r["stage"] for r in rejected} == {"checks"}
    assert all("already used by another datapoint (unique)" in r["reason"] for r in rejected)


def test_uniqueness_holds_against_datapoints_accepted_in_an_earlier_invocation(tmp_path):
    first = ScriptedModel()
    first.overrides["generate"] = counting()
    run(UNIQUE_RUN + "size: 3\n", tmp_path, first)
    again = ScriptedModel()
    again.overrides["generate"] = counting()  # asks Question 0?, 1?, 2? again: already in the dataset
    outcome, _ = run(UNIQUE_RUN + "size: 6\n", tmp_path, again)
    questions = [r["data"]["question"] for r in lines(tmp_path / "dataset.jsonl")]
    assert outcome.complete and len(questions) == 6 == len(set(questions))
    rejected = lines(tmp_path / "rejected.jsonl")
    assert rejected and all(r["stage"] == "checks" and "(unique)" in r["reason"] for r in rejected)


def test_a_callable_validator_given_to_the_python_api_rejects_into_rejected_jsonl(tmp_path):
    model = ScriptedModel()
    model.overrides["generate"] = counting()

    def even_only(datapoint):
        number = int(datapoint["question"].split()[1].rstrip("?"))
        return (number % 2 == 0, f"question {number} is odd")

    outcome = seedless.run(UNIQUE_RUN + "size: 3\n", tmp_path, clients=fake_clients(model)[0],
                           validators=[even_only])
    assert outcome.complete
    assert all(int(r["data"]["question"].split()[1].rstrip("?")) % 2 == 0 for r in lines(tmp_path / "dataset.jsonl"))
    rejected = lines(tmp_path / "rejected.jsonl")
    assert rejected and all(r["stage"] == "checks" and "is odd" in r["reason"] for r in rejected)
    assert "even_only" in rejected[0]["reason"]
