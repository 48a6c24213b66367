"""Contracts of `output.chat` in the spec: typed and strict; a field name the format does not have, or one in both
turns, is a SpecError at its own line (what `seedless validate` prints); no mapping dumps as before."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from seedless.interface.cli import main
from seedless.spec import SpecError, parse_spec

HEAD = """description: Multiple-choice questions about the planets.
output:
  kind: fields
  answer_field: answer
  fields:
    - {name: question}
    - {name: options, type: list}
    - {name: solution}
    - {name: answer, choices_from: options}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        parse_spec(text, "s.yaml")
    return str(info.value).splitlines()


def test_a_chat_mapping_loads_typed_with_the_meta_prompt_and_letters_on_by_default():
    spec = parse_spec(HEAD + "  chat:\n    user_fields: ['@meta_prompt', question, options]\n"
                             "    assistant_fields: [solution, answer]\n    system: Show your work.\n")
    chat = spec.output.chat
    assert chat.user_fields == ["@meta_prompt", "question", "options"]
    assert chat.assistant_fields == ["solution", "answer"]
    assert (chat.system, chat.letters) == ("Show your work.", True)
    assert parse_spec(HEAD).output.chat is None


def test_an_unknown_field_in_output_chat_is_a_spec_error_at_its_line():
    lines = problems(HEAD + "  chat:\n    user_fields: [question, hint]\n    assistant_fields:\n      - answr\n")
    assert lines == [
        "s.yaml:11: output.chat.user_fields[1]: 'hint' is not one of the fields (question, options, solution, "
        "answer, or '@meta_prompt')",
        "s.yaml:13: output.chat.assistant_fields[0]: 'answr' is not one of the fields (question, options, solution, "
        "answer, or '@meta_prompt')"]


def test_a_field_in_both_turns_and_an_unknown_key_are_spec_errors():
    assert problems(HEAD + "  chat: {user_fields: [question, solution], assistant_fields: [solution, answer]}\n") == [
        "s.yaml:10: output.chat.assistant_fields[0]: 'solution' is also in user_fields"]
    assert problems(HEAD + "  chat: {user: [question]}\n") == ["s.yaml:10: output.chat.user: unknown key (not a setting)"]


def test_free_text_and_json_schema_formats_check_their_own_field_names():
    text = "description: Short stories for children about animals.\noutput:\n  chat: {assistant_fields: [story]}\n"
    assert problems(text) == ["s.yaml:3: output.chat.assistant_fields[0]: 'story' is not one of the fields (text, or "
                              "'@meta_prompt')"]
    schema = ("description: Short stories for children about animals.\noutput:\n  kind: json_schema\n"
              "  json_schema: {type: object}\n  chat: {assistant_fields: [story]}\n")
    assert parse_spec(schema).output.chat.assistant_fields == ["story"]  # no properties listed: unchecked


def test_a_format_without_chat_mapping_dumps_as_before():
    output = parse_spec(HEAD).output
    assert "chat" not in output.model_dump() and "chat" not in output.model_dump_json()


def test_validate_prints_file_line_field_for_an_unknown_chat_field(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(HEAD + "  chat: {assistant_fields: [working, answer]}\n", encoding="utf-8")
    result = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["validate", str(spec)])
    assert result.exit_code == 2, result.output
    assert (f"error {spec}:10: output.chat.assistant_fields[0]: 'working' is not one of the fields" in
            result.output)
