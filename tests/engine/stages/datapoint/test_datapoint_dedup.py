"""The dedup step: a repeat of an accepted datapoint or of a reference item is rejected, named, and tried again."""

from __future__ import annotations

import asyncio
import json

import pytest
from conftest import SPEC, ScriptedModel, fake_clients

from seedless.core.dataset.record import Lineage
from seedless.core.plan.mix import Mix
from seedless.engine.commands.run import run_dataset
from seedless.engine.stages.datapoint.dedup import DedupStep, dedup_index
from seedless.engine.stages.datapoint.step import Context, Draft, Job
from seedless.engine.stages.factors import StageError
from seedless.spec import parse_spec

OUTPUT = """
output:
  kind: fields
  fields: [{name: question}, {name: answer, type: integer}]
  answer_field: answer
generation: {complexify: 0, slot_attempts: 3%s}
"""
APPLES = "How many apples do you have?"
FARMER = "A farmer has 12 cows and buys 5 more cows at the market on Monday. How many cows does the farmer have now?"


def spec_of(size: int, dedup: str = ""):
    return parse_spec(SPEC + OUTPUT % (f", dedup: {{{dedup}}}" if dedup else "") + f"size: {size}\n")


class Questions(ScriptedModel):
    """The scripted model, but the generator writes the given questions in the order it is asked, then numbered
    distinct ones; every answer is 5."""

    def __init__(self, *questions: str):
        super().__init__()
        self.questions = list(questions)
        self.written = 0
        self.overrides["generate"] = self._generate

    def _generate(self, request):
        self.written += 1
        question = self.questions.pop(0) if self.questions else f"Question {self.written}: what is {self.written} + 1?"
        return json.dumps({"question": question, "answer": 5})


def run(spec, out, model):
    clients, _ = fake_clients(model)
    return asyncio.run(run_dataset(spec, out, clients=clients))


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_the_identical_pair_does_not_survive_and_the_slot_draws_again(tmp_path):
    outcome = run(spec_of(3), tmp_path, Questions(APPLES, "how many APPLES do you have"))
    kept, rejected = lines(tmp_path / "dataset.jsonl"), lines(tmp_path / "rejected.jsonl")
    assert len(kept) == 3 and outcome.complete
    assert [d["data"]["question"] for d in kept].count(APPLES) == 1
    assert len({d["data"]["question"].lower().rstrip("?") for d in kept}) == 3
    [dup] = rejected
    first = next(d for d in kept if d["data"]["question"] == APPLES)
    assert dup["stage"] == "dedup" and dup["reason"].startswith(f"duplicate of {first['id']} (the same text")
    assert dup["lineage"]["attempt"] == 0  # its slot was tried again, and that try accepted
    assert any(d["lineage"]["slot"] == dup["lineage"]["slot"] and d["lineage"]["attempt"] == 1 for d in kept)
    assert outcome.critics_on["dedup"]


def test_a_near_duplicate_is_rejected_with_its_score(tmp_path):
    run(spec_of(2), tmp_path, Questions(FARMER, FARMER.replace(" now?", " now in total?")))
    [dup] = lines(tmp_path / "rejected.jsonl")
    assert dup["stage"] == "dedup" and dup["reason"].startswith("duplicate of s00000")
    assert "word n-grams: 0.90 Jaccard" in dup["reason"]


def test_different_questions_with_the_same_answer_are_kept(tmp_path):
    run(spec_of(3), tmp_path, Questions("What is 2 + 3?", "What is 10 - 5?", "What is 25 / 5?"))
    assert len(lines(tmp_path / "dataset.jsonl")) == 3 and lines(tmp_path / "rejected.jsonl") == []


def test_a_reference_item_copied_into_a_datapoint_is_rejected_naming_its_file_and_line(tmp_path):
    bench = tmp_path / "bench.jsonl"
    bench.write_text(json.dumps({"id": "q1", "question": "What is the capital of France?", "answer": "Paris"})
                     + "\n\n" + json.dumps({"id": "q2", "question": FARMER, "answer": 17}) + "\n")
    run(spec_of(2, f"references: [{bench}]"), tmp_path / "run", Questions("Solve it: " + FARMER))
    [hit] = lines(tmp_path / "run" / "rejected.jsonl")
    assert hit["stage"] == "dedup" and hit["reason"].startswith(f"overlaps reference {bench}:3 (word n-grams: 1.00")


