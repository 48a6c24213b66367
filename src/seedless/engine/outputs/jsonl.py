"""`--format jsonl`: each datapoint's data, one JSON object a line; no id, no lineage; eval scores as `eval_*` keys."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from seedless.engine.outputs.dataset_reader import ExportError
from seedless.engine.outputs.formats import ExportSource, LinesFormat


class JsonlFormat(LinesFormat[BaseModel]):
    """The data-only JSONL export; it takes no options. With eval scores, each line's `eval_*` keys follow its data."""

    name = "jsonl"
    summary = "each datapoint's data"
    joins_eval = True

    def objects(self, source: ExportSource, options: BaseModel | None) -> Iterable[dict[str, Any]]:
        scores = source.scores
        if scores is None:
            return (row["data"] for row in source.rows())
        names = scores.names()

        def joined() -> Iterator[dict[str, Any]]:
            for row in source.rows():
                clash = [n for n in names if n in row["data"]]
                if clash:
                    raise ExportError(f"datapoint {row['id']}: the data field {clash[0]!r} has the name of an eval "
                                      "column; export without --with-eval, or rename the field")
                yield {**row["data"], **scores.flat(row["id"])}
        return joined()
