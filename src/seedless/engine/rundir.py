"""The run directory: where the store, the editable taxonomy and the spec snapshot live; atomic file writes."""

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

    def create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def write_atomic(path: Path, text: str) -> None:
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
