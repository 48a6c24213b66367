"""The generation commands: init, validate, taxonomy, plan, run, stages, and what they share (loading the spec,
--base-url, the progress display, exit codes)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click
from rich.console import Console
from rich.markup import escape

from seedless.engine.commands.plan import build_plan
from seedless.engine.commands.run import run_dataset
from seedless.engine.commands.taxonomy import build_taxonomies
from seedless.engine.llm.clients.base import FatalModelError
from seedless.engine.llm.prompts import check_prompts
from seedless.engine.stages.catalogue import stages as all_stages
from seedless.engine.stages.datapoint.dedup import check_references
from seedless.engine.stages.factors import StageError
from seedless.engine.stages.judge_check import check_items
from seedless.engine.store.calls import UsageRow
from seedless.engine.store.rundir import RunDir, RunDirError, RunLock, StorageFull
from seedless.interface.progress import LOG_FORMATS, LogView, ProgressView, progress_view
from seedless.interface.render import (
    render_plan,
    render_problems,
    render_run,
    render_taxonomies,
    render_usage,
)
from seedless.spec.loader import SpecError, load_spec
from seedless.spec.overrides import Settings, on_one_endpoint

T = TypeVar("T")
EXAMPLE = Path(__file__).resolve().parents[2] / "spec" / "example.yaml"


def one_endpoint(settings: Settings, base_url: str | None, model: str | None, api_key_env: str | None = None,
                 max_concurrency: int | None = None) -> Settings:
    """--base-url/--model applied to a spec or eval settings (`on_one_endpoint`); a usage error when one is alone."""
    try:
        return on_one_endpoint(settings, base_url, model, api_key_env, max_concurrency)
    except ValueError:
        raise click.UsageError("--base-url and --model go together") from None


def _keep(ctx: click.Context, param: click.Parameter, value: object) -> object:
    ctx.meta[f"seedless.{param.name}"] = value
    return value


def feedback_options(command: Callable[..., None]) -> Callable[..., None]:
    """--log-format and --quiet, kept in the click context for the command's progress view (`progress`)."""
    command = click.option("--quiet", "-q", is_flag=True, expose_value=False, callback=_keep,
                           help="No progress display or log lines; warnings, errors and the summary still show.")(command)
    return click.option("--log-format", type=click.Choice(LOG_FORMATS), default="auto", show_default=True,
                        expose_value=False, callback=_keep,
                        help="Progress as a live display (rich), or a line every 5 s as text (plain) or JSON "
                             "(json); auto: rich on a terminal, plain otherwise (a batch job, CI).")(command)


def progress(console: Console) -> ProgressView | LogView:
    """The progress view the command's --log-format and --quiet ask for."""
    meta = click.get_current_context().meta
    return progress_view(console, meta.get("seedless.log_format", "auto"), meta.get("seedless.quiet", False))


def _console() -> Console:
    return Console(stderr=False, highlight=False, emoji=False)  # no emoji codes in user or model text


def _load(spec_path: str, console: Console):
    try:
        loaded = load_spec(spec_path)
        check_prompts(loaded)  # the override templates of prompts.dir, for validate and every command
        check_items(loaded)  # generation.judge_check.items, read and checked against the output format
        check_references(loaded)  # generation.dedup.references, each readable as items
        return loaded
    except SpecError as exc:
        render_problems(console, exc.problems)
        sys.exit(2)


