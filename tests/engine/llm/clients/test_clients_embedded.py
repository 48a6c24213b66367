"""The real embedded model: the packaged GGUF assembles and verifies, and a small taxonomy run works on it."""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest

from seedless.core.dataset.record import Record
from seedless.engine.llm.clients.base import FatalModelError
from seedless.engine.llm.clients.embedded import EmbeddedClient
from seedless.engine.llm.clients.packaged_model import SHA256, SIZE, packaged_model_path
from seedless.engine.commands.run import run_dataset
from seedless.engine.store.calls import Store
from seedless.engine.commands.taxonomy import build_taxonomies
from seedless.spec import EmbeddedEndpoint, parse_spec

pytestmark = pytest.mark.embedded


def test_packaged_model_assembles_to_the_published_size_and_checksum(tmp_path, monkeypatch):
    monkeypatch.setenv("SEEDLESS_CACHE", str(tmp_path))
    path = packaged_model_path()
    assert path.stat().st_size == SIZE
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    assert digest.hexdigest() == SHA256
    assert packaged_model_path() == path  # second call reuses the verified file


def test_a_model_path_that_is_not_a_file_is_a_clear_error(tmp_path):
    with pytest.raises(FatalModelError, match="is not a file"):
        EmbeddedClient(EmbeddedEndpoint(model_path=tmp_path / "missing.gguf"))


SPEC = """
description: Short riddles for children, each with a one-word answer.
factors:
  - {name: Riddle subject, description: what the riddle is about}
taxonomy: {depth: 1, proposals: 1, min_children: 2, max_children: 3, critic: true, level_plan: true}
models:
  endpoints: {embedded: {kind: embedded, n_parallel: 2, n_ctx_per_slot: 2048}}
"""


def test_embedded_model_builds_a_small_taxonomy_and_reuses_its_calls(tmp_path):
    spec = parse_spec(SPEC)
    outcome = asyncio.run(build_taxonomies(spec, tmp_path))
    tax = outcome.taxonomies.get("Riddle subject")
    assert 1 <= len(tax.root.children) <= 3
    assert all(child.name.strip() for child in tax.root.children)
    assert outcome.calls_sent == 2  # one proposal, one critic
    assert {row.model for row in outcome.usage} == {"embedded:qwen2.5-coder-0.5b-instruct-q4_k_m@1d9614638d18"}
    assert sum(r.completion_tokens for r in outcome.usage) > 0
    assert Store(tmp_path / "seedless.db").call_count() == 2
    again = asyncio.run(build_taxonomies(spec, tmp_path))
    assert again.calls_sent == 0



RUN_SPEC = SPEC + """  roles:
    generator: {max_tokens: 160}
    critic: {max_tokens: 160}
    judge: {max_tokens: 120}
    meta_prompter: {max_tokens: 200}
    complexifier: {max_tokens: 120}
size: 2
generation: {candidates: 2, complexify: 0.5, max_repairs: 1, slot_attempts: 2, max_attempts: 8}
output:
  kind: fields
  fields: [{name: riddle, max_chars: 160}, {name: answer, max_chars: 20}]
  answer_field: answer
"""


def test_embedded_model_runs_the_whole_pipeline_with_lineage_from_every_stage(tmp_path):
    outcome = asyncio.run(run_dataset(parse_spec(RUN_SPEC), tmp_path))
    tried = outcome.stats.tries
    assert outcome.stats.stages()[0].reached == tried > 0
    accepted = (tmp_path / "dataset.jsonl").read_text().splitlines()
    rejected = (tmp_path / "rejected.jsonl").read_text().splitlines()
    assert len(accepted) == outcome.files.accepted and len(accepted) + len(rejected) == tried
    assert len(accepted) == 2 or not outcome.complete  # the 0.5B model's critics decide how many pass
    for line in accepted + rejected:
        lineage = json.loads(line)["lineage"]
        assert lineage["mix"]["Riddle subject"][0] == "Riddle subject" and lineage["meta_prompt"]
        assert lineage["model"].startswith("embedded:")
    complexified = sum(Record.model_validate_json(line).lineage.complexified for line in accepted)
    assert complexified == 1 if outcome.complete else complexified <= 1


def test_embedded_model_evaluates_coverage_and_complexity_of_a_small_file(tmp_path):
    from seedless.engine.commands.evaluate import evaluate
    from seedless.spec.eval_settings import EvalSettings
    from seedless.spec.models import EmbeddedEndpoint, ModelsSettings

    data = tmp_path / "d.jsonl"
    texts = ["A riddle about a cat that purrs.", "What has keys but opens no locks? A piano.",
             "A riddle about the moon at night.", "What runs but never walks? A river."]
    data.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    (tmp_path / "t.yaml").write_text("factors:\n- name: Riddle subject\n  children: [Animals, Objects, Nature]\n")
    models = ModelsSettings(endpoints={"embedded": EmbeddedEndpoint(model="qwen2.5-coder-0.5b", n_parallel=2,
                                                                       n_ctx_per_slot=2048)})
    settings = EvalSettings(metrics=["coverage", "complexity"], complexity_batch=2, complexity_per_item=1,
                            models=models)
    report = asyncio.run(evaluate(data, settings, tmp_path / "r.json", taxonomy=tmp_path / "t.yaml"))
    (level,) = report.coverage.taxonomies[0].levels
    assert level.nodes == 3 and 0 <= level.hit <= 3
    assert len(report.complexity.ratings) == 4 and report.calls_sent == 1 + 2


def test_the_embedded_server_is_sent_schemas_without_string_patterns_the_checks_step_enforces_them():
    from seedless.engine.llm.clients.base import ChatReply, ChatRequest
    from seedless.engine.llm.clients.embedded import without_patterns

    schema = {"type": "object", "properties": {
        "question": {"type": "string", "maxLength": 300, "pattern": "^(?:[^?]{10,290}\\?)$"},
        "pattern": {"type": "string"},  # a field named pattern stays
        "items": {"type": "array", "items": {"type": "string", "pattern": "^A"}}}}
    assert without_patterns(schema) == {"type": "object", "properties": {
        "question": {"type": "string", "maxLength": 300}, "pattern": {"type": "string"},
        "items": {"type": "array", "items": {"type": "string"}}}}

    class Seen:
        async def complete(self, request):
            self.request = request
            return ChatReply("{}", "stop", 1, 1, 0.0)

    client, seen = EmbeddedClient(EmbeddedEndpoint()), Seen()
    client._client = seen
    asyncio.run(client.complete(ChatRequest((("user", "hi"),), 0.0, 10, 0, schema, "generate")))
    assert seen.request.json_schema == without_patterns(schema) and seen.request.schema_name == "generate"
