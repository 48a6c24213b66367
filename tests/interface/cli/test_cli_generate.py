"""The `seedless` command line: init, validate, taxonomy (fake endpoint and --base-url/--model), stages, help."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from openai_stub import StubServer
from seedless.interface.cli import EXAMPLE, main

FAKE_SPEC = """\
description: Word problems in arithmetic for primary school pupils.
factors:
  - {name: Topic, description: the maths topic}
  - {name: Format, description: how the problem is told, depth: 1}
taxonomy: {depth: 2, proposals: 2, min_children: 1, max_children: 3, critic: true, level_plan: true}
models:
  endpoints: {fake: {kind: fake}}
  default: fake
"""

# No models section: without --base-url/--model this spec would use the embedded model.
NO_MODELS_SPEC = """\
description: Short mystery stories for teenagers, each with a twist at the end.
factors:
  - {name: Setting, description: where the story happens}
  - {name: Culprit, description: who did it, depth: 1}
taxonomy: {depth: 2, proposals: 2, min_children: 1, max_children: 3}
"""

SENT = re.compile(r"model calls sent: (\d+), reused from the store: (\d+)")


@pytest.fixture
def runner() -> CliRunner:
    # A wide console so rich never wraps the lines asserted on; no inherited overrides or forced colour.
    return CliRunner(env={"COLUMNS": "200", "LINES": "50", "SEEDLESS_BASE_URL": None, "SEEDLESS_MODEL": None,
                          "SEEDLESS_API_KEY_ENV": None, "FORCE_COLOR": None, "TTY_COMPATIBLE": None})


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def calls_sent(output: str) -> tuple[int, int]:
    match = SENT.search(output)
    assert match, output
    return int(match.group(1)), int(match.group(2))


@pytest.fixture
def server():
    with StubServer() as srv:
        yield srv


@pytest.fixture
def refusing_server():
    with StubServer(status=401) as srv:
        yield srv


# 1. init


def test_init_writes_the_example_spec_which_validates(runner, tmp_path):
    target = tmp_path / "my.yaml"
    result = runner.invoke(main, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")
    assert f"wrote {target}" in result.output

    checked = runner.invoke(main, ["validate", str(target)])
    assert checked.exit_code == 0, checked.output
    assert "ok" in checked.output
    assert "depth 2" in checked.output and "output 'fields'" in checked.output


def test_init_refuses_to_overwrite_without_force_and_overwrites_with_it(runner, tmp_path):
    target = tmp_path / "seedless.yaml"
    assert runner.invoke(main, ["init", str(target)]).exit_code == 0
    write(target, "description: my own edited spec, not the example\n")

    again = runner.invoke(main, ["init", str(target)])
    assert again.exit_code != 0
    assert "exists" in again.output and "--force" in again.output
    assert target.read_text(encoding="utf-8") == "description: my own edited spec, not the example\n"

    forced = runner.invoke(main, ["init", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    assert target.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")


def test_init_without_a_path_writes_seedless_yaml_in_the_current_directory(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "seedless.yaml").read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")


# 2. validate


BROKEN_SPEC = """\
description: Word problems in arithmetic for primary school pupils.
colour: blue
taxonomy:
  depth: 0
output:
  kind: fields
  fields:
    - {name: question}
  answer_field: answer
models:
  endpoints: {fake: {kind: fake}}
  default: fake