@click.command()
@click.argument("path", default="seedless.yaml", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented example spec to PATH (default seedless.yaml)."""
    target = Path(path)
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists; use --force to overwrite it")
    target.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    click.echo(f"wrote {target}; edit it, then run: seedless validate {target}")


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
def validate(spec: str) -> None:
    """Check SPEC and report every problem at once, with file, line and field."""
    console = _console()
    loaded = _load(spec, console)
    given = f"{len(loaded.factors)} given factors" if loaded.factors else "factors proposed by the model"
    console.print(f"[green]ok[/] {escape(spec)}: {given}, depth {loaded.taxonomy.depth}, "
                  f"{loaded.taxonomy.proposals} proposals per node, output '{loaded.output.kind}'")


def run_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options every model-calling command shares."""
    options = [
        click.argument("spec", type=click.Path(dir_okay=False)),
        click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="The run directory."),
        click.option("--base-url", envvar="SEEDLESS_BASE_URL",
                     help="Point every role at this OpenAI-compatible URL."),
        click.option("--model", envvar="SEEDLESS_MODEL", help="Model name at --base-url."),
        click.option("--api-key-env", envvar="SEEDLESS_API_KEY_ENV",
                     help="Environment variable holding the API key."),
        click.option("--max-concurrency", type=click.IntRange(1, 4096), help="Requests in flight at --base-url."),
        click.option("--from-scratch", is_flag=True,
                     help="Ignore the run's edited files (kept as *.previous.yaml) and build anew."),
        click.option("--force", is_flag=True,
                     help="Use --out even if it holds files seedless did not write (those with seedless's names, "
                          "such as dataset.jsonl, are replaced; a spec.yaml of yours is kept)."),
    ]
    for option in reversed(options):
        command = option(command)
    return feedback_options(command)


def _prepare(spec: str, out: str, base_url: str | None, model: str | None, api_key_env: str | None,
             max_concurrency: int | None, force: bool, console: Console):
    """The spec loaded and overridden, then --out checked and marked as a run directory (exit 2 if refused)."""
    loaded = _load(spec, console)
    loaded = one_endpoint(loaded, base_url, model, api_key_env, max_concurrency)
    try:
        run = RunDir(Path(out))
        run.claim(force=force, spec_file=Path(spec))
        RunLock.probe(run)  # refused before the progress display when another command holds it
    except RunDirError as exc:
        _error(console, exc)
        sys.exit(2)
    return loaded


def _error(console: Console, exc: BaseException | str) -> None:
    """An exception's message, as text (no rich markup or emoji codes taken from it)."""
    console.print(f"[red]error[/] {escape(str(exc))}", soft_wrap=True)


def _execute(console: Console, work: Callable[[ProgressView | LogView], Awaitable[T]]) -> T:
    """Run engine work under the progress display; turn known failures into clear messages and exit codes."""
    try:
        with progress(console) as view:
            return asyncio.run(work(view))
    except SpecError as exc:  # taxonomy.yaml or strategies.yaml with problems
        render_problems(console, exc.problems)
        sys.exit(2)
    except RunDirError as exc:  # held by another command
        _error(console, exc)
        sys.exit(2)
    except StorageFull as exc:
        _error(console, exc)
        sys.exit(1)
    except OSError as exc:
        if exc.filename is None:
            raise
        _error(console, f"{exc.filename}: {exc.strerror}")
        console.print("Calls already made are stored; run the same command again to continue.")
        sys.exit(1)
    except (StageError, FatalModelError) as exc:
        _error(console, exc)
        console.print("Calls already made are stored; run the same command again to continue.")
        sys.exit(1)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]: calls already made are stored; run the same command to continue.")
        sys.exit(130)


def _usage(console: Console, usage: list[UsageRow], total: list[UsageRow], sent: int, reused: int) -> None:
    if usage:
        render_usage(console, "This command's model calls", usage)
    if total != usage:
        render_usage(console, "All calls stored in this run", total)
    console.print(f"model calls sent: {sent}, reused from the store: {reused}")


def _exit_if_degraded(console: Console, degraded: list[str]) -> None:
    """Exit 4 when failed calls left part of the work undone: the files are written, but not what was asked."""
    if degraded:
        for line in degraded:
            console.print(f"[yellow]degraded[/]: {escape(line)}", soft_wrap=True)
        console.print("Finished degraded (exit 4): what failed is retried when the same command runs again.")
        sys.exit(4)


