"""`export`: a run's dataset.jsonl written by the registered format asked for (registry.py), under the run's lock,
streamed and put in place atomically; options of the wrong type for the format refused; an eval report's per-item
scores joined as columns; the hf export pushed to the Hugging Face Hub."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from seedless.core.dataset.chat_mapping import ChatMapping
from seedless.engine.outputs.chat import chat_mapping_for
from seedless.engine.outputs.dataset_reader import ExportError, read_dataset, run_output_format
from seedless.engine.outputs.registry import FORMATS, export_format, formats_taking
from seedless.engine.store.rundir import RunDir, RunDirError, RunLock

if TYPE_CHECKING:
    from seedless.engine.outputs.eval_columns import EvalColumns

__all__ = ["FORMATS", "ExportError", "ExportResult", "chat_mapping_for", "default_out", "export", "read_dataset"]


@dataclass(frozen=True)
class ExportResult:
    count: int
    path: Path
    url: str | None = None  # the Hub repository pushed to
    eval_columns: tuple[str, ...] = ()  # the columns joined from an eval report
    eval_matched: int | None = None  # datapoints the report gave a coverage path or a rating


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


def _takers(attribute: str) -> str:
    return " and ".join(name for name, f in FORMATS.items() if getattr(f, attribute, False)) or "no format"


def export(run_dir: str | Path, fmt: str, out: str | Path | None = None,
           mapping: BaseModel | None = None, *, with_eval: str | Path | None = None, tiers: int = 3,
           push_to_hub: str | None = None, private: bool = False) -> ExportResult:
    """Export RUN_DIR/dataset.jsonl as the registered format `fmt` to `out` (default: the format's default_out),
    streamed, written atomically. `mapping` is the format's options: a ChatMapping for chat (filled in from the
    run's output format); a format that takes none refuses any. Built in: jsonl (each datapoint's data, one object
    a line), chat ({"messages": [...]} a line), hf (a `datasets.Dataset` saved with save_to_disk, with its card).
    `with_eval`: an eval report whose per-item scores become columns (jsonl, hf), complexity cut into `tiers` tiers
    within each node. `push_to_hub` (hf only): the dataset repository the export and its card are uploaded to."""
    entry = export_format(fmt)
    if mapping is not None and not entry.takes(mapping):
        raise ExportError(_refused(mapping))
    if with_eval is not None and not entry.joins_eval:
        raise ExportError(f"eval columns (--with-eval) apply to the {_takers('joins_eval')} formats only")
    if tiers < 1:
        raise ExportError(f"tiers must be at least 1, not {tiers}")
    if push_to_hub is not None:
        if fmt != "hf":
            raise ExportError("--push-to-hub applies to --format hf only")
        from seedless.engine.outputs.hub import check_repo  # huggingface_hub loads only for a push

        check_repo(push_to_hub)
    run_dir = Path(run_dir)
    target = Path(out) if out is not None else entry.default_out(run_dir)
    try:
        lock = RunLock.shared(RunDir(run_dir))  # no command writes the run meanwhile
    except RunDirError as exc:
        raise ExportError(str(exc)) from None
    try:
        scores = _scores(run_dir, Path(with_eval), tiers) if with_eval is not None else None
        count = entry.write(run_dir, target, mapping) if scores is None else entry.write(run_dir, target, mapping,
                                                                                         scores=scores)
        if push_to_hub is not None:  # the folder's card names the repository: what is pushed is what is there
            from seedless.engine.outputs.hf_dataset import CARD

            RunDir.write_atomic(target / CARD, _hub_card(run_dir, count, scores, push_to_hub))
    finally:
        lock.release()
    url = None
    if push_to_hub is not None:
        from seedless.engine.outputs.hf import import_datasets
        from seedless.engine.outputs.hub import push_folder

        url = push_folder(import_datasets(), target, push_to_hub, private=private)
    return ExportResult(count, target, url, tuple(scores.names()) if scores else (),
                        scores.matched if scores else None)


def _scores(run_dir: Path, report: Path, tiers: int) -> EvalColumns:
    """The report's scores for the run's datapoints (ids and mixes read in one pass first)."""
    from seedless.engine.outputs.eval_columns import eval_columns  # the report's types load only when asked

    rows = [(row["id"], row["lineage"].get("mix")) for row in read_dataset(run_dir)]
    return eval_columns(report, rows, tiers)


def _hub_card(run_dir: Path, rows: int, scores: EvalColumns | None, repo: str) -> str:
    from seedless.engine.outputs.card import export_card

    return export_card(run_dir, run_output_format(run_dir), rows, scores, repo=repo)
