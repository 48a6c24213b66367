"""The export-format contract: ExportFormat (name, summary, file or folder, default output, typed options, write),
LinesFormat for formats of one JSON object a line, and ExportSource, the run's checked dataset they read."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel

from seedless.engine.outputs.dataset_reader import dataset_file, dataset_rows, run_output_format
from seedless.engine.store.rundir import RunDir
from seedless.spec.models import OutputFormat

if TYPE_CHECKING:  # loaded only by an export that joins eval scores
    from seedless.engine.outputs.eval_columns import EvalColumns

OptionsT = TypeVar("OptionsT", bound=BaseModel)


@dataclass(frozen=True)
class ExportSource:
    """A run's dataset as a format reads it: the run directory and its dataset.jsonl, checked once (the manifest), and
    the eval scores to join as columns (None: none asked for)."""

    run_dir: Path
    dataset: Path
    scores: EvalColumns | None = None

    @classmethod
    def of(cls, run_dir: str | Path, scores: EvalColumns | None = None) -> ExportSource:
        """RUN_DIR's dataset; no dataset.jsonl, or files from two writes, is an ExportError naming them."""
        return cls(Path(run_dir), dataset_file(run_dir), scores)

    def rows(self) -> Iterator[dict[str, Any]]:
        """Each datapoint as {"id", "data", "lineage"}, streamed; a bad line is an ExportError naming file and line."""
        return dataset_rows(self.dataset)

    def output_format(self) -> OutputFormat:
        """The output format of the run's resolved spec (RUN_DIR/spec.yaml)."""
        return run_output_format(self.run_dir)


class ExportFormat(ABC, Generic[OptionsT]):
    """What `seedless export --format NAME` writes. A subclass sets the class attributes and `write`; one
    `register(...)` line (engine/outputs/registry.py) makes it a choice of the command and of `export()`."""

    name: ClassVar[str]  # the --format value
    summary: ClassVar[str]  # one clause for `seedless export --help`
    folder: ClassVar[bool] = False  # True: it writes a folder; False: one file
    suffix: ClassVar[str] = ""  # of the default output's name, RUN_DIR/export/<name><suffix>
    options_type: ClassVar[type[BaseModel] | None] = None  # the typed options it takes (chat: ChatMapping)
    joins_eval: ClassVar[bool] = False  # True: `write` takes `scores`, an eval report's columns (export --with-eval)

    def default_out(self, run_dir: str | Path) -> Path:
        """Where it writes when no --out is given: RUN_DIR/export/<name><suffix>."""
        return Path(run_dir) / "export" / f"{self.name}{self.suffix}"

    def takes(self, options: BaseModel) -> bool:
        """Whether `options` are of the type this format declares."""
        return self.options_type is not None and isinstance(options, self.options_type)

    @abstractmethod
    def write(self, run_dir: Path, target: Path, options: OptionsT | None) -> int:
        """Write RUN_DIR's datapoints to `target`, replacing what was there only once all is written; the number
        of rows. Problems with the input are ExportError naming the file and line, or the fields. A format that
        `joins_eval` also takes `scores: EvalColumns | None` (given only when it is not None)."""


class LinesFormat(ExportFormat[OptionsT]):
    """A format of one JSON object a line: a subclass gives `objects`; the file is streamed and written atomically."""

    suffix: ClassVar[str] = ".jsonl"

    @abstractmethod
    def objects(self, source: ExportSource, options: OptionsT | None) -> Iterable[dict[str, Any]]:
        """The lines to write, one JSON object each, from `source.rows()` (streamed: never the whole dataset)."""

    def write(self, run_dir: Path, target: Path, options: OptionsT | None, scores: EvalColumns | None = None) -> int:
        objects = self.objects(ExportSource.of(run_dir, scores), options)  # checked before anything is written
        target.parent.mkdir(parents=True, exist_ok=True)
        return RunDir.write_lines_atomic(target, (json.dumps(obj, ensure_ascii=False) for obj in objects))
