"""The `seedless export RUN_DIR` command: the run's datapoints in any registered export format (jsonl, chat, hf, and
those plugins register), its --format choices and help read from the registry when the command runs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from seedless.core.dataset.chat_mapping import META_PROMPT_FIELD, ChatMapping
from seedless.engine.outputs.export import ExportError
from seedless.engine.outputs.export import export as export_run
from seedless.engine.outputs.registry import FORMATS, format_names, formats_taking


class _FormatChoice(click.Choice):
    """The registered format names, read each time they are needed (so a plugin's format is a choice too)."""

    def __init__(self) -> None:
        super().__init__((), case_sensitive=True)

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        return tuple(format_names())

    @choices.setter
    def choices(self, _: Any) -> None:
        """click.Choice sets its choices once; these are the registry's."""


class _RegistryOption(click.Option):
    """An option whose help text is built from the registry when --help is shown."""

    def __init__(self, *args: Any, help_from: Callable[[], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help_from = help_from

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.help = self.help_from()
        return super().get_help_record(ctx)


def _format_help() -> str:
    return "; ".join(f"{name}: {fmt.summary}" for name, fmt in FORMATS.items()) + "."


def _out_help() -> str:
    names = [f"{fmt.default_out(Path('RUN_DIR')).name}{'/' if fmt.folder else ''}" for fmt in FORMATS.values()]
    listed = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else "".join(names)
    return f"Where to write; default by format, under RUN_DIR/export/: {listed}."


def _field_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise click.BadParameter("name at least one field, e.g. question,options")
    return names


@click.command("export")
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--format", "fmt", cls=_RegistryOption, type=_FormatChoice(), default="jsonl", show_default=True,
              help_from=_format_help)
@click.option("--out", "out", cls=_RegistryOption, type=click.Path(), help_from=_out_help)
@click.option("--user-fields", help=f"chat: comma-separated fields of the user turn ('{META_PROMPT_FIELD}': "
                                    "the datapoint's meta-prompt); overrides the spec's output.chat.")
@click.option("--assistant-fields", help="chat: comma-separated fields of the assistant turn; overrides the "
                                         "spec's output.chat.")
@click.option("--system", help="chat: a system message put before every conversation.")
@click.option("--with-eval", "with_eval", type=click.Path(dir_okay=False),
              help="jsonl, hf: join this eval report's per-item scores as eval_* columns (coverage node per factor, "
                   "complexity Elo and tier, near-duplicate group); e.g. RUN_DIR/eval.json.")
@click.option("--tiers", type=click.IntRange(2, 20), default=3, show_default=True,
              help="With --with-eval: complexity tiers, cut within each taxonomy node as `seedless split` does.")
@click.option("--push-to-hub", "push_to_hub", metavar="REPO",
              help="hf: upload the dataset (dataset.parquet) and its card (README.md) to this Hugging Face dataset "
                   "repository, NAMESPACE/NAME, created if needed; the token from HF_TOKEN or `hf auth login`.")
@click.option("--private", is_flag=True, help="With --push-to-hub: create the repository private.")
def export(run_dir: str, fmt: str, out: str | None, user_fields: str | None, assistant_fields: str | None,
           system: str | None, with_eval: str | None, tiers: int, push_to_hub: str | None, private: bool) -> None:
    """Export the accepted datapoints in RUN_DIR/dataset.jsonl.

    For --format chat, the turns are the spec's output.chat, else the default rule: solution-like fields then the
    answer_field (assistant), every other field (user), options lettered; see docs/export.md for the full rule.
    --format hf writes the dataset card (README.md) in the folder; --push-to-hub uploads both."""
    console = Console(highlight=False, emoji=False)
    users, assistants = _field_list(user_fields), _field_list(assistant_fields)
    mapping = None
    if users is not None or assistants is not None or system is not None:
        takers = formats_taking(ChatMapping)
        if fmt not in takers:
            raise click.UsageError(f"--user-fields, --assistant-fields and --system apply to --format "
                                   f"{' or '.join(takers) or '(none registered)'} only")
        mapping = ChatMapping(user_fields=users, assistant_fields=assistants, system=system)
    if private and push_to_hub is None:
        raise click.UsageError("--private applies with --push-to-hub only")
    try:
        result = export_run(run_dir, fmt, out, mapping, with_eval=with_eval, tiers=tiers, push_to_hub=push_to_hub,
                            private=private)
    except ExportError as exc:
        console.print(f"[red]error[/] {escape(str(exc))}", soft_wrap=True)
        sys.exit(2)
    rows = f"{result.count} row{'s' if result.count != 1 else ''}"
    console.print(f"[green]wrote[/] {escape(str(result.path))}  ({rows}, format {fmt})", soft_wrap=True)
    if result.eval_columns:
        scored = "" if result.eval_matched is None else f"; {result.eval_matched} of {result.count} rows scored"
        console.print(f"eval columns from {escape(str(with_eval))}: {', '.join(result.eval_columns)}{scored}",
                      soft_wrap=True)
    if result.url is not None:
        console.print(f"[green]pushed[/] the dataset and its card to {escape(result.url)}"
                      + (" (private)" if private else ""), soft_wrap=True)
