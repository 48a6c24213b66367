"""Shared by the datapoint step tests: one DatapointMaker on a scripted fake model, and the requests it sent."""

from __future__ import annotations

import asyncio

from conftest import SPEC

from seedless.core.plan.mix import Mix
from seedless.engine.llm.bindings import Endpoints
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.clients.fake import FakeClient
from seedless.engine.stages.datapoint import DatapointMaker, Job
from seedless.engine.store.calls import Store
from seedless.spec import parse_spec

OUTPUT = """
output:
  kind: fields
  fields: [{name: question}, {name: answer, type: integer}]
  answer_field: answer
"""
MIX = Mix("all factors", (("Topic", "Fractions", "Halves"), ("Format", "Shopping")))


def make(tmp_path, model, job=None, extra=""):
    spec = parse_spec(SPEC + OUTPUT + extra)
    client = FakeClient("scripted", 16, responder=model)
    caller = Caller(Store(tmp_path / "s.db"), Endpoints(spec.models, clients={"fake": client}).bindings(), seed=0,
                    max_repairs=1)
    result = asyncio.run(DatapointMaker(spec, caller).make(job or Job(4, 0, MIX, complexify=False)))
    return result, client


def asked(client, name):
    return [r for r in client.requests if r.schema_name == name]


