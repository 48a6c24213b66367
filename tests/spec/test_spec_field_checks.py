"""Contracts of the output fields' deterministic checks and generation.validators in the spec: each inconsistent
setting is a SpecError at its own line, naming the field."""

from __future__ import annotations

import pytest

from seedless.spec import SpecError, parse_spec

HEAD = """description: Multiple-choice questions about the weather.
output:
  kind: fields
  fields:
    - {name: question}
    - {name: options, type: list}
"""


def problems(fields: str, extra: str = "") -> list[str]:
    with pytest.raises(SpecError) as info:
        parse_spec(HEAD + fields + extra, "s.yaml")
    return str(info.value).splitlines()


def test_consistent_checks_load_and_are_typed():
    spec = parse_spec(HEAD + "    - {name: answer, choices_from: options, unique: true}\n"
                      "    - {name: level, type: integer, minimum: 1, maximum: 5, choices: [1, 2, 3, 4, 5]}\n"
                      "    - {name: code, pattern: '[A-Z]{3}'}\n"
                      "    - {name: tags, type: list, items: 4}\n"
                      "generation: {validators: ['json.dumps']}\n")
    answer, level, code, tags = spec.output.fields[2:]
    assert answer.choices_from == "options" and answer.unique and answer.checked
    assert (level.minimum, level.maximum, level.choices) == (1, 5, [1, 2, 3, 4, 5])
    assert code.pattern == "[A-Z]{3}" and tags.items == 4
    assert not spec.output.fields[0].checked
    assert spec.generation.validators == ["json.dumps"]


@pytest.mark.parametrize("field, expected", [
    ("{name: answer, choices_from: choices}", "s.yaml:7: output.fields[2].choices_from: names no field 'choices'"),
    ("{name: answer, choices_from: question}",
     "s.yaml:7: output.fields[2].choices_from: 'question' is not a list field (type string)"),
    ("{name: answer, minimum: 0}", "s.yaml:7: output.fields[2].minimum: needs an integer or number field, not string"),
    ("{name: answer, type: integer, items: 3}", "s.yaml:7: output.fields[2].items: needs a list field, not integer"),
    ("{name: answer, pattern: '[a-'}",
     "s.yaml:7: output.fields[2].pattern: not a valid regular expression: unterminated character set at position 0"),
    ("{name: answer, type: integer, minimum: 5, maximum: 1}",
     "s.yaml:7: output.fields[2].minimum: is larger than maximum (5 > 1)"),
    ("{name: answer, type: list, items: 3, max_items: 4}",
     "s.yaml:7: output.fields[2].items: give items, or min_items / max_items, not both"),
    ("{name: answer, type: integer, choices: [one, two]}",
     "s.yaml:7: output.fields[2].choices: must be numbers for a field of type integer"),
])
def test_an_inconsistent_check_is_a_spec_error_at_the_fields_line(field, expected):
    assert problems(f"    - {field}\n") == [expected]


def test_a_validator_that_does_not_import_or_is_not_callable_is_a_spec_error_naming_the_field():
    lines = problems("", "generation:\n  validators:\n    - no_such_module_xyz.check\n    - json.decoder.scanstring_\n"
                         "    - json.__name__\n    - nodots\n")
    assert lines[0].startswith("s.yaml:9: generation.validators[0]: 'no_such_module_xyz.check': module "
                               "'no_such_module_xyz' does not import (ModuleNotFoundError")
    assert lines[1:] == [
        "s.yaml:10: generation.validators[1]: 'json.decoder.scanstring_': 'json.decoder' has no attribute 'scanstring_'",
        "s.yaml:11: generation.validators[2]: 'json.__name__' is not callable",
        "s.yaml:12: generation.validators[3]: 'nodots' is not a dotted path to a callable (package.module.function)"]
