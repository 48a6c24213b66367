"""Contracts of the batch ledger (engine/store/batches.py): a submitted batch and its requests survive the process, a
request is found in the latest batch still waiting for it (of its own endpoint only), handing every outcome over
collects the batch, and a batch that ended without results frees its requests to be sent again."""

from __future__ import annotations

from seedless.engine.store.batches import BatchLedger
from seedless.engine.store.calls import Store


def test_a_submitted_batch_survives_the_process_and_is_found_by_its_requests(tmp_path):
    first = Store(tmp_path / "s.db")
    BatchLedger(first.db, first.invocation).submitted("b1", "openai:m@http://x/v1", ["r1", "r2"])
    first.close()
    ledger = BatchLedger(Store(tmp_path / "s.db").db)
    assert ledger.waiting_in("openai:m@http://x/v1", "r2") == "b1"
    assert ledger.waiting_in("openai:m@http://other/v1", "r2") is None  # another provider account
    assert ledger.pending("openai:m@http://x/v1", "b1") == ["r1", "r2"]


def test_handing_every_outcome_over_collects_the_batch_and_frees_nothing_twice():
    ledger = BatchLedger.in_memory()
    ledger.submitted("b1", "e", ["r1", "r2"])
    ledger.delivered("e", "b1", ["r1"])
    assert [(b.state, b.waiting) for b in ledger.batches()] == [("submitted", 1)]
    assert ledger.waiting_in("e", "r1") is None and ledger.waiting_in("e", "r2") == "b1"
    ledger.delivered("e", "b1", ["r2"])
    assert [(b.id, b.state, b.waiting) for b in ledger.batches("e")] == [("b1", "collected", 0)]


def test_a_request_sent_again_is_found_in_its_latest_batch_and_an_ended_batch_frees_its_requests():
    ledger = BatchLedger.in_memory()
    ledger.submitted("b1", "e", ["r1"])
    ledger.ended("e", "b1", "lost")
    assert ledger.waiting_in("e", "r1") is None
    ledger.submitted("b2", "e", ["r1"])
    assert ledger.waiting_in("e", "r1") == "b2"
    assert {b.id: b.state for b in ledger.batches()} == {"b1": "lost", "b2": "submitted"}