"""


def test_validate_reports_every_problem_as_file_line_field_message_and_exits_2(runner, tmp_path):
    spec = write(tmp_path / "broken.yaml", BROKEN_SPEC)
    result = runner.invoke(main, ["validate", str(spec)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error ")]
    assert lines == [
        f"error {spec}:2: colour: unknown key (not a setting)",
        f"error {spec}:4: taxonomy.depth: Input should be greater than or equal to 1",
        f"error {spec}:9: output.answer_field: 'answer' is not one of the fields",
    ]
    assert "3 problems found" in result.output
    assert "ok" not in result.output.split()


def test_validate_a_missing_file_exits_2_and_names_the_file(runner, tmp_path):
    missing = tmp_path / "nowhere.yaml"
    result = runner.invoke(main, ["validate", str(missing)])
    assert result.exit_code == 2
    assert f"{missing}: (top level): cannot read the file" in result.output
    assert "1 problem found" in result.output


def test_validate_invalid_yaml_exits_2_with_the_line(runner, tmp_path):
    spec = write(tmp_path / "bad.yaml", "description: Word problems for pupils.\ntaxonomy:\n  depth: [2\nseed: 0\n")
    result = runner.invoke(main, ["validate", str(spec)])
    assert result.exit_code == 2
    # The flow sequence opened on line 3 is broken by the ':' on line 4.
    assert f"{spec}:4: (top level): not valid YAML: expected ',' or ']'" in result.output
    assert "1 problem found" in result.output


def test_validate_invalid_yaml_on_a_known_line(runner, tmp_path):
    spec = write(tmp_path / "bad.yaml", "description: Word problems for pupils.\nseed: 0\n  depth: 2\n")
    result = runner.invoke(main, ["validate", str(spec)])
    assert result.exit_code == 2
    assert f"{spec}:3: (top level): not valid YAML" in result.output


# 3. taxonomy with the fake endpoint


def node_names(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    return [node["name"]] + [n for child in node.get("children", []) for n in node_names(child)]


def test_taxonomy_with_a_fake_endpoint_writes_the_run_and_prints_the_tree_and_counts(runner, tmp_path):
    spec = write(tmp_path / "spec.yaml", FAKE_SPEC)
    out = tmp_path / "run"
    result = runner.invoke(main, ["taxonomy", str(spec), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "taxonomy.yaml").is_file()
    assert (out / "seedless.db").is_file()

    factors = yaml.safe_load((out / "taxonomy.yaml").read_text(encoding="utf-8"))["factors"]
    assert [f["name"] for f in factors] == ["Topic", "Format"]
    for factor in factors:
        assert f"{factor['name']} (depth {factor['depth']}" in result.output
        assert factor["children"], "every factor got children"
        for name in node_names(factor):
            assert name in result.output
    sent, reused = calls_sent(result.output)
    assert sent > 0 and reused == 0
    assert f"model calls sent: {sent}, reused from the store: 0" in result.output
    assert "fake:fake" in result.output  # the usage table names the model

    again = runner.invoke(main, ["taxonomy", str(spec), "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert "model calls sent: 0" in again.output
    assert yaml.safe_load((out / "taxonomy.yaml").read_text(encoding="utf-8"))["factors"] == factors


def test_plan_writes_strategies_and_shows_the_coverage_budget_and_sample_mixes(runner, tmp_path):
    spec = write(tmp_path / "spec.yaml", FAKE_SPEC + "size: 20\nstrategy: {write: false}\n")
    out = tmp_path / "run"
    result = runner.invoke(main, ["plan", str(spec), "--out", str(out)])
    assert result.exit_code == 0, result.output
    strategies = yaml.safe_load((out / "strategies.yaml").read_text(encoding="utf-8"))["strategies"]
    assert strategies == [{"name": "all factors", "weight": 1.0, "description": "Every taxonomy sampled together.",
                           "taxonomies": ["Topic", "Format"]}]
    assert "Sampling strategies (default)" in result.output
    assert "Coverage budget N/V = 20/" in result.output
    assert "  0. all factors: " in result.output and "  4. all factors: " in result.output
    again = runner.invoke(main, ["plan", str(spec), "--out", str(out)])
    assert "model calls sent: 0" in again.output


def test_plan_with_a_broken_strategies_file_exits_2_naming_its_line(runner, tmp_path):
    spec = write(tmp_path / "spec.yaml", FAKE_SPEC + "strategy: {write: false}\n")
    out = tmp_path / "run"
    assert runner.invoke(main, ["plan", str(spec), "--out", str(out)]).exit_code == 0
    path = out / "strategies.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  weight: 1.0\n", "  weight: heavy\n"))
    result = runner.invoke(main, ["plan", str(spec), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert re.search(r"strategies\.yaml:\d+: strategies\[0\]\.weight: weight is a number above 0", result.output)


# 4. --base-url / --model and their environment variables


def test_base_url_and_model_point_every_role_at_an_openai_server_and_a_rerun_sends_nothing(runner, tmp_path,
                                                                                          server):
    spec = write(tmp_path / "spec.yaml", NO_MODELS_SPEC)
    out = tmp_path / "run"
    args = ["taxonomy", str(spec), "--out", str(out), "--base-url", server.url, "--model", "m"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    first = server.requests
    assert first > 0
    assert set(server.models) == {"m"}
    assert "openai:m" in result.output
    assert calls_sent(result.output) == (first, 0)
    assert (out / "taxonomy.yaml").is_file()

    again = runner.invoke(main, args)
    assert again.exit_code == 0, again.output
    assert server.requests == first
    assert "model calls sent: 0" in again.output


def test_seedless_base_url_and_model_environment_variables_work_like_the_flags(tmp_path, server):
    spec = write(tmp_path / "spec.yaml", NO_MODELS_SPEC)
    env = {"COLUMNS": "200", "SEEDLESS_BASE_URL": server.url, "SEEDLESS_MODEL": "m", "SEEDLESS_API_KEY_ENV": None,
           "FORCE_COLOR": None, "TTY_COMPATIBLE": None}
    runner = CliRunner(env=env)
    result = runner.invoke(main, ["taxonomy", str(spec), "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    first = server.requests
    assert first > 0
    assert "openai:m" in result.output
    assert calls_sent(result.output) == (first, 0)

    again = runner.invoke(main, ["taxonomy", str(spec), "--out", str(tmp_path / "run")])
    assert again.exit_code == 0, again.output
    assert server.requests == first

    # The flags on a fresh run directory send exactly the same requests as the variables did.
    flags = CliRunner(env={**env, "SEEDLESS_BASE_URL": None, "SEEDLESS_MODEL": None}).invoke(
        main, ["taxonomy", str(spec), "--out", str(tmp_path / "run2"), "--base-url", server.url, "--model", "m"])
    assert flags.exit_code == 0, flags.output
    assert server.requests == 2 * first


def test_base_url_without_model_is_a_usage_error(runner, tmp_path):
    spec = write(tmp_path / "spec.yaml", NO_MODELS_SPEC)
    result = runner.invoke(main, ["taxonomy", str(spec), "--out", str(tmp_path / "run"),
                                  "--base-url", "http://127.0.0.1:9/v1"])
    assert result.exit_code == 2
    assert "--base-url and --model go together" in result.output
    assert not (tmp_path / "run" / "taxonomy.yaml").exists()


def test_model_without_base_url_is_a_usage_error(runner, tmp_path):
    spec = write(tmp_path / "spec.yaml", NO_MODELS_SPEC)
    result = runner.invoke(main, ["taxonomy", str(spec), "--out", str(tmp_path / "run"), "--model", "m"])
    assert result.exit_code == 2
    assert "--base-url and --model go together" in result.output


# 5. a fatal endpoint error


def test_an_endpoint_answering_401_exits_1_and_says_to_run_again(runner, tmp_path, refusing_server):
    spec = write(tmp_path / "spec.yaml", NO_MODELS_SPEC)
    result = runner.invoke(main, ["taxonomy", str(spec), "--out", str(tmp_path / "run"),
                                  "--base-url", refusing_server.url, "--model", "m"])
    assert result.exit_code == 1, result.output
    assert "401" in result.output
    assert "run the same command again" in result.output
    assert refusing_server.requests >= 1
    assert not (tmp_path / "run" / "taxonomy.yaml").exists()


# 6. a hand-broken taxonomy.yaml


def test_a_hand_broken_taxonomy_file_exits_2_naming_its_line(runner, tmp_path):
    spec = write(tmp_path / "spec.yaml", FAKE_SPEC)
    out = tmp_path / "run"
    assert runner.invoke(main, ["taxonomy", str(spec), "--out", str(out)]).exit_code == 0
    path = out / "taxonomy.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index("- name: Topic")
    lines.insert(at + 1, "  colour: red")
    write(path, "\n".join(lines) + "\n")
    broken_line = at + 2  # 1-based line of the inserted key

    result = runner.invoke(main, ["taxonomy", str(spec), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"taxonomy.yaml:{broken_line}: factors[0].colour: unknown key" in result.output
    assert "1 problem found" in result.output
    assert "  colour: red" in path.read_text(encoding="utf-8")  # the user's file is left as it was


# 7. stages


def test_stages_lists_factors_and_taxonomy_with_their_roles(runner):
    result = runner.invoke(main, ["stages"])
    assert result.exit_code == 0, result.output
    assert re.search(r"^factors: ", result.output, re.M)
    assert re.search(r"^taxonomy: ", result.output, re.M)
    assert "roles: factor_proposer\n" in result.output
    assert "roles: taxonomy_proposer, taxonomy_critic, level_planner\n" in result.output
    assert result.output.index("factors: ") < result.output.index("taxonomy: ")


# 8. help


def test_taxonomy_help_exits_0_and_documents_base_url_and_model(runner):
    result = runner.invoke(main, ["taxonomy", "--help"])
    assert result.exit_code == 0, result.output
    assert "--base-url" in result.output
    assert "--model" in result.output


def test_top_level_help_exits_0_and_mentions_base_url(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    assert "--base-url" in result.output


def test_top_level_help_lists_every_command(runner):
    result = runner.invoke(main, ["-h"])
    assert result.exit_code == 0
    for command in ("init", "validate", "taxonomy", "stages"):
        assert re.search(rf"^\s+{command}\s", result.output, re.M), command


def test_validate_checks_the_judge_check_items_file_naming_the_spec_line_and_the_bad_datapoint(runner, tmp_path):
    spec_text = FAKE_SPEC + ("generation: {judge_check: {items: known.jsonl}}\n"
                             "output: {kind: fields, fields: [{name: question}, {name: answer}], answer_field: answer}\n")
    spec = write(tmp_path / "s.yaml", spec_text)
    result = runner.invoke(main, ["validate", str(spec)])
    assert result.exit_code == 2 and "generation.judge_check.items" in result.output
    assert "known.jsonl: no such file" in result.output.replace("\n", "")
    (tmp_path / "known.jsonl").write_text('{"question": "What is 5 + 2?", "answer": "7"}\n{"question": "None"}\n')
    result = runner.invoke(main, ["validate", str(spec)])
    assert result.exit_code == 2 and "known.jsonl:2: not a datapoint" in result.output.replace("\n", "")
    (tmp_path / "known.jsonl").write_text('{"question": "What is 5 + 2?", "answer": "7"}\n')
    assert runner.invoke(main, ["validate", str(spec)]).exit_code == 0


def test_validate_checks_the_dedup_reference_files_naming_the_spec_line_relative_to_the_spec_folder(runner,
                                                                                                    tmp_path):
    spec = write(tmp_path / "s.yaml", FAKE_SPEC + "generation: {dedup: {references: [bench.jsonl]}}\n")
    result = runner.invoke(main, ["validate", str(spec)])
    shown = result.output.replace("\n", "")
    assert result.exit_code == 2 and "generation.dedup.references" in shown and "bench.jsonl: no such file" in shown
    (tmp_path / "bench.jsonl").write_text('{"question": "What is 5 + 2?"}\nnot json\n')
    result = runner.invoke(main, ["validate", str(spec)])
    assert result.exit_code == 2 and "bench.jsonl:2" in result.output.replace("\n", "")
    (tmp_path / "bench.jsonl").write_text('{"question": "What is 5 + 2?"}\n')
    assert runner.invoke(main, ["validate", str(spec)]).exit_code == 0  # found beside the spec, not in the cwd
