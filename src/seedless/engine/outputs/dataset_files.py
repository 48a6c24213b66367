"""The run's dataset files, written from the store as one set: dataset.jsonl, its Parquet copy, rejected.jsonl."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from seedless.core.dataset.output_format import record_schema
from seedless.engine.store.records import RecordStore
from seedless.engine.store.rundir import RunDir, write_lines
from seedless.spec.models import OutputFormat


@dataclass(frozen=True)
class DatasetFiles:
    dataset: Path
    parquet: Path | None
    rejected: Path
    accepted: int
    rejections: int


def _read_back(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def write_dataset_files(run: RunDir, records: RecordStore, current: dict[int, str], targets: dict[bool, int],
                        output: OutputFormat, metadata: dict[str, str] | None = None) -> DatasetFiles:
    """The dataset is the first `targets[flag]` accepted slots of each stream in slot order, each slot at its
    current mix; rejected.jsonl holds every rejected try of those slots' current mixes. The three files are
    written to temps, then the manifest of the new set, then each replaces its file: a reader checking the
    manifest (RunDir.dataset_mismatch) never takes files from two writes for one set. `metadata` goes into the
    Parquet copy's key-value metadata."""
    taken = {True: 0, False: 0}

    def accepted() -> Iterator[str]:
        for row in records.rows(accepted=True):
            if current.get(row.slot) == row.mix_id and taken[row.complexify] < targets[row.complexify]:
                taken[row.complexify] += 1
                yield row.body

    def rejected() -> Iterator[str]:
        for row in records.rows(accepted=False):
            if current.get(row.slot) == row.mix_id:
                yield row.body

    from seedless.engine.outputs.parquet import parquet_into  # pyarrow loads only when a dataset is written

    with RunDir.replacing(run.dataset, run.rejected, run.parquet) as (dataset, rejections, parquet):
        n = write_lines(dataset, accepted())
        r = write_lines(rejections, rejected())
        parquet_into(_read_back(dataset), record_schema(output), parquet, metadata=metadata)
        run.write_manifest({run.dataset: dataset, run.rejected: rejections, run.parquet: parquet},
                           accepted=n, rejected=r)
    return DatasetFiles(run.dataset, run.parquet, run.rejected, n, r)
