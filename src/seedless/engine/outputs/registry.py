"""The export formats by name, one `register` line each; a plugin adds its own with the same call, read at call time
by `seedless export` (its --format choices and help) and by `export()`."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from seedless.engine.outputs.chat import ChatFormat
from seedless.engine.outputs.dataset_reader import ExportError
from seedless.engine.outputs.formats import ExportFormat
from seedless.engine.outputs.hf import HfFormat
from seedless.engine.outputs.jsonl import JsonlFormat

FORMATS: dict[str, ExportFormat[Any]] = {}  # name -> format, in the order registered (the order --help lists)
_NAME = re.compile(r"[a-z][a-z0-9_-]*\Z")


def register(fmt: ExportFormat[Any], *, replace: bool = False) -> ExportFormat[Any]:
    """Add `fmt` under `fmt.name` (lower-case letters, digits, '-', '_'); a name already taken is a ValueError
    unless `replace`. Returns `fmt`."""
    name = getattr(fmt, "name", None)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"an export format needs a name of lower-case letters, digits, '-' or '_', not {name!r}")
    if not getattr(fmt, "summary", None):
        raise ValueError(f"export format '{name}' needs a one-line summary (shown by `seedless export --help`)")
    if name in FORMATS and not replace:
        raise ValueError(f"export format '{name}' is already registered; pass replace=True to replace it")
    FORMATS[name] = fmt
    return fmt


def unregister(name: str) -> None:
    """Take the format `name` away (a plugin's tests undo their `register`); an unknown name is a KeyError."""
    del FORMATS[name]


def format_names() -> list[str]:
    """The registered names, in the order registered."""
    return list(FORMATS)


def export_format(name: str) -> ExportFormat[Any]:
    """The format registered as `name`; an unknown one is an ExportError listing the others."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(f"unknown export format '{name}': one of {', '.join(FORMATS)}") from None


def formats_taking(options_type: type[BaseModel]) -> list[str]:
    """The names of the formats whose options are `options_type` (ChatMapping: chat and any built on its turns)."""
    return [name for name, fmt in FORMATS.items()
            if fmt.options_type is not None and issubclass(options_type, fmt.options_type)]


register(JsonlFormat())
register(ChatFormat())
register(HfFormat())
