"""Contracts of the Parquet copy: Arrow types from the JSON schema, streamed batches, round trips, atomic writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from run_files import FIELDS_OUTPUT, mcq, record
from seedless.core.dataset.output_format import record_schema
from seedless.core.dataset.record import JudgeFigures, Lineage, Repair, Verdict
from seedless.engine.evaluation.items import load_items
from seedless.engine.outputs import parquet as parquet_copy
from seedless.engine.outputs.parquet import LINEAGE_TYPE, arrow_type, write_parquet
from seedless.spec.models import OutputFormat

NESTED = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "steps": {"type": "array", "items": {"type": "object", "properties": {
            "n": {"type": "integer"}, "text": {"type": "string"}, "ok": {"type": "boolean"}}}},
        "score": {"type": ["number", "null"]},
        "meta": {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}}}},
        "anything": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        "free": {"type": "object"},
    },
    "required": ["title"],
}


def test_arrow_types_follow_the_json_schema_and_fall_back_to_json_text():
    assert arrow_type({"type": "string"}) == pa.string()
    assert arrow_type({"type": "integer"}) == pa.int64()
    assert arrow_type({"type": "number"}) == pa.float64()
    assert arrow_type({"type": "boolean"}) == pa.bool_()
    assert arrow_type({"type": "array", "items": {"type": "integer"}}) == pa.list_(pa.int64())
    assert arrow_type({"type": "object", "properties": {"a": {"type": "string"}}}) == pa.struct([("a", pa.string())])
    for other in ({}, {"anyOf": [{"type": "string"}]}, {"type": "object"}, {"type": ["string", "integer"]},
                  {"type": "null"}, {"enum": ["a", "b"]}):
        assert arrow_type(other) == pa.string()


def lineage_back(value: dict) -> dict:
    """A lineage struct read back, with its mix as the record's {factor: path}."""
    return {**value, "mix": {m["factor"]: m["path"] for m in value["mix"]}}


def test_free_text_rows_round_trip_with_a_text_column_and_typed_lineage(tmp_path):
    rows = [record(i, {"text": f"story {i}"}) for i in range(3)]
    path = tmp_path / "dataset.parquet"
    assert write_parquet(iter(rows), record_schema(OutputFormat()), path) == 3
    table = pq.read_table(path)
    assert table.column_names == ["id", "text", "lineage"]
    assert table.column("id").to_pylist() == ["dp-0000", "dp-0001", "dp-0002"]
    assert table.column("text").to_pylist()[2] == "story 2"
    assert table.schema.field("lineage").type == LINEAGE_TYPE
    assert [lineage_back(v) for v in table.column("lineage").to_pylist()] == [r["lineage"] for r in rows]


def test_field_rows_round_trip_with_one_typed_column_per_field(tmp_path):
    rows = [record(i, mcq(i)) for i in range(4)]
    path = tmp_path / "dataset.parquet"
    write_parquet(rows, record_schema(OutputFormat.model_validate(FIELDS_OUTPUT)), path)
    table = pq.read_table(path)
    assert [(f.name, f.type) for f in table.schema][:5] == [
        ("id", pa.string()), ("question", pa.string()), ("options", pa.list_(pa.string())), ("answer", pa.string()),
        ("points", pa.int64())]
    assert [{k: row[k] for k in mcq(0)} for row in table.to_pylist()] == [r["data"] for r in rows]


def test_pandas_reads_one_row_per_datapoint_with_lineage_columns_to_filter_on(tmp_path):
    pd = pytest.importorskip("pandas")
    rows = [record(i, mcq(i)) for i in range(4)]
    rows[1]["lineage"]["complexified"] = True
    path = tmp_path / "dataset.parquet"
    write_parquet(rows, record_schema(OutputFormat.model_validate(FIELDS_OUTPUT)), path,
                  metadata={"seedless.spec_name": "maths", "seedless.version": "0.1.0"})
    frame = pd.read_parquet(path)
    assert list(frame.columns) == ["id", "question", "options", "answer", "points", "lineage"]
    assert frame["points"].tolist() == [0, 1, 2, 3]
    flags = pq.read_table(path, columns=["lineage"]).column("lineage").combine_chunks().field("complexified")
    assert flags.to_pylist() == [False, True, False, False]
    assert frame["lineage"][0]["mix"][0]["factor"] == "Topic"
    assert pq.read_metadata(path).metadata[b"seedless.spec_name"] == b"maths"


def test_a_field_named_id_or_lineage_gets_a_data_prefix_and_eval_reads_it_back(tmp_path):
    schema = {"type": "object", "properties": {"id": {"type": "integer"}, "lineage": {"type": "string"},
                                               "q": {"type": "string"}}}
    path = tmp_path / "dataset.parquet"
    write_parquet([record(0, {"id": 7, "lineage": "from a book", "q": "why?"})], schema, path)
    table = pq.read_table(path)
    assert table.column_names == ["id", "data_id", "data_lineage", "q", "lineage"]
    item = load_items(path)[0]
    assert item.id == "dp-0000" and item.data == {"id": 7, "lineage": "from a book", "q": "why?"}
    assert item.mix == {"Topic": ["Maths", "Fractions"]}


