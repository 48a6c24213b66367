"""The `seedless` command line: init, validate, taxonomy, stages."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click
from rich.console import Console

from seedless.core.taxonomy_file import TaxonomyFileError
from seedless.engine.catalogue import STAGES
from seedless.engine.clients.base import FatalModelError
from seedless.engine.factor_stage import StageError
from seedless.engine.taxonomy_run import build_taxonomies
from seedless.interface.render import ProgressView, render_problems, render_taxonomies, render_usage
from seedless.spec.loader import SpecError, load_spec
from seedless.spec.overrides import with_single_endpoint

EXAMPLE = Path(__file__).resolve().parent.parent / "spec" / "example.yaml"


def _console() -> Console:
    return Console(stderr=False, highlight=False)


def _load(spec_path: str, console: Console):
    try:
        return load_spec(spec_path)
    except SpecError as exc:
        render_problems(console, exc.problems)
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="seedless")
def main() -> None:
    """seedless: describe a dataset in plain language; get taxonomies of its domain, then the data.

    Runs on the embedded model by default; `seedless taxonomy SPEC --out DIR --base-url URL --model NAME`
    points every role at any OpenAI-compatible server instead."""


@main.command()
@click.argument("path", default="seedless.yaml", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented example spec to PATH (default seedless.yaml)."""
    target = Path(path)
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists; use --force to overwrite it")
    target.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    click.echo(f"wrote {target}; edit it, then run: seedless validate {target}")


@main.command()
@click.argument("spec", type=click.Path(dir_okay=False))
def validate(spec: str) -> None:
    """Check SPEC and report every problem at once, with file, line and field."""
    console = _console()
    loaded = _load(spec, console)
    given = f"{len(loaded.factors)} given factors" if loaded.factors else "factors proposed by the model"
    console.print(f"[green]ok[/] {spec}: {given}, depth {loaded.taxonomy.depth}, "
                  f"{loaded.taxonomy.proposals} proposals per node, output '{loaded.output.kind}'")


@main.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="The run directory.")
@click.option("--base-url", envvar="SEEDLESS_BASE_URL", help="Point every role at this OpenAI-compatible URL.")
@click.option("--model", envvar="SEEDLESS_MODEL", help="Model name at --base-url.")
@click.option("--api-key-env", envvar="SEEDLESS_API_KEY_ENV", help="Environment variable holding the API key.")
@click.option("--max-concurrency", type=click.IntRange(1, 4096), help="Requests in flight at --base-url.")
@click.option("--from-scratch", is_flag=True, help="Ignore RUN_DIR/taxonomy.yaml (kept as taxonomy.previous.yaml).")
def taxonomy(spec: str, out: str, base_url: str | None, model: str | None, api_key_env: str | None,
             max_concurrency: int | None, from_scratch: bool) -> None:
    """Build the factors and a critic-refined taxonomy per factor into OUT/taxonomy.yaml.

    Run it again after editing OUT/taxonomy.yaml: edits are kept and only what they affect is rebuilt;
    calls already made are never sent again."""
    console = _console()
    loaded = _load(spec, console)
    if bool(base_url) != bool(model):
        raise click.UsageError("--base-url and --model go together")
    if base_url and model:
        loaded = with_single_endpoint(loaded, base_url, model, api_key_env, max_concurrency)
    try:
        with ProgressView(console) as view:
            outcome = asyncio.run(build_taxonomies(loaded, Path(out), events=view, from_scratch=from_scratch))
    except TaxonomyFileError as exc:
        render_problems(console, exc.problems)
        sys.exit(2)
    except (StageError, FatalModelError) as exc:
        console.print(f"[red]error[/] {exc}")
        console.print("Calls already made are stored; run the same command again to continue.")
        sys.exit(1)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]: calls already made are stored; run the same command to continue.")
        sys.exit(130)
    render_taxonomies(console, outcome.taxonomies)
    if outcome.usage:
        render_usage(console, "This command's model calls", outcome.usage)
    if outcome.usage_total != outcome.usage:
        render_usage(console, "All calls stored in this run", outcome.usage_total)
    console.print(f"model calls sent: {outcome.calls_sent}, reused from the store: {outcome.calls_reused}")
    console.print(f"[green]wrote[/] {outcome.path}  (edit it and run the same command to rebuild what changed)")


@main.command()
def stages() -> None:
    """List the pipeline's stages with the roles they call and the artifacts they read and write."""
    console = _console()
    for s in STAGES:
        console.print(f"[bold]{s.name}[/]: {s.summary}")
        console.print(f"  settings: {s.settings}; roles: {', '.join(r.value for r in s.roles)}")
        console.print(f"  reads: {', '.join(s.reads)}\n  writes: {', '.join(s.writes)}")
