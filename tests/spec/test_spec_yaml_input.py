"""Contracts of reading any YAML file the user hands us (spec, taxonomy.yaml, strategies.yaml): the text decoded or
refused with the file named, nesting depth and alias expansion bounded, every refusal a problem with its line."""

from __future__ import annotations

import pytest

from seedless.core.plan.strategy_file import StrategyFileError, parse_strategies
from seedless.core.taxonomy.file import TaxonomyFileError, parse_taxonomies, read_taxonomies
from seedless.spec import SpecError, load_spec, parse_spec
from seedless.spec.loader import MAX_ALIAS_NODES, MAX_DEPTH

SPEC = """description: Word problems in arithmetic for primary school pupils.
size: 7
models:
  endpoints: {fake: {kind: fake}}
  default: fake
"""


def _problems(call) -> list[str]:
    with pytest.raises(SpecError) as info:
        call()
    return [str(p) for p in info.value.problems]


def alias_bomb() -> str:
    """Nine levels of nine aliases ("billion laughs"): 9**9 strings once expanded."""
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghi"
    for prev, name in zip(names, names[1:]):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(levels) + "\n"


def test_a_binary_file_is_not_a_text_file(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    assert _problems(lambda: load_spec(path)) == [f"{path}: (top level): not a text file (UTF-8 expected)"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_spec_with_a_byte_order_mark_is_decoded(tmp_path, encoding):
    path = tmp_path / "spec.yaml"
    text = SPEC + "name: Café\n"
    path.write_bytes(("\ufeff" + text).encode(encoding.replace("-sig", "")) if encoding != "utf-16" and
                     encoding != "utf-32" else text.encode(encoding))
    spec = load_spec(path)
    assert (spec.size, spec.name) == (7, "Café")


def test_utf16_without_a_byte_order_mark_is_not_a_text_file(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_bytes(SPEC.encode("utf-16-le"))
    assert _problems(lambda: load_spec(path)) == [f"{path}: (top level): not a text file (UTF-8 expected)"]


def test_text_that_is_not_utf8_names_the_line_of_the_first_bad_byte(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_bytes(SPEC.encode() + "name: Café\n".encode("latin-1"))
    assert _problems(lambda: load_spec(path)) == [
        f"{path}:6: (top level): not UTF-8 text (byte 0xe9); save the file as UTF-8"]


def test_yaml_nested_5000_deep_is_nested_too_deeply_at_its_line():
    deep = SPEC + "samples:\n  - " + "[" * 5000 + "]" * 5000 + "\n"
    assert _problems(lambda: parse_spec(deep, "s.yaml")) == [
        f"s.yaml:7: (top level): nested too deeply (more than {MAX_DEPTH} levels)"]


def test_block_nesting_past_the_bound_is_reported_at_the_line_that_goes_too_deep():
    lines = [" " * (2 * i) + f"k{i}:" for i in range(MAX_DEPTH + 5)]
    text = SPEC + "samples:\n  - " + "\n    ".join(lines) + " end\n"
    problems = _problems(lambda: parse_spec(text, "s.yaml"))
    assert problems == [f"s.yaml:{6 + MAX_DEPTH - 2}: (top level): nested too deeply (more than {MAX_DEPTH} levels)"]


def test_nesting_within_the_bound_is_read():
    text = SPEC + "samples:\n  - " + "{a: " * (MAX_DEPTH - 3) + "1" + "}" * (MAX_DEPTH - 3) + "\n"
    assert len(parse_spec(text).samples) == 1


def test_an_alias_bomb_of_342_bytes_is_refused_without_expanding_it():
    bomb = alias_bomb()
    assert len(bomb.encode()) == 342
    (problem,) = _problems(lambda: parse_spec(SPEC + bomb, "s.yaml"))
    assert problem.startswith("s.yaml:")
    assert f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes" in problem


def test_an_alias_inside_the_node_it_names_is_refused():
    assert _problems(lambda: parse_spec(SPEC + "samples: &s [1, *s]\n", "s.yaml")) == [
        "s.yaml:6: (top level): the alias *s is inside the node it names"]


def test_ordinary_anchors_aliases_and_merge_keys_still_work():
    text = """description: Word problems in arithmetic for primary school pupils.
models:
  endpoints:
    a: &base {kind: openai, base_url: "http://h/v1", model: m, timeout_s: 30}
    b: {<<: *base, model: other}
  default: a
  roles:
    critic: &cool {temperature: 0.1}
    judge: *cool
"""
    spec = parse_spec(text)
    assert spec.models.endpoints["b"].model == "other" and spec.models.endpoints["b"].timeout_s == 30
    assert spec.models.roles["judge"].temperature == 0.1


def test_a_control_character_is_reported_at_its_line():
    assert _problems(lambda: parse_spec(SPEC + 'name: "a\x07b"\n', "s.yaml")) == [
        "s.yaml:6: (top level): not valid YAML: the character #x0007 is not allowed in YAML text"]


def test_taxonomy_and_strategies_files_are_read_with_the_same_bounds(tmp_path):
    binary = tmp_path / "taxonomy.yaml"
    binary.write_bytes(b"\x00\x01\x02factors: []")
    assert _problems(lambda: read_taxonomies(binary)) == [f"{binary}: (top level): not a text file (UTF-8 expected)"]
    with pytest.raises(TaxonomyFileError, match="nested too deeply"):
        parse_taxonomies("factors: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(StrategyFileError, match="aliases expand to more than"):
        parse_strategies(alias_bomb() + "strategies: []\n")
    with pytest.raises(StrategyFileError, match="not valid YAML: the character #x0000"):
        parse_strategies("strategies:\n- name: a\x00\n")
