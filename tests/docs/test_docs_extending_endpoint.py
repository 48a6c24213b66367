"""docs/extending.md, "A new endpoint kind": the worked example registers a kind in one call; a spec naming it
validates, `seedless taxonomy` runs on it (and resumes from the store), and once unregistered the kind is unknown."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from extending_examples import run_example
from seedless.engine.llm.clients import CLIENT_KINDS, unregister_endpoint_kind
from seedless.interface.cli import main
from seedless.spec import SpecError, load_spec
from seedless.spec.endpoints import ENDPOINT_KINDS

SPEC = """\
description: Word problems in arithmetic for primary school pupils.
factors:
  - {name: Topic, description: the maths topic}
taxonomy: {depth: 1, proposals: 1, min_children: 1, max_children: 4, critic: false, level_plan: false}
models:
  endpoints:
    recorded: {kind: replay, path: REPLIES}
  default: recorded
"""


def run_endpoint_example() -> dict[str, object]:
    namespace = run_example("endpoint-kind")
    # A user's module resolves its annotations from its own globals; the exec'd example inherits `from __future__
    # import annotations` from extending_examples.py and has no module in sys.modules, so resolve them here
    # (a no-op once run_example compiles with dont_inherit=True).
    namespace["ReplayEndpoint"].model_rebuild(_types_namespace=namespace)  # type: ignore[attr-defined]
    return namespace


@pytest.fixture
def example():
    namespace = run_endpoint_example()
    yield namespace
    unregister_endpoint_kind("replay")


def test_the_example_kind_is_named_by_a_spec_and_seedless_taxonomy_runs_on_it(example, tmp_path):
    assert ENDPOINT_KINDS["replay"] is example["ReplayEndpoint"] and "replay" in CLIENT_KINDS
    replies = tmp_path / "replies.jsonl"
    replies.write_text(json.dumps({"prompt": "taxonomy_propose",
                                   "reply": json.dumps({"children": ["Fractions", "Geometry"]})}) + "\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("REPLIES", str(replies)))
    assert isinstance(load_spec(spec).models.endpoints["recorded"], example["ReplayEndpoint"])

    runner = CliRunner()
    out = tmp_path / "run"
    result = runner.invoke(main, ["taxonomy", str(spec), "--out", str(out)])
    assert result.exit_code == 0, result.output
    factors = yaml.safe_load((out / "taxonomy.yaml").read_text(encoding="utf-8"))["factors"]
    assert [(f["name"], f["children"]) for f in factors] == [("Topic", ["Fractions", "Geometry"])]
    assert "replay:replies" in result.output  # the usage table names the kind's identity
    again = runner.invoke(main, ["taxonomy", str(spec), "--out", str(out)])
    assert again.exit_code == 0 and "model calls sent: 0" in again.output


def test_errors_in_the_example_kinds_settings_name_file_line_and_field(example, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("{kind: replay, path: REPLIES}", "{kind: replay, max_concurrency: 0}"))
    with pytest.raises(SpecError) as info:
        load_spec(spec)
    assert [str(p) for p in info.value.problems] == [
        f"{spec}:7: models.endpoints.recorded.max_concurrency: Input should be greater than or equal to 1",
        f"{spec}:7: models.endpoints.recorded.path: Field required",
    ]


def test_once_unregistered_the_kind_is_unknown_again(tmp_path):
    run_endpoint_example()
    unregister_endpoint_kind("replay")
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    with pytest.raises(SpecError, match="Input tag 'replay' found using 'kind' does not match any of the expected "
                                        "tags: 'embedded', 'openai', 'fake'"):
        load_spec(spec)
