"""`--format hf`: a Hugging Face dataset folder; loads the `datasets` extra (with its install hint) and, only then,
the Arrow writer in hf_dataset.py, so that listing the formats costs no import of pyarrow or datasets."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from pydantic import BaseModel

from seedless.engine.outputs.dataset_reader import ExportError
from seedless.engine.outputs.formats import ExportFormat, ExportSource

HF_INSTALL = "pip install 'seedless[hf]'"


def _import_datasets() -> ModuleType:
    try:
        return importlib.import_module("datasets")  # the `hf` extra, imported only when asked for
    except ImportError:
        raise ExportError(f"--format hf needs the Hugging Face datasets package: {HF_INSTALL}") from None


class HfFormat(ExportFormat[BaseModel]):
    """A `datasets.Dataset` written with save_to_disk: columns id, each top-level data field, lineage (JSON)."""

    name = "hf"
    summary = f"a Hugging Face dataset folder (needs `{HF_INSTALL}`)"
    folder = True

    def write(self, run_dir: Path, target: Path, options: BaseModel | None) -> int:
        datasets = _import_datasets()
        from seedless.engine.outputs.hf_dataset import save_hf_dataset  # pyarrow loads only for this format

        return save_hf_dataset(datasets, ExportSource.of(run_dir), target)
