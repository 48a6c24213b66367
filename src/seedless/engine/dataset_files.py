"""The run's dataset files, written from the store: dataset.jsonl, its Parquet copy, and rejected.jsonl."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from seedless.core.output_format import record_schema
from seedless.engine.record_store import RecordStore
from seedless.engine.rundir import RunDir
from seedless.spec.models import OutputFormat


@dataclass(frozen=True)
class DatasetFiles:
    dataset: Path
    parquet: Path | None
    rejected: Path
    accepted: int
    rejections: int


def _write_lines(path: Path, lines: Iterator[str]) -> int:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    n = 0
    with tmp.open("w", encoding="utf-8") as f:
        for line in lines:
            f.write(line + "\n")
            n += 1
    os.replace(tmp, path)
    return n


def _read_back(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def write_dataset_files(run: RunDir, records: RecordStore, current: dict[int, str], targets: dict[bool, int],
                        output: OutputFormat) -> DatasetFiles:
    """The dataset is the first `targets[flag]` accepted slots of each stream in slot order, each slot at its
    current mix; rejected.jsonl holds every rejected try of those slots' current mixes."""
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

    from seedless.engine.parquet_copy import write_parquet  # pyarrow loads only when a dataset is written

    n = _write_lines(run.dataset, accepted())
    r = _write_lines(run.rejected, rejected())
    write_parquet(_read_back(run.dataset), record_schema(output), run.parquet)
    return DatasetFiles(run.dataset, run.parquet, run.rejected, n, r)
