"""Contracts of the export-format registry: one entry per format, plugins added and taken away by name, clear
errors for bad entries, each format's default output, and listing the formats loads neither pyarrow nor datasets."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from pydantic import BaseModel
from run_files import TEXT_OUTPUT, make_run, read_lines, record

from seedless.core.dataset.chat_mapping import ChatMapping
from seedless.engine.outputs.export import ExportError, export
from seedless.engine.outputs.formats import ExportSource, LinesFormat
from seedless.engine.outputs.registry import FORMATS, export_format, format_names, formats_taking, register, unregister


class Upper(LinesFormat[BaseModel]):
    name = "upper"
    summary = "each datapoint's text in capitals"

    def objects(self, source: ExportSource, options: BaseModel | None) -> Iterator[dict[str, str]]:
        for row in source.rows():
            yield {"text": row["data"]["text"].upper()}


@pytest.fixture
def upper() -> Iterator[Upper]:
    fmt = register(Upper())
    try:
        yield fmt
    finally:
        unregister("upper")


def test_the_built_in_formats_are_registered_in_order_with_their_default_outputs(tmp_path):
    assert format_names()[:3] == ["jsonl", "chat", "hf"]
    assert [export_format(n).default_out(tmp_path) for n in ("jsonl", "chat", "hf")] == [
        tmp_path / "export" / "jsonl.jsonl", tmp_path / "export" / "chat.jsonl", tmp_path / "export" / "hf"]
    assert [n for n in format_names() if FORMATS[n].folder] == ["hf"]
    assert formats_taking(ChatMapping) == ["chat"]


def test_a_registered_format_exports_and_is_gone_once_unregistered(upper, tmp_path):
    run = make_run(tmp_path / "run", TEXT_OUTPUT, [record(0, {"text": "a fox"})])
    result = export(run, "upper")
    assert result.path == run / "export" / "upper.jsonl" and read_lines(result.path) == [{"text": "A FOX"}]
    unregister("upper")
    with pytest.raises(ExportError, match="unknown export format 'upper': one of jsonl, chat, hf"):
        export(run, "upper")
    register(upper)  # for the fixture to take away


def test_options_of_the_wrong_type_are_refused_naming_the_formats_that_take_them(upper, tmp_path):
    run = make_run(tmp_path / "run", TEXT_OUTPUT, [record(0, {"text": "a"})])
    with pytest.raises(ExportError, match="applies to the chat format only"):
        export(run, "upper", mapping=ChatMapping(system="x"))


def test_register_refuses_a_taken_name_a_bad_name_and_a_missing_summary(upper):
    with pytest.raises(ValueError, match="'upper' is already registered"):
        register(Upper())
    assert register(upper, replace=True) is upper

    class Bad(Upper):
        name = "Bad Name"

    class Silent(Upper):
        name = "silent"
        summary = ""

    with pytest.raises(ValueError, match="lower-case letters"):
        register(Bad())
    with pytest.raises(ValueError, match="needs a one-line summary"):
        register(Silent())
    assert "silent" not in FORMATS
    with pytest.raises(KeyError):
        unregister("silent")


def test_listing_the_formats_loads_neither_pyarrow_nor_datasets():
    code = ("import json, sys; from seedless.engine.outputs.registry import FORMATS; "
            "print(json.dumps([list(FORMATS), sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pyarrow', 'datasets'))]))")
    names, heavy = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                             check=True).stdout)
    assert names[:3] == ["jsonl", "chat", "hf"] and heavy == []
