"""The `seedless export RUN_DIR` command: the run's datapoints as data-only JSONL, chat messages or a HF dataset."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.markup import escape

from seedless.core.dataset.chat_mapping import META_PROMPT_FIELD, ChatMapping
from seedless.engine.outputs.export import FORMATS, ExportError
from seedless.engine.outputs.export import export as export_run


def _field_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise click.BadParameter("name at least one field, e.g. question,options")
    return names


@click.command("export")
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True,
              help="jsonl: each datapoint's data; chat: {\"messages\": [...]} for fine-tuning; "
                   "hf: a Hugging Face dataset folder (needs `pip install 'seedless[hf]'`).")
@click.option("--out", "out", type=click.Path(), help="Where to write; default RUN_DIR/export/<format>.jsonl "
                                                     "or RUN_DIR/export/hf.")
@click.option("--user-fields", help=f"chat: comma-separated fields of the user turn ('{META_PROMPT_FIELD}': "
                                    "the datapoint's meta-prompt).")
@click.option("--assistant-fields", help="chat: comma-separated fields of the assistant turn.")
@click.option("--system", help="chat: a system message put before every conversation.")
def export(run_dir: str, fmt: str, out: str | None, user_fields: str | None, assistant_fields: str | None,
           system: str | None) -> None:
    """Export the accepted datapoints in RUN_DIR/dataset.jsonl.

    For --format chat, the user and assistant turns default to the output format's answer_field (assistant)
    and every other field (user); see docs/export.md for the full rule."""
    console = Console(highlight=False, emoji=False)
    users, assistants = _field_list(user_fields), _field_list(assistant_fields)
    mapping = None
    if users is not None or assistants is not None or system is not None:
        if fmt != "chat":
            raise click.UsageError("--user-fields, --assistant-fields and --system apply to --format chat only")
        mapping = ChatMapping(user_fields=users, assistant_fields=assistants, system=system)
    try:
        result = export_run(run_dir, fmt, out, mapping)
    except ExportError as exc:
        console.print(f"[red]error[/] {escape(str(exc))}", soft_wrap=True)
        sys.exit(2)
    rows = f"{result.count} row{'s' if result.count != 1 else ''}"
    console.print(f"[green]wrote[/] {escape(str(result.path))}  ({rows}, format {fmt})", soft_wrap=True)
