"""The run directory: the store, the editable taxonomy and strategies, the spec snapshot, the dataset files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunDir:
    root: Path

    @property
    def db(self) -> Path:
        return self.root / "seedless.db"

    @property
    def taxonomy(self) -> Path:
        return self.root / "taxonomy.yaml"

    @property
    def previous_taxonomy(self) -> Path:
        return self.root / "taxonomy.previous.yaml"

    @property
    def strategies(self) -> Path:
        return self.root / "strategies.yaml"

    @property
    def spec(self) -> Path:
        return self.root / "spec.yaml"

    @property
    def dataset(self) -> Path:
        return self.root / "dataset.jsonl"

    @property
    def parquet(self) -> Path:
        return self.root / "dataset.parquet"

    @property
    def rejected(self) -> Path:
        return self.root / "rejected.jsonl"

    def create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def write_atomic(path: Path, text: str) -> None:
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