def test_the_lineage_column_has_every_field_of_the_lineage_model():
    def names(arrow: pa.DataType) -> list[str]:
        return [arrow.field(i).name for i in range(arrow.num_fields)]

    assert names(LINEAGE_TYPE) == list(Lineage.model_fields)
    assert names(LINEAGE_TYPE.field("verdicts").type.value_type) == list(Verdict.model_fields)
    assert names(LINEAGE_TYPE.field("repairs").type.value_type) == list(Repair.model_fields)
    assert names(LINEAGE_TYPE.field("judge_check").type) == list(JudgeFigures.model_fields)


def test_nested_json_schema_round_trips_as_structs_lists_and_json_text(tmp_path):
    data = {"title": "Long division", "steps": [{"n": 1, "text": "divide", "ok": True}],
            "score": 3, "meta": {"tags": ["maths"]}, "anything": 7, "free": {"x": [1, 2]}}
    sparse = {"title": "Only a title"}
    path = tmp_path / "dataset.parquet"
    write_parquet([record(0, data), record(1, sparse)], NESTED, path)
    table = pq.read_table(path)
    first, second = ({k: v for k, v in row.items() if k not in ("id", "lineage")} for row in table.to_pylist())
    assert first["steps"] == [{"n": 1, "text": "divide", "ok": True}]
    assert first["score"] == 3.0 and isinstance(first["score"], float)
    assert first["meta"] == {"tags": ["maths"]}
    assert json.loads(first["anything"]) == 7 and json.loads(first["free"]) == {"x": [1, 2]}
    assert second == {"title": "Only a title", "steps": None, "score": None, "meta": None,
                      "anything": None, "free": None}


def test_a_schema_without_properties_stores_data_as_json_text(tmp_path):
    path = tmp_path / "dataset.parquet"
    write_parquet([record(0, {"value": [1, 2]})], {"type": "array", "items": {"type": "integer"}}, path)
    table = pq.read_table(path)
    assert table.column_names == ["id", "data", "lineage"] and table.schema.field("data").type == pa.string()
    assert json.loads(table.column("data")[0].as_py()) == {"value": [1, 2]}


def test_rows_are_written_in_batches_of_the_given_size(tmp_path):
    path = tmp_path / "dataset.parquet"
    count = write_parquet((record(i, {"text": str(i)}) for i in range(5)), record_schema(OutputFormat()), path,
                          batch=2)
    assert count == 5
    assert pq.ParquetFile(path).metadata.num_row_groups == 3


def test_a_value_of_the_wrong_type_names_row_and_field_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "dataset.parquet"
    schema = record_schema(OutputFormat.model_validate(FIELDS_OUTPUT))
    write_parquet([record(0, mcq(0))], schema, path)
    bad = record(1, {**mcq(1), "points": "many"})
    with pytest.raises(ValueError, match=r"dp-0001: data\.points: expected integer"):
        write_parquet([record(0, mcq(0)), bad], schema, path)
    assert pq.read_table(path).num_rows == 1
    assert [p.name for p in tmp_path.iterdir()] == ["dataset.parquet"]


def test_no_rows_still_writes_a_readable_file(tmp_path):
    path: Path = tmp_path / "sub" / "dataset.parquet"
    assert write_parquet([], record_schema(OutputFormat()), path) == 0
    assert pq.read_table(path).num_rows == 0


def test_row_groups_hold_batch_rows_however_many_are_parsed_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(parquet_copy, "PARSE_ROWS", 3)
    path = tmp_path / "dataset.parquet"
    rows = [record(i, {"text": str(i)}) for i in range(16)]
    assert write_parquet(iter(rows), record_schema(OutputFormat()), path, batch=7) == 16
    meta = pq.ParquetFile(path).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [7, 7, 2]
    assert pq.read_table(path).column("text").to_pylist() == [r["data"]["text"] for r in rows]


def test_an_integer_outside_int64_names_row_and_field(tmp_path):
    schema = record_schema(OutputFormat.model_validate(FIELDS_OUTPUT))
    with pytest.raises(ValueError, match=r"dp-0000: data\.points: expected integer"):
        write_parquet([record(0, {**mcq(0), "points": 2 ** 63})], schema, tmp_path / "dataset.parquet")


WRITE_IN_A_FRESH_PROCESS = """
import os, sys
from seedless.engine.outputs.parquet import pa, write_parquet
assert "ARROW_DEFAULT_MEMORY_POOL" not in os.environ
write_parquet([{"id": "a", "data": {"text": "t", "n": [1]}, "lineage": {"k": 1}}],
              {"type": "object", "properties": {"text": {"type": "string"}, "n": {"type": "array"}}}, sys.argv[1])
print(pa.default_memory_pool().backend_name, "pandas" in sys.modules)
"""


def test_writing_imports_no_pandas_and_uses_the_system_allocator(tmp_path):
    """Peak memory: pandas (imported by pa.array where installed) and mimalloc's arenas cost ~65 MB resident."""
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    out = subprocess.run([sys.executable, "-c", WRITE_IN_A_FRESH_PROCESS, str(tmp_path / "d.parquet")],
                         capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["system", "False"]
