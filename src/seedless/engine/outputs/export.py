"""A run's dataset.jsonl exported, streamed and written atomically: data-only JSONL, chat messages, or a HF dataset."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from seedless.core.dataset.chat_mapping import ChatMapping, resolve_mapping, to_messages
from seedless.engine.outputs.dataset_reader import (
    ExportError,
    dataset_file,
    dataset_rows,
    read_dataset,
    run_output_format,
)
from seedless.engine.store.rundir import RunDir, RunDirError, RunLock

Format = Literal["jsonl", "chat", "hf"]
FORMATS: tuple[str, ...] = ("jsonl", "chat", "hf")
__all__ = ["FORMATS", "ExportError", "ExportResult", "export", "read_dataset", "default_out", "chat_mapping_for"]


@dataclass(frozen=True)
class ExportResult:
    count: int
    path: Path


def default_out(run_dir: str | Path, fmt: str) -> Path:
    """RUN_DIR/export/<fmt>.jsonl, or the folder RUN_DIR/export/hf."""
    return Path(run_dir) / "export" / ("hf" if fmt == "hf" else f"{fmt}.jsonl")


def _write_lines(target: Path, objects: Iterable[dict[str, Any]]) -> int:
    """One JSON object a line, written atomically (RunDir.write_lines_atomic); the line count."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return RunDir.write_lines_atomic(target, (json.dumps(obj, ensure_ascii=False) for obj in objects))


def _chat_lines(path: Path, mapping: ChatMapping) -> Iterator[dict[str, Any]]:
    for row in dataset_rows(path):
        try:
            messages = to_messages(row["data"], row["lineage"]["meta_prompt"], mapping)
        except ValueError as exc:
            raise ExportError(f"{path}: datapoint {row['id']}: {exc}") from None
        yield {"messages": messages}


def chat_mapping_for(run_dir: str | Path, mapping: ChatMapping | None = None) -> ChatMapping:
    """The complete mapping an export uses: `mapping` filled in from the run's output format (see chat_mapping)."""
    try:
        return resolve_mapping(run_output_format(run_dir), mapping)
    except ValueError as exc:
        raise ExportError(str(exc)) from None


def export(run_dir: str | Path, fmt: str, out: str | Path | None = None,
           mapping: ChatMapping | None = None) -> ExportResult:
    """Export RUN_DIR/dataset.jsonl as `fmt` to `out` (default: `default_out`), streamed, written atomically.
    jsonl: each datapoint's data, one object a line. chat: {"messages": [...]} a line, by `mapping` filled in
    from the run's output format. hf: a `datasets.Dataset` saved with save_to_disk (columns: `hf_columns`)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format '{fmt}': one of {', '.join(FORMATS)}")
    if mapping is not None and fmt != "chat":
        raise ExportError("a chat mapping (user fields, assistant fields, system) applies to the chat format only")
    run_dir = Path(run_dir)
    target = Path(out) if out is not None else default_out(run_dir, fmt)
    try:
        lock = RunLock.shared(RunDir(run_dir))  # no command writes the run meanwhile
    except RunDirError as exc:
        raise ExportError(str(exc)) from None
    try:
        if fmt == "hf":
            from seedless.engine.outputs.hf import export_hf  # pyarrow and datasets load only for this format

            return ExportResult(export_hf(run_dir, target), target)
        path = dataset_file(run_dir)
        if fmt == "chat":
            lines = _chat_lines(path, chat_mapping_for(run_dir, mapping))
        else:
            lines = (row["data"] for row in dataset_rows(path))
        return ExportResult(_write_lines(target, lines), target)
    finally:
        lock.release()