def test_a_missing_reference_file_stops_the_run_before_any_datapoint(tmp_path):
    model = Questions()
    with pytest.raises(StageError, match="generation.dedup.references: .*nope.jsonl: no such file"):
        run(spec_of(2, f"references: [{tmp_path / 'nope.jsonl'}]"), tmp_path / "run", model)
    assert model.written == 0


def test_a_resumed_run_rejects_a_duplicate_of_a_datapoint_accepted_in_an_earlier_invocation(tmp_path):
    run(spec_of(1), tmp_path, Questions(APPLES))
    run(spec_of(2), tmp_path, Questions(APPLES + "!"))  # slot 0's calls come from the store; slot 1 is new
    [dup] = lines(tmp_path / "rejected.jsonl")
    assert dup["lineage"]["slot"] == 1 and dup["reason"].startswith("duplicate of s000000")
    assert len(lines(tmp_path / "dataset.jsonl")) == 2


def test_switched_off_the_identical_pair_is_kept(tmp_path):
    outcome = run(spec_of(2, "enabled: false"), tmp_path, Questions(APPLES, APPLES))
    assert [d["data"]["question"] for d in lines(tmp_path / "dataset.jsonl")] == [APPLES, APPLES]
    assert not outcome.critics_on["dedup"]


def _draft(slot: int, question: str) -> Draft:
    mix = Mix("all factors", (("Topic", "Fractions"),))
    job = Job(slot, 0, mix, complexify=False)
    draft = Draft(job, Lineage(strategy=mix.strategy, mix=mix.as_dict(), meta_prompt="", model="fake", slot=slot))
    draft.data = {"question": question, "answer": 5}
    return draft


@pytest.mark.parametrize("dedup", ["", "embedding_threshold: 0.95"])
def test_two_slots_finishing_the_same_text_at_once_accept_exactly_one(dedup):
    ctx = Context(spec_of(4, dedup))
    step = DedupStep()

    async def both():
        return await asyncio.gather(*(step.run(_draft(slot, APPLES), ctx, None) for slot in (1, 2)))  # type: ignore

    reasons = asyncio.run(both())
    assert sorted(r is None for r in reasons) == [False, True]
    assert [r for r in reasons if r] in (["duplicate of s000001 (the same text once case, spacing and punctuation "
                                          "are taken out)"], ["duplicate of s000002 (the same text once case, "
                                                              "spacing and punctuation are taken out)"])
    assert len(dedup_index(ctx).accepted) == 1


def test_with_the_embedder_a_paraphrase_the_n_grams_miss_is_rejected_by_cosine():
    ctx = Context(spec_of(4, "embedding_threshold: 0.8"))
    step = DedupStep()
    first = _draft(1, "How many apples do you have in your basket?")
    assert asyncio.run(step.run(first, ctx, None)) is None  # type: ignore
    reason = asyncio.run(step.run(_draft(2, "In your basket, how many apples do you have?"), ctx, None))  # type: ignore
    assert reason is not None and reason.startswith("duplicate of s000001 (embedding cosine ")
    assert asyncio.run(step.run(_draft(3, "A train leaves the station at noon."), ctx, None)) is None  # type: ignore


def test_a_retry_of_the_same_slot_is_not_a_duplicate_of_its_own_claim():
    ctx = Context(spec_of(4))
    step = DedupStep()
    assert asyncio.run(step.run(_draft(1, APPLES), ctx, None)) is None  # type: ignore
    assert asyncio.run(step.run(_draft(1, APPLES), ctx, None)) is None  # type: ignore  # a later step had rejected it
    assert asyncio.run(step.run(_draft(2, APPLES), ctx, None)) is not None  # type: ignore


def test_the_step_makes_no_call_and_rejects_only_when_enabled():
    step = DedupStep()
    assert step.calls == () and step.load(spec_of(1), 0.5).calls == {} and step.load(spec_of(1), 0.5).passes == 1.0
    assert step.can_reject(spec_of(1)) and not step.can_reject(spec_of(1, "enabled: false"))
