"""`--format chat`: {"messages": [...]} a line for fine-tuning, the turns by the run's `output.chat` under the flags,
filled in from its output format (core/dataset/chat_mapping.py); `chat_messages` serves formats on the same turns."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from seedless.core.dataset.chat_mapping import ChatMapping, lettering, resolve_mapping, to_messages
from seedless.engine.outputs.dataset_reader import ExportError, run_output_format
from seedless.engine.outputs.formats import ExportSource, LinesFormat
from seedless.spec.models import OutputFormat


def chat_mapping_for(run_dir: str | Path, mapping: ChatMapping | None = None) -> ChatMapping:
    """The complete mapping an export uses: `mapping` (the flags) over the run's `output.chat`, filled in from its
    output format (see chat_mapping)."""
    return _resolved(run_output_format(run_dir), mapping)


def _resolved(output: OutputFormat, mapping: ChatMapping | None) -> ChatMapping:
    try:
        return resolve_mapping(output, mapping)
    except ValueError as exc:
        raise ExportError(str(exc)) from None


def chat_messages(source: ExportSource, mapping: ChatMapping | None = None) -> Iterator[list[dict[str, str]]]:
    """Each datapoint's [system?, user, assistant] messages, streamed. The mapping is resolved at once (fields
    that cannot be mapped are an ExportError before any line); a datapoint missing a field names it."""
    output = source.output_format()
    resolved = _resolved(output, mapping)
    letters = lettering(output, resolved)

    def messages() -> Iterator[list[dict[str, str]]]:
        for row in source.rows():
            try:
                yield to_messages(row["data"], row["lineage"]["meta_prompt"], resolved, letters)
            except ValueError as exc:
                raise ExportError(f"{source.dataset}: datapoint {row['id']}: {exc}") from None

    return messages()


class ChatFormat(LinesFormat[ChatMapping]):
    """The chat export; its options are a ChatMapping (--user-fields, --assistant-fields, --system), over the run's
    own `output.chat`."""

    name = "chat"
    summary = '{"messages": [...]} for fine-tuning'
    options_type = ChatMapping

    def objects(self, source: ExportSource, options: ChatMapping | None) -> Iterable[dict[str, Any]]:
        return ({"messages": messages} for messages in chat_messages(source, options))
