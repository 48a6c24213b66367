"""The Hugging Face dataset folder of a run: columns typed from the output format, rows streamed through Arrow,
saved with `datasets`' save_to_disk and put in place whole (hf.py loads the extra and hands it here)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from seedless.core.dataset.output_format import record_schema
from seedless.engine.outputs.dataset_reader import ExportError
from seedless.engine.outputs.formats import ExportSource
from seedless.engine.outputs.parquet import JSON_TEXT, arrow_type, arrow_value, batches, root_schema

HF_BATCH = 1000
# The Hugging Face dataset: columns id, then each top-level data field, then lineage (JSON text).


@dataclass(frozen=True)
class HfColumn:
    name: str
    field: str | None  # the data field it holds; None: the whole of `data`
    schema: Any


def hf_columns(data_schema: dict[str, Any]) -> list[HfColumn]:
    """id, one column per top-level data property (named data_<name> if it is `id` or `lineage`), lineage.
    A data schema without properties (see root_schema) is one `data` column holding the datapoint as JSON."""
    properties = root_schema(data_schema).get("properties")
    columns = [HfColumn("id", None, {"type": "string"})]
    if properties:
        columns += [HfColumn(f"data_{name}" if name in ("id", "lineage") else name, name, sub)
                    for name, sub in properties.items()]
    else:
        columns.append(HfColumn("data", None, {}))
    return [*columns, HfColumn("lineage", None, None)]


def _hf_schema(columns: list[HfColumn]) -> pa.Schema:
    return pa.schema([pa.field(c.name, JSON_TEXT if c.name == "lineage" else arrow_type(c.schema))
                      for c in columns])


def _hf_row(row: dict[str, Any], columns: list[HfColumn]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": row["id"], "lineage": json.dumps(row["lineage"], ensure_ascii=False)}
    for column in columns[1:-1]:
        value = row["data"].get(column.field) if column.field is not None else row["data"]
        out[column.name] = arrow_value(value, column.schema, f"datapoint {row['id']}: {column.field or 'data'}")
    return out


@contextmanager
def _quiet(datasets: Any) -> Iterator[None]:
    """No progress bars from `datasets` while saving: library code never prints."""
    was_disabled = datasets.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if not was_disabled:
            datasets.enable_progress_bars()


def _replace_dir(staged: Path, target: Path) -> None:
    """Put the folder `staged` at `target`, moving aside and then removing whatever was there."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.is_dir() and not target.is_symlink():
        os.replace(target, old)
    elif target.exists() or target.is_symlink():
        target.unlink()
    os.replace(staged, target)
    shutil.rmtree(old, ignore_errors=True)


def save_hf_dataset(datasets: Any, source: ExportSource, target: Path) -> int:
    """The run's datapoints as a `datasets.Dataset` saved at `target` (columns: `hf_columns`); the row count."""
    columns = hf_columns(record_schema(source.output_format()))
    schema = _hf_schema(columns)
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}.tmp-") as work:
        arrow_file = Path(work) / "rows.arrow"
        with pa.OSFile(str(arrow_file), "wb") as sink, pa.ipc.new_stream(sink, schema) as writer:
            for chunk in batches(source.rows(), HF_BATCH):
                try:
                    rows = [_hf_row(r, columns) for r in chunk]
                except ValueError as exc:
                    raise ExportError(f"{source.dataset}: {exc}") from None
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                count += len(chunk)
        staged = Path(work) / "dataset"
        with _quiet(datasets):
            datasets.Dataset.from_file(str(arrow_file)).save_to_disk(str(staged))
        _replace_dir(staged, target)
    return count
