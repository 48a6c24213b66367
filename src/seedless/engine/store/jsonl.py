"""The one JSONL reader: (line number, object) per non-blank line, streamed; FILE:LINE errors for bytes that are not
UTF-8, lines that are not JSON, JSON nested too deeply, and values that are not objects."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def read_objects(path: Path, error: type[Exception]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each JSON object of `path` with its line number; a UTF-8 byte-order mark on line 1 is accepted. Any problem
    is `error("PATH:LINE: what is wrong")`."""
    with path.open("rb") as f:  # bytes, so that a line that is not UTF-8 is named
        yield from objects_of(f, path, error)


def objects_of(lines: Iterable[bytes], path: Path | str, error: type[Exception]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Like `read_objects`, over lines already read (a file downloaded from a provider), named `path` in errors."""
    for n, raw in enumerate(lines, start=1):
        try:
            line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise error(f"{path}:{n}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at column "
                        f"{len(raw[:exc.start].decode('utf-8', 'replace')) + 1})") from None
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{path}:{n}: not JSON ({exc.msg} at column {exc.colno})") from None
        except RecursionError:
            raise error(f"{path}:{n}: JSON nested too deeply") from None
        if not isinstance(obj, dict):
            raise error(f"{path}:{n}: a line must be a JSON object, not {type(obj).__name__}")
        yield n, obj