@click.command()
@run_options
def taxonomy(spec: str, out: str, base_url: str | None, model: str | None, api_key_env: str | None,
             max_concurrency: int | None, from_scratch: bool, force: bool) -> None:
    """Build the factors and a critic-refined taxonomy per factor into OUT/taxonomy.yaml.

    Run it again after editing OUT/taxonomy.yaml: edits are kept and only what they affect is rebuilt;
    calls already made are never sent again."""
    console = _console()
    loaded = _prepare(spec, out, base_url, model, api_key_env, max_concurrency, force, console)
    outcome = _execute(console, lambda view: build_taxonomies(loaded, Path(out), events=view,
                                                              from_scratch=from_scratch))
    render_taxonomies(console, outcome.taxonomies)
    _usage(console, outcome.usage, outcome.usage_total, outcome.calls_sent, outcome.calls_reused)
    console.print(f"[green]wrote[/] {escape(str(outcome.path))}  (edit it and run the same command to rebuild what "
                  "changed)", soft_wrap=True)
    _exit_if_degraded(console, outcome.degraded)


@click.command()
@run_options
def plan(spec: str, out: str, base_url: str | None, model: str | None, api_key_env: str | None,
         max_concurrency: int | None, from_scratch: bool, force: bool) -> None:
    """Taxonomies, then sampling strategies (OUT/strategies.yaml), then the coverage budget N/V: the whole
    plan of a dataset before any datapoint is generated. Edit either file and run it again."""
    console = _console()
    loaded = _prepare(spec, out, base_url, model, api_key_env, max_concurrency, force, console)
    outcome = _execute(console, lambda view: build_plan(loaded, Path(out), events=view, from_scratch=from_scratch))
    render_taxonomies(console, outcome.taxonomy.taxonomies, summary=True)
    render_plan(console, outcome)
    _usage(console, outcome.usage, outcome.usage_total, outcome.calls_sent, outcome.calls_reused)
    console.print(f"[green]wrote[/] {escape(str(outcome.taxonomy.path))} and {escape(str(outcome.path))}  "
                  "(edit them and run again)", soft_wrap=True)
    _exit_if_degraded(console, outcome.degraded)


@click.command()
@run_options
def run(spec: str, out: str, base_url: str | None, model: str | None, api_key_env: str | None,
        max_concurrency: int | None, from_scratch: bool, force: bool) -> None:
    """The whole pipeline: taxonomies, strategies, then datapoints (meta-prompts, complexification, generation,
    critics) until SPEC's size is reached. Writes OUT/dataset.jsonl, OUT/dataset.parquet and OUT/rejected.jsonl.

    Kill it at any point and run it again to continue. After editing OUT/taxonomy.yaml or OUT/strategies.yaml,
    run it again: only datapoints whose mix the edit touched are made again."""
    console = _console()
    loaded = _prepare(spec, out, base_url, model, api_key_env, max_concurrency, force, console)
    outcome = _execute(console, lambda view: run_dataset(loaded, Path(out), events=view, from_scratch=from_scratch))
    render_taxonomies(console, outcome.taxonomy.taxonomies, summary=True)
    console.print(f"[bold]Coverage budget[/] {escape(outcome.budget.meaning())}")
    render_run(console, outcome)
    if outcome.usage_stages:
        render_usage(console, "All calls stored in this run, per stage", outcome.usage_stages, key="stage")
    _usage(console, outcome.usage, outcome.usage_total, outcome.calls_sent, outcome.calls_reused)
    if not outcome.complete:
        console.print(f"[red]incomplete[/]: {outcome.files.accepted} of {outcome.target} datapoints accepted; "
                      f"the attempt bound ({outcome.attempt_bound} tries) is spent. Raise generation.max_attempts "
                      "(or generation.slot_attempts) and run the same command to continue.")
        sys.exit(3)
    _exit_if_degraded(console, outcome.degraded)


@click.command()
def stages() -> None:
    """List the pipeline's stages with the roles they call and the artifacts they read and write."""
    console = _console()
    for s in all_stages():
        console.print(f"[bold]{s.name}[/]: {s.summary}")
        console.print(f"  settings: {s.settings}; roles: {', '.join(r.value for r in s.roles) or 'none'}")
        console.print(f"  reads: {', '.join(s.reads)}\n  writes: {', '.join(s.writes)}")
