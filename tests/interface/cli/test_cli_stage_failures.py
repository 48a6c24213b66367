"""A stage that produced nothing stops `seedless run` with a clear error and a non-zero exit (a loopback stub
answering 500 to the taxonomy prompts only, like a proxy in front of a broken model)."""

from __future__ import annotations

from collections import Counter

from aiohttp import web
from click.testing import CliRunner

from openai_stub import StubServer
from seedless.interface.cli import main

SPEC = """\
description: Word problems in arithmetic for primary school pupils.
factors:
  - {name: Topic, description: the maths topic}
  - {name: Format, description: how the problem is told, depth: 1}
taxonomy: {depth: 2, proposals: 2, min_children: 1, max_children: 3}
size: 4
models:
  endpoints: {stub: {kind: openai, base_url: URL, model: m, max_retries: 0}}
  default: stub
"""


class TaxonomyDown(StubServer):
    """Answers 500 to every taxonomy proposal, and normally to everything else."""

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        if (body.get("response_format") or {}).get("json_schema", {}).get("name") == "taxonomy_propose":
            self.received["taxonomy_propose"] += 1
            return web.json_response({"error": {"message": "upstream model crashed"}}, status=500)
        return await super()._chat(request)


def test_run_whose_every_taxonomy_proposal_fails_exits_1_naming_the_factors_and_writes_no_dataset(tmp_path):
    runner = CliRunner(env={"COLUMNS": "200", "LINES": "50", "SEEDLESS_BASE_URL": None, "SEEDLESS_MODEL": None,
                            "SEEDLESS_API_KEY_ENV": None, "FORCE_COLOR": None, "TTY_COMPATIBLE": None})
    spec = tmp_path / "spec.yaml"
    out = tmp_path / "run"
    with TaxonomyDown() as server:
        spec.write_text(SPEC.replace("URL", server.url))
        result = runner.invoke(main, ["run", str(spec), "--out", str(out)])
        proposals = server.received["taxonomy_propose"]
    assert result.exit_code == 1, result.output
    assert proposals == 4  # two proposals for each factor's root, nothing further was attempted
    text = " ".join(result.output.split())
    assert "error the taxonomy stage produced nothing" in text
    assert "factor 'Topic' failed" in text and "factor 'Format' failed" in text and "HTTP 500" in text
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert not (out / "dataset.jsonl").exists() and not (out / "taxonomy.yaml").exists()


class Failing(StubServer):
    """Answers 500 to the call sites in `failing` (for taxonomy proposals: below the roots only, when `deep`)."""

    def __init__(self, *failing: str, deep: bool = False):
        super().__init__()
        self.failing, self.deep = set(failing), deep
        self.sites: Counter[str] = Counter()  # requests per call site

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        name = (body.get("response_format") or {}).get("json_schema", {}).get("name")
        prompt = body["messages"][-1]["content"]
        at_root = 'Category to split: "Topic"' in prompt or 'Category to split: "Format"' in prompt
        self.sites[name] += 1
        if name in self.failing and not (self.deep and at_root):
            self.received[name] += 1
            return web.json_response({"error": {"message": "upstream model crashed"}}, status=500)
        return await super()._chat(request)


def _invoke(spec, out, server):
    runner = CliRunner(env={"COLUMNS": "200", "LINES": "50", "SEEDLESS_BASE_URL": None, "SEEDLESS_MODEL": None,
                            "SEEDLESS_API_KEY_ENV": None, "FORCE_COLOR": None, "TTY_COMPATIBLE": None})
    spec.write_text(SPEC.replace("URL", server.url))
    return runner.invoke(main, ["run", str(spec), "--out", str(out)])


def test_a_run_whose_deeper_taxonomy_nodes_failed_writes_its_dataset_says_degraded_and_exits_4(tmp_path):
    with Failing("taxonomy_propose", deep=True) as server:
        result = _invoke(tmp_path / "spec.yaml", tmp_path / "run", server)
        assert server.received["taxonomy_propose"] > 0
    text = " ".join(result.output.split())
    assert result.exit_code == 4, result.output
    assert "degraded: taxonomy:" in text and "lost their expansion" in text and "Finished degraded (exit 4)" in text
    assert len((tmp_path / "run" / "dataset.jsonl").read_text().splitlines()) == 4


def test_a_strategist_call_that_failed_falls_back_exits_4_and_is_retried_by_the_next_run(tmp_path):
    spec, out = tmp_path / "spec.yaml", tmp_path / "run"
    with Failing("strategies") as server:
        first = _invoke(spec, out, server)
        assert server.received["strategies"] > 0
    assert first.exit_code == 4, first.output
    assert "the strategist's call failed" in " ".join(first.output.split())
    with Failing() as healthy:
        again = _invoke(spec, out, healthy)
    assert again.exit_code == 0, again.output
    assert "degraded" not in again.output
    assert healthy.sites["strategies"] == 1 and healthy.sites["taxonomy_propose"] == 0  # only the failed call again
