"""Contracts of export: data-only JSONL, chat messages by the mapping rule, a HF dataset; clear, atomic failures."""

from __future__ import annotations

import sys

import pytest

from run_files import FIELDS_OUTPUT, TEXT_OUTPUT, make_run, mcq, read_lines, record
from seedless.core.dataset.chat_mapping import ChatMapping
from seedless.engine.outputs.export import ExportError, ExportResult, export, read_dataset

NESTED_OUTPUT = {"kind": "json_schema", "answer_field": "label", "json_schema": {
    "type": "object",
    "properties": {"id": {"type": "string"}, "text": {"type": "string"}, "label": {"type": "string"},
                   "scores": {"type": "object", "properties": {"toxicity": {"type": "number"}}},
                   "extra": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
    "required": ["id", "text", "label"]}}


def test_jsonl_export_writes_each_datapoints_data_to_the_default_path(tmp_path):
    rows = [record(i, mcq(i)) for i in range(3)]
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, rows)
    result = export(run, "jsonl")
    assert result == ExportResult(3, run / "export" / "jsonl.jsonl")
    assert read_lines(result.path) == [r["data"] for r in rows]


def test_chat_export_maps_answer_field_to_assistant_with_options_lettered(tmp_path):
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, [record(2, mcq(2))])
    result = export(run, "chat", tmp_path / "chat.jsonl")
    assert result.path == tmp_path / "chat.jsonl"
    (line,) = read_lines(result.path)
    assert line == {"messages": [
        {"role": "user", "content": "question: What is 2 + 1?\noptions:\nA. 2\nB. 3\npoints: 2"},
        {"role": "assistant", "content": "B. 3"}]}


def test_chat_export_uses_the_runs_own_chat_mapping_and_puts_a_solution_before_the_answer(tmp_path):
    output = {**FIELDS_OUTPUT, "fields": [*FIELDS_OUTPUT["fields"], {"name": "solution"}]}
    data = {**mcq(2), "solution": "2 and 1 more make 3."}
    run = make_run(tmp_path / "run", output, [record(2, data)])
    (line,) = read_lines(export(run, "chat").path)
    assert line["messages"][-1] == {"role": "assistant", "content": "solution: 2 and 1 more make 3.\nanswer: B. 3"}
    chat = {"user_fields": ["question", "options"], "assistant_fields": ["answer"], "system": "Pick one.",
            "letters": False}
    run = make_run(tmp_path / "run", {**output, "chat": chat}, [record(2, data)])
    (line,) = read_lines(export(run, "chat").path)
    assert line["messages"] == [{"role": "system", "content": "Pick one."},
                                {"role": "user", "content": "question: What is 2 + 1?\noptions:\n2\n3"},
                                {"role": "assistant", "content": "3"}]


def test_chat_export_answers_free_text_to_its_meta_prompt(tmp_path):
    run = make_run(tmp_path / "run", TEXT_OUTPUT, [record(0, {"text": "The fox hid."}, "A story about a fox.")])
    (line,) = read_lines(export(run, "chat").path)
    assert line["messages"] == [{"role": "user", "content": "A story about a fox."},
                                {"role": "assistant", "content": "The fox hid."}]


def test_chat_export_uses_a_given_mapping_filled_in_from_the_format(tmp_path):
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, [record(1, mcq(1))])
    mapping = ChatMapping(user_fields=["question"], system="Answer with the number only.")
    (line,) = read_lines(export(run, "chat", mapping=mapping).path)
    assert line["messages"][0] == {"role": "system", "content": "Answer with the number only."}
    assert line["messages"][1]["content"] == "What is 1 + 1?"
    assert line["messages"][2]["content"] == "options:\nA. 1\nB. 2\npoints: 1\nanswer: B. 2"  # the answer last


def test_chat_export_of_unmappable_fields_names_them_and_the_flags(tmp_path):
    output = {"kind": "fields", "fields": [{"name": "title"}, {"name": "body"}]}
    run = make_run(tmp_path / "run", output, [record(0, {"title": "t", "body": "b"})])
    with pytest.raises(ExportError, match="title, body.*--user-fields and --assistant-fields"):
        export(run, "chat")
    with pytest.raises(ExportError, match="unknown field summary"):
        export(run, "chat", mapping=ChatMapping(user_fields=["title"], assistant_fields=["summary"]))
    assert not (run / "export" / "chat.jsonl").exists()


