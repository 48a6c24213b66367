"""Datapoints -> a flat Parquet table in flat memory: `id`, one column per output field (Arrow types from the
JSON schema of `data`), and `lineage` as one typed struct column (strategy, mix, verdicts, repairs ...); key-value
metadata names the spec, the seedless version and the resolved spec's content hash.

A field named `id` or `lineage` is stored as `data_id` / `data_lineage`; a schema whose root is not an object with
properties stores the whole of `data` in one `data` column (JSON text). pandas, polars, duckdb and the Hugging
Face viewer read the file as a table (docs/export.md)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from seedless.engine.store.rundir import RunDir

# Arrow's default allocator (mimalloc) keeps ~15 MB more resident after the Parquet writer's encoders, which use
# it whatever pool a call names; the system allocator hands that back. Arrow reads the choice once, as pyarrow
# loads: it applies only where nothing imported pyarrow before, never overrides a set value, and is not inherited.
_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"
_POOL_SET = _POOL_ENV in os.environ
os.environ.setdefault(_POOL_ENV, "system")
try:
    import pyarrow as pa
    import pyarrow.json as pj
    import pyarrow.parquet as pq
finally:
    if not _POOL_SET:
        os.environ.pop(_POOL_ENV, None)

_SCALARS = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}
JSON_TEXT = pa.string()  # what a schema without a plain Arrow equivalent becomes: its value as JSON text
_INT64 = (-(2 ** 63), 2 ** 63 - 1)


def _plain_type(schema: dict[str, Any]) -> str | None:
    """The schema's one JSON type; ["T", "null"] counts as T; a union of several types, or none, is None."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if any(key in schema for key in ("anyOf", "oneOf", "allOf", "$ref")):
        return None
    return kind if isinstance(kind, str) else None


def _properties(schema: dict[str, Any]) -> dict[str, Any] | None:
    properties = schema.get("properties")
    if isinstance(properties, dict) and properties and all(isinstance(p, dict) for p in properties.values()):
        return properties
    return None


def arrow_type(schema: Any) -> pa.DataType:
    """string -> string, integer -> int64, number -> float64, boolean -> bool, array of X -> list<X>, object
    with properties -> struct; anything else (anyOf, no type, an object without properties...) -> JSON text."""
    if not isinstance(schema, dict):
        return JSON_TEXT
    kind = _plain_type(schema)
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "array":
        return pa.list_(arrow_type(schema.get("items", {})))
    properties = _properties(schema)
    if kind == "object" and properties:
        return pa.struct([pa.field(name, arrow_type(sub)) for name, sub in properties.items()])
    return JSON_TEXT


