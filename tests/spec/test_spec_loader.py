"""Contracts of seedless.spec.loader: a spec is typed, defaulted, and every problem is reported with file, line, field."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedless.spec import (
    EmbeddedEndpoint,
    OpenAIEndpoint,
    Spec,
    SpecError,
    SpecProblem,
    load_spec,
    parse_spec,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_SPECS = sorted((REPO_ROOT / "examples").glob("*.yaml")) + [REPO_ROOT / "src" / "seedless" / "spec" / "example.yaml"]

# One spec with many problems at once; the line numbers below are the contract.
MANY_PROBLEMS = """\
description: A dataset of things for testing.
seed: lots
taxonomy:
  depth: 9
  min_children: 7
  max_children: 3
  colour: blue
factors:
  - name: Topic
  - name: topic
output:
  kind: fields
  fields:
    - {name: question}
  answer_field: answer
models:
  endpoints:
    main: {kind: openai, base_url: "http://x/v1", model: m, bogus: 1}
  default: main
  roles:
    writer: {temperature: 0.5}
    taxonomy_critic: {endpoint: nowhere}
"""


def _problems(text: str, file: str = "s.yaml") -> list[SpecProblem]:
    with pytest.raises(SpecError) as info:
        parse_spec(text, file)
    return info.value.problems


def test_parse_spec_reports_every_problem_at_once_with_file_line_and_field():
    problems = _problems(MANY_PROBLEMS)

    assert [(p.line, p.field) for p in problems] == [
        (2, "seed"),
        (4, "taxonomy.depth"),
        (5, "taxonomy.min_children"),
        (7, "taxonomy.colour"),
        (10, "factors[1].name"),
        (15, "output.answer_field"),
        (18, "models.endpoints.main.bogus"),
        (21, "models.roles.writer"),
        (22, "models.roles.taxonomy_critic.endpoint"),
    ]
    assert {p.file for p in problems} == {"s.yaml"}
    by_field = {p.field: p.message for p in problems}
    assert "valid integer" in by_field["seed"]
    assert "less than or equal to 8" in by_field["taxonomy.depth"]
    assert by_field["taxonomy.min_children"] == "is larger than max_children (7 > 3)"
    assert by_field["factors[1].name"] == "duplicate factor name 'topic'"
    assert by_field["output.answer_field"] == "'answer' is not one of the fields"
    assert "taxonomy_critic" in by_field["models.roles.writer"]  # lists the valid role names
    assert by_field["models.roles.taxonomy_critic.endpoint"] == "names no endpoint 'nowhere'"


def test_spec_error_message_lists_each_problem_as_file_line_field_message():
    with pytest.raises(SpecError) as info:
        parse_spec(MANY_PROBLEMS, "s.yaml")
    lines = str(info.value).splitlines()
    assert len(lines) == 9
    assert lines[0].startswith("s.yaml:2: seed: ")
    assert lines[-1] == "s.yaml:22: models.roles.taxonomy_critic.endpoint: names no endpoint 'nowhere'"


def test_unknown_keys_anywhere_are_reported_as_unknown_key_at_the_key_line():
    text = (
        "description: A dataset of things for testing.\n"  # 1
        "colour: red\n"  # 2
        "factors:\n"  # 3
        "  - name: A\n"  # 4
        "    oops: 1\n"  # 5
        "models:\n"  # 6
        "  endpoints:\n"  # 7
        "    fake: {kind: fake, bogus: 2}\n"  # 8
        "  default: fake\n"  # 9
    )
    problems = _problems(text)
    assert [(p.line, p.field, p.message) for p in problems] == [
        (2, "colour", "unknown key (not a setting)"),
        (5, "factors[0].oops", "unknown key (not a setting)"),
        (8, "models.endpoints.fake.bogus", "unknown key (not a setting)"),
    ]


def test_yaml_syntax_error_reports_its_line_and_says_not_valid_yaml():
    problems = _problems("description: A dataset of things\ntaxonomy: [1, 2\nseed: 3\n")
    assert len(problems) == 1
    assert problems[0].line == 3
    assert problems[0].field == ""
    assert problems[0].message.startswith("not valid YAML: ")


def test_yaml_error_on_the_first_line_reports_line_one():
    problems = _problems("description: x: y\n")
    assert [(p.line, p.message) for p in problems] == [(1, "not valid YAML: mapping values are not allowed here")]


@pytest.mark.parametrize("text", ["- a\n- b\n", "", "just a string\n", "42\n"])
def test_a_document_that_is_not_a_mapping_is_an_error(text):
    problems = _problems(text)
    assert [(p.line, p.field) for p in problems] == [(1, "")]
    assert "mapping" in problems[0].message
    assert "(top level)" in str(problems[0])


def test_missing_description_is_reported_as_required():
    problems = _problems("name: x\n")
    assert [(p.line, p.field, p.message) for p in problems] == [(1, "description", "Field required")]


def test_description_shorter_than_ten_characters_is_rejected():
    problems = _problems("description: short\n")
    assert [(p.line, p.field) for p in problems] == [(1, "description")]
    assert "at least 10 characters" in problems[0].message


def test_a_section_of_the_wrong_type_is_reported_at_that_section():
    problems = _problems("description: A dataset of things\ntaxonomy: 5\nmodels: [1]\n")
    assert [(p.line, p.field) for p in problems] == [(2, "taxonomy"), (3, "models")]


def test_load_spec_on_a_missing_file_names_the_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(SpecError) as info:
        load_spec(missing)
    (problem,) = info.value.problems
    assert problem.file == str(missing)
    assert problem.line is None
    assert problem.message.startswith("cannot read the file")
    assert str(missing) in str(info.value)


def test_load_spec_reports_problems_against_the_file_path(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text("description: A dataset of things\nseed: -1\n", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert [(p.file, p.line, p.field) for p in info.value.problems] == [(str(path), 2, "seed")]


def test_load_spec_reads_a_valid_file(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text("description: A dataset of things\nseed: 5\n", encoding="utf-8")
    spec = load_spec(str(path))
    assert spec.seed == 5
    assert spec.description == "A dataset of things"


def test_minimal_spec_gets_one_embedded_endpoint_and_documented_defaults():
    spec = parse_spec("description: Questions about the weather.\n")
    assert isinstance(spec, Spec)
    assert spec.name is None
    assert spec.samples == [] and spec.factors == []
    assert list(spec.models.endpoints) == ["embedded"]
    assert isinstance(spec.models.endpoints["embedded"], EmbeddedEndpoint)
    assert spec.models.endpoints["embedded"].n_parallel == 8
    assert spec.models.default == "embedded"
    assert spec.models.roles == {}
    assert spec.models.max_repairs == 2
    tax = spec.taxonomy
    assert (tax.depth, tax.max_factors, tax.proposals) == (2, 4, 3)
    assert (tax.min_children, tax.max_children, tax.max_name_chars) == (2, 6, 60)
    assert tax.critic is True and tax.level_plan is True
    assert spec.output.kind == "text" and spec.output.fields == [] and spec.output.answer_field is None
    assert spec.seed == 0


def test_factor_depth_falls_back_to_the_taxonomy_depth():
    spec = parse_spec(
        "description: Questions about the weather.\n"
        "taxonomy: {depth: 3}\n"
        "factors:\n  - {name: Season}\n  - {name: Region, depth: 1}\n"
    )
    assert [spec.factor_depth(f) for f in spec.factors] == [3, 1]


def test_openai_endpoint_is_selected_by_kind_and_typed():
    spec = parse_spec(
        "description: Questions about the weather.\n"
        "models:\n"
        "  endpoints:\n"
        "    hosted: {kind: openai, base_url: 'http://localhost:8000/v1', model: qwen, api_key_env: KEY}\n"
        "  default: hosted\n"
    )
    endpoint = spec.models.endpoints["hosted"]
    assert isinstance(endpoint, OpenAIEndpoint)
    assert (endpoint.base_url, endpoint.model, endpoint.api_key_env) == ("http://localhost:8000/v1", "qwen", "KEY")
    assert endpoint.max_concurrency == 256 and endpoint.adaptive is True and endpoint.json_schema is True


def test_openai_endpoint_needs_base_url_and_model_and_paths_omit_the_union_tag():
    problems = _problems(
        "description: Questions about the weather.\n"
        "models:\n"
        "  endpoints:\n"
        "    hosted: {kind: openai}\n"
        "  default: hosted\n"
    )
    assert [(p.line, p.field, p.message) for p in problems] == [
        (4, "models.endpoints.hosted.base_url", "Field required"),
        (4, "models.endpoints.hosted.model", "Field required"),
    ]
    assert not any(".openai" in p.field for p in problems)


def test_an_endpoint_named_like_a_kind_keeps_its_name_in_the_error_path():
    problems = _problems(
        "description: Questions about the weather.\n"
        "models:\n"
        "  endpoints:\n"
        "    embedded: {kind: openai, model: m, max_concurrency: 0}\n"
    )
    assert [(p.line, p.field) for p in problems] == [
        (4, "models.endpoints.embedded.base_url"),
        (4, "models.endpoints.embedded.max_concurrency"),
    ]


def test_an_unknown_endpoint_kind_is_reported_at_the_endpoint():
    problems = _problems(
        "description: Questions about the weather.\n"
        "models:\n"
        "  endpoints:\n"
        "    g: {kind: nope}\n"
        "  default: g\n"
    )
    assert [(p.line, p.field) for p in problems] == [(4, "models.endpoints.g")]
    assert "'embedded', 'openai', 'fake'" in problems[0].message


def test_a_default_naming_no_endpoint_lists_the_known_ones():
    problems = _problems(
        "description: Questions about the weather.\n"
        "models:\n"
        "  endpoints:\n"
        "    b: {kind: fake}\n"
        "    a: {kind: fake}\n"
        "  default: c\n"
    )
    assert [(p.line, p.field, p.message) for p in problems] == [
        (6, "models.default", "names no endpoint (known: a, b)")
    ]


def test_out_of_range_role_settings_are_reported_with_their_path():
    problems = _problems(
        "description: Questions about the weather.\n"
        "models:\n"
        "  roles:\n"
        "    taxonomy_critic: {temperature: 3, max_tokens: 8}\n"
    )
    assert [(p.line, p.field) for p in problems] == [
        (4, "models.roles.taxonomy_critic.max_tokens"),
        (4, "models.roles.taxonomy_critic.temperature"),
    ]


def test_field_names_must_be_identifiers():
    problems = _problems(
        "description: Questions about the weather.\n"
        "output:\n"
        "  kind: fields\n"
        "  fields:\n"
        "    - {name: ok}\n"
        "    - {name: 9bad}\n"
    )
    assert [(p.line, p.field) for p in problems] == [(6, "output.fields[1].name")]
    assert "pattern" in problems[0].message


def test_a_bad_sample_is_reported_at_the_sample_without_a_union_member_tag():
    problems = _problems("description: Questions about the weather.\nsamples: [5]\n")
    assert problems, "an integer sample is neither text nor a mapping"
    assert {p.field for p in problems} == {"samples[0]"}


@pytest.mark.parametrize("path", EXAMPLE_SPECS, ids=lambda p: p.name)
def test_every_shipped_example_spec_validates(path):
    assert path.is_file(), path
    spec = load_spec(path)
    assert len(spec.description) >= 10
    assert spec.models.default in spec.models.endpoints


def test_the_example_specs_are_found():
    names = {p.name for p in EXAMPLE_SPECS}
    assert {"cti_mcq.yaml", "gsm_math.yaml", "quickstart.yaml", "example.yaml"} <= names


def test_spec_problem_str_without_a_line_shows_only_the_file():
    assert str(SpecProblem("f.yaml", None, "seed", "bad")) == "f.yaml: seed: bad"
    assert str(SpecProblem("f.yaml", 3, "", "bad")) == "f.yaml:3: (top level): bad"


def test_true_or_false_is_not_a_number_for_size_or_any_other_number_setting():
    text = """description: Word problems in arithmetic for primary school pupils.
size: true
generation: {complexify: false, max_attempts: yes, double_critic: true}
models:
  endpoints: {e: {kind: embedded, n_parallel: true, adaptive: true}}
  default: e
  budget: {cost: true}
"""
    assert [(p.line, p.field, p.message) for p in _problems(text)] == [
        (2, "size", "Input should be a valid integer, not true"),
        (3, "generation.complexify", "Input should be a valid number, not false"),
        (3, "generation.max_attempts", "Input should be a valid integer, not true"),
        (5, "models.endpoints.e.n_parallel", "Input should be a valid integer, not true"),
        (7, "models.budget.cost", "Input should be a valid number, not true"),
    ]


def test_yaml_numbers_are_still_numbers_and_booleans_still_booleans():
    spec = parse_spec("description: Word problems in arithmetic.\nsize: 3\ngeneration: {complexify: 1, "
                      "double_critic: false}\n")
    assert (spec.size, spec.generation.complexify, spec.generation.double_critic) == (3, 1.0, False)
