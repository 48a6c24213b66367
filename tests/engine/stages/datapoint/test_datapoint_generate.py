"""Contracts of the generation step: an invalid datapoint is rejected with the reason."""

from __future__ import annotations

import json

from datapoint_harness import asked, make


def test_an_invalid_datapoint_is_rejected_with_the_reason(tmp_path, scripted):
    scripted.overrides["generate"] = lambda r: json.dumps({"question": "Q?", "answer": "many"})
    rejection, client = make(tmp_path, scripted)
    assert rejection.stage == "generate"
    assert "answer: 'many' is not of type 'integer'" in rejection.reason
    assert len(asked(client, "generate")) == 2  # one repair of the reply (caller max_repairs=1)