def _is_json_text(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return True
    kind = _plain_type(schema)
    return not (kind in _SCALARS or kind == "array" or (kind == "object" and _properties(schema)))


def arrow_value(value: Any, schema: Any, where: str) -> Any:
    """`value` shaped for `arrow_type(schema)`; a value of the wrong type is a ValueError naming `where`."""
    if value is None:
        return None
    if _is_json_text(schema):
        return json.dumps(value, ensure_ascii=False)
    kind = _plain_type(schema)

    def wrong() -> ValueError:
        return ValueError(f"{where}: expected {kind}, got {json.dumps(value, ensure_ascii=False)[:80]}")

    if kind == "string":
        if not isinstance(value, str):
            raise wrong()
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise wrong()
        return value
    if kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise wrong()
        if kind == "integer":
            if (isinstance(value, float) and not value.is_integer()) or not _INT64[0] <= value <= _INT64[1]:
                raise wrong()
            return int(value)
        return float(value)
    if kind == "array":
        if not isinstance(value, list):
            raise wrong()
        items = schema.get("items", {})
        return [arrow_value(item, items, f"{where}[{i}]") for i, item in enumerate(value)]
    if not isinstance(value, dict):
        raise wrong()
    return {name: arrow_value(value.get(name), sub, f"{where}.{name}") for name, sub in schema["properties"].items()}


def root_schema(data_schema: dict[str, Any]) -> dict[str, Any]:
    """The schema `data` is stored by: a datapoint is always an object, so a root listing properties is an object
    even without "type"; any other root (a union, no properties) stores the whole of `data` as JSON text."""
    kind = _plain_type(data_schema) if isinstance(data_schema, dict) else "none"
    if kind in ("object", None) and _properties(data_schema) and not any(
            key in data_schema for key in ("anyOf", "oneOf", "allOf", "$ref")):
        return {**data_schema, "type": "object"}
    return {}


RESERVED = ("id", "lineage")  # the table's own columns: an output field of that name is stored as data_<name>
_VERDICT = pa.struct([("critic", pa.string()), ("passed", pa.bool_()), ("explanation", pa.string()),
                      ("attempt", pa.int64())])
LINEAGE_TYPE = pa.struct([  # core.dataset.record.Lineage, field for field (a test keeps the two in step)
    ("strategy", pa.string()),
    ("mix", pa.list_(pa.struct([("factor", pa.string()), ("path", pa.list_(pa.string()))]))),
    ("meta_prompt", pa.string()),
    ("complexified", pa.bool_()),
    ("original_meta_prompt", pa.string()),
    ("model", pa.string()),
    ("verdicts", pa.list_(_VERDICT)),
    ("repairs", pa.list_(pa.struct([("attempt", pa.int64()), ("reason", pa.string())]))),
    ("slot", pa.int64()),
    ("attempt", pa.int64()),
    ("judge_check", pa.struct([("model", pa.string()), ("p", pa.float64()), ("q", pa.float64()),
                               ("correct", pa.int64()), ("corrupted", pa.int64()), ("min_gap", pa.float64()),
                               ("passed", pa.bool_())])),
])


def field_columns(data_schema: dict[str, Any]) -> dict[str, tuple[str, Any]] | None:
    """Column name -> (field name, field schema) for each output field, in schema order; None when `data` is not
    an object with properties (then it is one `data` column of JSON text)."""
    root = root_schema(data_schema)
    if not root:
        return None
    return {(f"data_{name}" if name in RESERVED else name): (name, sub) for name, sub in root["properties"].items()}


def arrow_schema(data_schema: dict[str, Any], metadata: dict[str, str] | None = None) -> pa.Schema:
    """The Parquet columns: id (string), one per output field (see field_columns), lineage (LINEAGE_TYPE)."""
    columns = field_columns(data_schema)
    fields = ([pa.field(column, arrow_type(sub)) for column, (_, sub) in columns.items()] if columns is not None
              else [pa.field("data", JSON_TEXT)])
    return pa.schema([pa.field("id", pa.string(), nullable=False), *fields, pa.field("lineage", LINEAGE_TYPE)],
                     metadata=metadata)


def lineage_value(lineage: Any) -> dict[str, Any] | None:
    """A record's lineage shaped for LINEAGE_TYPE: the mix as a list of {factor, path}, in the record's order."""
    if not isinstance(lineage, dict):
        return None
    mix = lineage.get("mix") or {}
    return {**{name: lineage.get(name) for name in LINEAGE_TYPE.names},
            "mix": [{"factor": factor, "path": list(path)} for factor, path in mix.items()]}


def arrow_row(row: dict[str, Any], data_schema: dict[str, Any]) -> dict[str, Any]:
    """One {"id", "data", "lineage"} row shaped for `arrow_schema(data_schema)`."""
    ident = row.get("id")
    if not isinstance(ident, str):
        raise ValueError(f"a row has no string id: {json.dumps(row, ensure_ascii=False)[:80]}")
    data = row.get("data")
    columns = field_columns(data_schema)
    if columns is None:
        values = {"data": arrow_value(data, {}, f"{ident}: data")}
    else:
        if not isinstance(data, dict):
            raise ValueError(f"{ident}: data: expected an object, got {json.dumps(data, ensure_ascii=False)[:80]}")
        values = {column: arrow_value(data.get(name), sub, f"{ident}: data.{name}")
                  for column, (name, sub) in columns.items()}
    return {"id": ident, **values, "lineage": lineage_value(row.get("lineage"))}


def batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """`rows` in lists of at most `size`."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def arrow_table(rows: list[dict[str, Any]], data_schema: dict[str, Any], schema: pa.Schema) -> pa.Table:
    """`rows` shaped by arrow_row, as a Table of `schema`. Built by Arrow's JSON reader, not Table.from_pylist:
    converting Python objects (pa.array) imports pandas, where installed, to probe for array-likes (~50 MB
    resident). Single-threaded, on the system allocator: no thread pool, no allocator arenas."""
    text = "".join(json.dumps(arrow_row(r, data_schema), ensure_ascii=False) + "\n" for r in rows).encode()
    table = pj.read_json(pa.BufferReader(text),
                         read_options=pj.ReadOptions(use_threads=False, block_size=min(len(text) + 1, 1 << 30)),
                         parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error"),
                         memory_pool=pa.system_memory_pool())
    return pa.Table.from_arrays(table.columns, schema=schema)  # the reader drops "not null" from the fields


PARSE_ROWS = 200  # rows held as Python objects at once; a row group gathers several such parts as Arrow data


def write_parquet(rows: Iterable[dict[str, Any]], data_schema: dict[str, Any], path: Path, batch: int = 1000,
                  metadata: dict[str, str] | None = None) -> int:
    """Stream rows {"id", "data", "lineage"} into Parquet at `path`, atomically (RunDir.replacing), in row groups
    of `batch` rows, with `metadata` as the file's key-value metadata; the row count. A value that does not fit its
    schema is a ValueError naming the row and field."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with RunDir.replacing(path) as (tmp,):
        return parquet_into(rows, data_schema, tmp, batch, metadata)


def parquet_into(rows: Iterable[dict[str, Any]], data_schema: dict[str, Any], file: Path, batch: int = 1000,
                 metadata: dict[str, str] | None = None) -> int:
    """write_parquet into `file` itself (a temp of RunDir.replacing, put in place by its caller)."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    schema = arrow_schema(data_schema, metadata)
    source = iter(rows)
    count = 0
    with pq.ParquetWriter(file, schema, memory_pool=pa.system_memory_pool()) as writer:
        while True:
            parts, filled = [], 0
            while filled < batch and (part := list(islice(source, min(PARSE_ROWS, batch - filled)))):
                parts.append(arrow_table(part, data_schema, schema))
                filled += len(part)
            if parts:
                writer.write_table(pa.concat_tables(parts))
                count += filled
            if filled < batch:
                break
    return count
