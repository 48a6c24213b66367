"""`seedless compare`: several datasets on one taxonomy, one embedder and one Elo pool; compare.json, the table, the page."""

from __future__ import annotations

from pathlib import Path

import click
from pydantic import ValidationError
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from seedless.core.measures.comparison import Comparison
from seedless.engine.commands.compare import compare, write_comparison
from seedless.engine.llm.embedders import embedder_note
from seedless.engine.store.rundir import RunDir
from seedless.interface.cli.evaluate import judge_options, judging_options, names_list, run_judged
from seedless.interface.cli.generate import feedback_options
from seedless.interface.render import line, plain
from seedless.spec.compare_settings import COMPARE_METRICS, CompareSettings


@click.command("compare")
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder for compare.json, compare.html, taxonomy.yaml (the shared one) and seedless.db (the "
                   "model calls, reused when the same comparison runs again).")
@click.option("--taxonomy", type=click.Path(exists=True),
              help="The shared taxonomy: a taxonomy.yaml or a run directory; default: the union of the runs' "
                   "taxonomies.")
@click.option("--name", "names", multiple=True, help="A label per dataset, in order (repeat); default: the run "
              "directory's or file's name.")
@click.option("--metrics", default=",".join(COMPARE_METRICS), show_default=True,
              help=f"Comma-separated, of: {', '.join(COMPARE_METRICS)}.")
@judging_options
@click.option("--complexity-items", type=click.IntRange(2, 100_000), default=200, show_default=True,
              help="The most items of each dataset in the joint Elo pool (a seeded sample by content): the rater "
                   "makes about items x K / B calls over the whole pool.")
@click.option("--budget-tokens", type=click.IntRange(1), help="Stop before the comparison's model calls (this one "
              "and earlier ones in --out) would pass this many prompt plus completion tokens.")
@click.option("--seed", type=int, default=0, show_default=True)
@feedback_options
def compare_command(data: tuple[str, ...], out: str, taxonomy: str | None, names: tuple[str, ...], metrics: str,
                    fields: str | None, coverage_mode: str, coverage_assignment: str, complexity_items: int,
                    embedder: str, embedding_model: str | None, base_url: str | None, model: str | None,
                    api_key_env: str | None, max_concurrency: int | None, embedded_model: str | None,
                    budget_tokens: int | None, seed: int) -> None:
    """Measure several datasets (JSONL, Parquet or run directories) on the same ground: coverage against one
    shared taxonomy, diversity with one embedder, complexity from one Elo pool whose batches mix the datasets.
    Writes OUT/compare.json and OUT/compare.html and prints the table. Uses the embedded model unless
    --base-url/--model name a server; `--metrics diversity` calls no model."""
    console = Console(highlight=False, emoji=False)
    try:
        settings = CompareSettings(metrics=names_list(metrics), fields=names_list(fields), coverage_mode=coverage_mode,
                                   coverage_assignment=coverage_assignment, complexity_items=complexity_items,
                                   embedder=embedder, embedding_model=embedding_model, seed=seed)
    except ValidationError as exc:
        raise click.UsageError("; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())) from None
    settings = judge_options(settings, embedded_model, base_url, model, api_key_env, max_concurrency, budget_tokens)
    out_dir = Path(out)
    store = RunDir(out_dir).db
    comparison = run_judged(console, store, lambda view: compare(
        [Path(d) for d in data], settings, out_dir, names=names, taxonomy=Path(taxonomy) if taxonomy else None,
        events=view))
    written = write_comparison(comparison, out_dir)
    render_comparison_table(console, comparison)
    console.print(line(f"[green]wrote[/] {escape(str(written))}"))
    write_page(console, comparison, out_dir)
    if comparison.calls_sent or comparison.calls_reused:
        console.print(line(f"model calls sent: {comparison.calls_sent}, reused from {escape(str(store))}: "
                           f"{comparison.calls_reused}"))


def write_page(console: Console, comparison: Comparison, out: Path) -> None:
    """OUT/compare.html from the page renderer (interface/report/compare_page.py), when it is installed."""
    try:
        from seedless.interface.report.compare_page import render_comparison
    except ImportError as exc:
        console.print(line(f"[yellow]no page written[/]: the comparison page renderer is not available "
                           f"({escape(str(exc))}); compare.json holds every figure"))
        return
    page = RunDir(out).comparison_page
    RunDir.write_atomic(page, render_comparison(comparison))
    console.print(line(f"[green]wrote[/] {escape(str(page))}"))


def render_comparison_table(console: Console, comparison: Comparison) -> None:
    """What is shared, then one row per dataset: coverage per level, diversity, the joint pool's Elo."""
    for note in comparison.notes:
        console.print(line(f"[yellow]{escape(note)}"))
    if comparison.taxonomy is not None:
        console.print(line(f"[bold]shared taxonomy[/] {escape(comparison.taxonomy_description)}"))
    if comparison.embedder is not None:
        console.print(line(f"[bold]embedder[/] {escape(comparison.embedder)}"))
        note = embedder_note(comparison.embedder)
        if note:
            console.print(line(f"  [yellow]{escape(note)}[/]"))
    if comparison.judge is not None:
        console.print(line(f"[bold]models[/] {escape(comparison.judge)}"))
    pool = comparison.pool
    if pool is not None:
        console.print(line(f"[bold]joint Elo pool[/] {pool.items} item(s) of {len(comparison.datasets)} dataset(s), "
                           f"{pool.batches} batch(es) ({pool.mixed_batches} mixing datasets), "
                           f"{pool.comparisons} comparisons; ratings comparable across datasets"))
        if pool.failures:
            console.print(line(f"  [yellow]{len(pool.failures)} rater batch(es) gave no usable reply[/]"))
    header, rows = comparison.table()
    table = Table(title="Comparison", title_justify="left", box=box.SIMPLE_HEAD)  # no rules: fits 80 columns
    table.add_column("dataset", no_wrap=True)
    for column in header:  # a header on two lines ("Elo" over "median"): the table fits 80 columns
        table.add_column(column.replace(" ", "\n", 1), justify="right", no_wrap=True)
    for row in rows:
        table.add_row(plain(row.name), *row.cells)
    console.print(table)
    for d in comparison.datasets:
        failed = [f for t in (d.coverage.taxonomies if d.coverage else []) for f in t.failures]
        if failed:
            console.print(line(f"  [yellow]{escape(d.name)}: {len(failed)} assigner call(s) failed[/]"))
