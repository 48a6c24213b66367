"""The Hugging Face dataset folder of a run: the columns of dataset.parquet (typed from the output format, lineage a
struct) and any eval columns, rows streamed through Arrow, saved with `datasets`' save_to_disk beside its card
(README.md) and put in place whole (hf.py loads the extra and hands it here)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from seedless.core.dataset.output_format import record_schema
from seedless.engine.outputs.dataset_reader import ExportError
from seedless.engine.outputs.formats import ExportSource
from seedless.engine.outputs.parquet import arrow_row, arrow_schema, batches

if TYPE_CHECKING:
    from seedless.engine.outputs.eval_columns import EvalColumns

HF_BATCH = 1000
CARD = "README.md"  # the dataset card in the folder (what a push uploads beside the data)


def hf_schema(data_schema: dict[str, Any], scores: EvalColumns | None = None) -> pa.Schema:
    """The columns of dataset.parquet (id, one per output field, lineage as LINEAGE_TYPE), then the eval columns; an
    output field with an eval column's name is an ExportError."""
    base = arrow_schema(data_schema)
    if scores is None:
        return base
    clash = sorted(set(base.names) & set(scores.names()))
    if clash:
        raise ExportError(f"the output field {clash[0]!r} has the name of an eval column; export without --with-eval, "
                          "or rename the field")
    return pa.schema([*base, *scores.arrow_fields()])


def _hf_row(row: dict[str, Any], data_schema: dict[str, Any], scores: EvalColumns | None) -> dict[str, Any]:
    out = arrow_row(row, data_schema)
    return out if scores is None else {**out, **scores.typed(row["id"])}


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


def save_hf_dataset(datasets: Any, source: ExportSource, target: Path,
                    card: Callable[[int], str] | None = None) -> int:
    """The run's datapoints as a `datasets.Dataset` saved at `target` (columns: `hf_schema`, with the eval columns of
    `source.scores`), with `card(rows)` as its README.md; the row count."""
    data_schema = record_schema(source.output_format())
    schema = hf_schema(data_schema, source.scores)
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}.tmp-") as work:
        arrow_file = Path(work) / "rows.arrow"
        with pa.OSFile(str(arrow_file), "wb") as sink, pa.ipc.new_stream(sink, schema) as writer:
            for chunk in batches(source.rows(), HF_BATCH):
                try:
                    rows = [_hf_row(r, data_schema, source.scores) for r in chunk]
                except ValueError as exc:
                    raise ExportError(f"{source.dataset}: {exc}") from None
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                count += len(chunk)
        staged = Path(work) / "dataset"
        with _quiet(datasets):
            datasets.Dataset.from_file(str(arrow_file)).save_to_disk(str(staged))
        if card is not None:
            (staged / CARD).write_text(card(count), encoding="utf-8")
        _replace_dir(staged, target)
    return count


def hub_parquet(datasets: Any, folder: Path, path: Path) -> None:
    """The hf export at `folder` as one Parquet file at `path` (what a push uploads beside the card), its features
    kept in the file's metadata."""
    with _quiet(datasets):
        datasets.load_from_disk(str(folder)).to_parquet(str(path))
