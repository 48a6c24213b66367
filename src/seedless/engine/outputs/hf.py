"""`--format hf`: a Hugging Face dataset folder; loads the `datasets` extra (with its install hint) and, only then,
the Arrow writer in hf_dataset.py, so that listing the formats costs no import of pyarrow or datasets."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from pydantic import BaseModel

from seedless.engine.outputs.dataset_reader import ExportError
from seedless.engine.outputs.formats import ExportFormat, ExportSource

if TYPE_CHECKING:
    from seedless.engine.outputs.eval_columns import EvalColumns

HF_INSTALL = "pip install 'seedless[hf]'"


def import_datasets() -> ModuleType:
    try:
        return importlib.import_module("datasets")  # the `hf` extra, imported only when asked for
    except ImportError:
        raise ExportError(f"--format hf needs the Hugging Face datasets package: {HF_INSTALL}") from None


class HfFormat(ExportFormat[BaseModel]):
    """A `datasets.Dataset` written with save_to_disk, with its dataset card (README.md): the columns of
    dataset.parquet (id, each top-level data field, lineage as a struct), then any eval columns."""

    name = "hf"
    summary = f"a Hugging Face dataset folder with its card (needs `{HF_INSTALL}`)"
    folder = True
    joins_eval = True

    def write(self, run_dir: Path, target: Path, options: BaseModel | None, scores: EvalColumns | None = None) -> int:
        datasets = import_datasets()
        from seedless.engine.outputs.card import export_card  # pyarrow and the card load only for this format
        from seedless.engine.outputs.hf_dataset import save_hf_dataset

        source = ExportSource.of(run_dir, scores)
        output = source.output_format()
        return save_hf_dataset(datasets, source, target, lambda rows: export_card(run_dir, output, rows, scores))