def test_read_dataset_streams_records_and_names_file_and_line_of_a_bad_line(tmp_path):
    run = make_run(tmp_path / "run", TEXT_OUTPUT, [record(0, {"text": "a"}), record(1, {"text": "b"})],
                   extra_lines=["", '{"id": "dp-9", "data": {'])
    rows = read_dataset(run)
    assert next(rows)["id"] == "dp-0000"
    assert next(rows)["data"] == {"text": "b"}
    with pytest.raises(ExportError, match=r"dataset\.jsonl:4: not JSON"):
        next(rows)


def test_read_dataset_names_a_line_that_is_not_a_datapoint(tmp_path):
    run = make_run(tmp_path / "run", TEXT_OUTPUT, [], extra_lines=['{"id": "dp-1", "data": {"text": "a"}}'])
    with pytest.raises(ExportError, match=r"dataset\.jsonl:1: not a datapoint: lineage: Field required"):
        list(read_dataset(run))


def test_a_run_without_dataset_is_an_export_error_that_writes_nothing(tmp_path):
    (tmp_path / "run").mkdir()
    for fmt in ("jsonl", "chat", "hf"):
        with pytest.raises(ExportError, match="dataset.jsonl not found"):
            export(tmp_path / "run", fmt)
    assert not (tmp_path / "run" / "export").exists()


def test_a_failed_export_leaves_the_previous_export_untouched(tmp_path):
    run = make_run(tmp_path / "run", TEXT_OUTPUT, [record(0, {"text": "a"})])
    path = export(run, "jsonl").path
    make_run(run, TEXT_OUTPUT, [record(0, {"text": "new"})], extra_lines=["not json"])
    with pytest.raises(ExportError, match=":2: not JSON"):
        export(run, "jsonl")
    assert read_lines(path) == [{"text": "a"}]
    assert sorted(p.name for p in path.parent.iterdir()) == ["jsonl.jsonl"]


def test_mapping_and_unknown_formats_are_export_errors(tmp_path):
    run = make_run(tmp_path / "run", TEXT_OUTPUT, [record(0, {"text": "a"})])
    with pytest.raises(ExportError, match="chat format only"):
        export(run, "jsonl", mapping=ChatMapping(system="x"))
    with pytest.raises(ExportError, match="unknown export format 'csv'"):
        export(run, "csv")


def test_hf_export_saves_a_dataset_that_load_from_disk_reads_back(tmp_path):
    datasets = pytest.importorskip("datasets")
    rows = [record(i, mcq(i)) for i in range(3)]
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, rows)
    result = export(run, "hf")
    assert result == ExportResult(3, run / "export" / "hf")
    loaded = datasets.load_from_disk(str(result.path))
    assert loaded.column_names == ["id", "question", "options", "answer", "points", "lineage"]
    assert loaded[1]["options"] == ["1", "2"] and loaded[1]["points"] == 1
    lineage = loaded[2]["lineage"]  # typed like dataset.parquet's: the mix a list of {factor, path}
    assert lineage["mix"] == [{"factor": "Topic", "path": ["Maths", "Fractions"]}]
    assert (lineage["strategy"], lineage["slot"], lineage["verdicts"]) == ("default", 2, [])
    assert lineage["meta_prompt"] == rows[2]["lineage"]["meta_prompt"]
    assert loaded.features["lineage"]["complexified"].dtype == "bool"
    assert export(run, "hf").count == 3  # a second export replaces the first
    assert [p.name for p in result.path.parent.iterdir()] == ["hf"]


def test_hf_export_flattens_json_schema_fields_and_renames_clashes(tmp_path):
    datasets = pytest.importorskip("datasets")
    data = {"id": "x-1", "text": "you fool", "label": "toxic", "scores": {"toxicity": 0.9}, "extra": 3}
    run = make_run(tmp_path / "run", NESTED_OUTPUT, [record(0, data)])
    loaded = datasets.load_from_disk(str(export(run, "hf").path))
    assert loaded.column_names == ["id", "data_id", "text", "label", "scores", "extra", "lineage"]
    row = loaded[0]
    assert (row["id"], row["data_id"], row["scores"], row["extra"]) == ("dp-0000", "x-1", {"toxicity": 0.9}, "3")


def test_hf_export_without_datasets_says_how_to_install_it(tmp_path, monkeypatch):
    run = make_run(tmp_path / "run", TEXT_OUTPUT, [record(0, {"text": "a"})])
    monkeypatch.setitem(sys.modules, "datasets", None)  # import fails as if the package were absent
    with pytest.raises(ExportError, match=r"pip install 'seedless\[hf\]'"):
        export(run, "hf")
