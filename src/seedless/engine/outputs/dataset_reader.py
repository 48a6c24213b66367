"""A run's dataset read back: RUN_DIR/dataset.jsonl checked against its manifest, its records line by line, and the
output format of the run's resolved spec; what export and the Hugging Face export both read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from seedless.core.dataset.record import Record
from seedless.engine.store.jsonl import read_objects
from seedless.engine.store.rundir import RunDir
from seedless.spec.loader import SpecError, load_spec
from seedless.spec.models import OutputFormat


class ExportError(Exception):
    """What stops an export (no dataset, a bad line, an unmappable field, a missing package); says which."""


def dataset_file(run_dir: str | Path) -> Path:
    """RUN_DIR/dataset.jsonl, when it is there and of one set with the other dataset files (the manifest)."""
    run = RunDir(Path(run_dir))
    path = run.dataset
    if not path.is_file():
        raise ExportError(f"{path} not found: is {run_dir} a run directory that `seedless run` has written to?")
    problem = run.dataset_mismatch()
    if problem:
        raise ExportError(problem)
    return path


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"]) or "line"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {error['msg']}{more}"


def read_dataset(run_dir: str | Path) -> Iterator[dict[str, Any]]:
    """Each datapoint of RUN_DIR/dataset.jsonl as {"id", "data", "lineage"}, streamed; blank lines are skipped.
    No file, files from two writes, a line that is not JSON, or one that is not a datapoint is an ExportError
    naming file and line."""
    yield from dataset_rows(dataset_file(run_dir))


def dataset_rows(path: Path) -> Iterator[dict[str, Any]]:
    """read_dataset of a dataset file already checked by `dataset_file`."""
    for number, raw in read_objects(path, ExportError):
        try:
            Record.model_validate(raw)
        except ValidationError as exc:
            raise ExportError(f"{path}:{number}: not a datapoint: {_first_problem(exc)}") from None
        yield raw


def run_output_format(run_dir: str | Path) -> OutputFormat:
    """The output format of the run's resolved spec, RUN_DIR/spec.yaml."""
    path = RunDir(Path(run_dir)).spec
    if not path.is_file():
        raise ExportError(f"{path} not found: the run's resolved spec is needed to read its output format")
    try:
        return load_spec(path).output
    except SpecError as exc:
        raise ExportError(f"{path} cannot be loaded:\n{exc}") from None
