"""`--format jsonl`: each datapoint's data, one JSON object a line; no id, no lineage."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from seedless.engine.outputs.formats import ExportSource, LinesFormat


class JsonlFormat(LinesFormat[BaseModel]):
    """The data-only JSONL export; it takes no options."""

    name = "jsonl"
    summary = "each datapoint's data"

    def objects(self, source: ExportSource, options: BaseModel | None) -> Iterable[dict[str, Any]]:
        return (row["data"] for row in source.rows())
