"""`export`: a run's dataset.jsonl written by the registered format asked for (registry.py), under the run's lock,
streamed and put in place atomically; options of the wrong type for the format refused."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from seedless.core.dataset.chat_mapping import ChatMapping
from seedless.engine.outputs.chat import chat_mapping_for
from seedless.engine.outputs.dataset_reader import ExportError, read_dataset
from seedless.engine.outputs.registry import FORMATS, export_format, formats_taking
from seedless.engine.store.rundir import RunDir, RunDirError, RunLock

__all__ = ["FORMATS", "ExportError", "ExportResult", "chat_mapping_for", "default_out", "export", "read_dataset"]


@dataclass(frozen=True)
class ExportResult:
    count: int
    path: Path


def default_out(run_dir: str | Path, fmt: str) -> Path:
    """Where `fmt` writes without --out: RUN_DIR/export/<fmt>.jsonl, or a folder format's RUN_DIR/export/<fmt>."""
    return export_format(fmt).default_out(run_dir)


def _refused(options: BaseModel) -> str:
    what = ("a chat mapping (user fields, assistant fields, system)" if isinstance(options, ChatMapping)
            else f"{type(options).__name__} options")
    takers = formats_taking(type(options))
    if not takers:
        return f"{what} applies to no registered export format"
    return f"{what} applies to the {' and '.join(takers)} format{'s' if len(takers) > 1 else ''} only"


def export(run_dir: str | Path, fmt: str, out: str | Path | None = None,
           mapping: BaseModel | None = None) -> ExportResult:
    """Export RUN_DIR/dataset.jsonl as the registered format `fmt` to `out` (default: the format's default_out),
    streamed, written atomically. `mapping` is the format's options: a ChatMapping for chat (filled in from the
    run's output format); a format that takes none refuses any. Built in: jsonl (each datapoint's data, one object
    a line), chat ({"messages": [...]} a line), hf (a `datasets.Dataset` saved with save_to_disk)."""
    entry = export_format(fmt)
    if mapping is not None and not entry.takes(mapping):
        raise ExportError(_refused(mapping))
    run_dir = Path(run_dir)
    target = Path(out) if out is not None else entry.default_out(run_dir)
    try:
        lock = RunLock.shared(RunDir(run_dir))  # no command writes the run meanwhile
    except RunDirError as exc:
        raise ExportError(str(exc)) from None
    try:
        return ExportResult(entry.write(run_dir, target, mapping), target)
    finally:
        lock.release()
