"""Items to evaluate, from a run directory, JSONL or Parquet: an id, the text to judge, and the datapoint."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedless.core.dataset.overlap import value_text
from seedless.engine.store.jsonl import read_objects
from seedless.engine.store.rundir import RunDir


class DataError(Exception):
    """A data file that cannot be read as items; the message names the file, line and field."""


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    data: dict[str, Any] = field(repr=False)
    mix: dict[str, list[str]] | None = None  # a seedless record's lineage mix, when there is one


def item_text(data: dict[str, Any], fields: list[str], where: str) -> str:
    """The selected fields as text: one field alone as its value; several as 'name: value' lines. Without a
    selection: `text` when present, else every field but `id` (the item's name, not what is judged)."""
    if fields:
        missing = [f for f in fields if f not in data]
        if missing:
            raise DataError(f"{where}: no field {', '.join(missing)} (fields here: {', '.join(data) or 'none'})")
        chosen = fields
    elif "text" in data:
        chosen = ["text"]
    else:
        chosen = [name for name in data if name != "id"]
    if len(chosen) == 1:
        return value_text(data[chosen[0]])
    return "\n".join(f"{name}: {value_text(data[name])}" for name in chosen)


def _rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, object) per row: 'FILE:LINE' for JSONL, 'FILE: row N' for Parquet."""
    if path.suffix == ".parquet":
        import pyarrow  # loaded only for Parquet input
        import pyarrow.parquet as pq

        try:
            rows = pq.read_table(path).to_pylist()
        except (pyarrow.ArrowException, OSError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise DataError(f"{path}: not a readable Parquet file ({reason})") from None
        for i, row in enumerate(rows, start=1):
            yield f"{path}: row {i}", row
        return
    for n, obj in read_objects(path, DataError):
        yield f"{path}:{n}", obj


def data_file(source: Path) -> Path:
    if source.is_dir():
        candidate = RunDir(source).dataset
        if not candidate.is_file():
            raise DataError(f"{source} is a directory without dataset.jsonl (not a seedless run directory)")
        if problem := RunDir(source).dataset_mismatch():
            raise DataError(problem)
        return candidate
    if not source.is_file():
        raise DataError(f"{source}: no such file")
    if source.suffix not in (".jsonl", ".json", ".parquet"):
        raise DataError(f"{source}: expected a .jsonl or .parquet file, or a run directory")
    return source


def _flat_record(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]] | None] | None:
    """A row of seedless's flat Parquet copy (id, the output fields, a `lineage` struct whose mix is a list of
    {factor, path}) as (data, mix); None for any other object."""
    lineage = obj.get("lineage")
    if not (isinstance(lineage, dict) and isinstance(lineage.get("mix"), list) and "data" not in obj):
        return None
    data = {(k[5:] if k in ("data_id", "data_lineage") else k): v for k, v in obj.items() if k not in ("id", "lineage")}
    mix = {m["factor"]: list(m["path"]) for m in lineage["mix"] if isinstance(m, dict) and "factor" in m}
    return data, mix


def load_items(source: Path, fields: list[str] | None = None) -> list[Item]:
    """Every item of `source`. A seedless record ({"id", "data", "lineage"}, or a row of its flat Parquet copy) is
    judged on its data; any other object is the datapoint itself, with `id` from its `id` key or its position."""
    path = data_file(source)
    items: list[Item] = []
    seen: set[str] = set()
    for index, (where, obj) in enumerate(_rows(path)):
        lineage = obj.get("lineage")
        is_record = isinstance(obj.get("data"), dict) and isinstance(lineage, dict)
        data = obj["data"] if is_record else obj
        raw_id = obj.get("id")
        item_id = str(raw_id) if raw_id is not None else str(index)
        if item_id in seen:
            raise DataError(f"{where}: id {item_id!r} appears twice")
        seen.add(item_id)
        mix = lineage.get("mix") if is_record and isinstance(lineage.get("mix"), dict) else None
        if (flat := _flat_record(obj)) is not None:
            data, mix = flat
        text = item_text(data, fields or [], where)
        if not text.strip():
            raise DataError(f"{where}: the text to evaluate is empty")
        items.append(Item(item_id, text, data, mix))
    if not items:
        raise DataError(f"{path}: no items")
    return items
