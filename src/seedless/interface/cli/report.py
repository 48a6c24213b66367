"""`seedless report RUN_DIR`: the run's self-contained HTML report (charts, taxonomies, datapoint browser) written
to RUN_DIR/report.html or --out; `--eval REPORT.json` for the figures of an eval report other than RUN_DIR/eval.json."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from seedless.engine.outputs.report_data import DETAIL_LIMIT, ReportError, report_data
from seedless.engine.store.rundir import RunDir
from seedless.interface.report.page import render_report


@click.command("report")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--eval", "eval_report", type=click.Path(path_type=Path), default=None,
              help="The eval report to show (default: RUN_DIR/eval.json when it is there).")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="Where to write the page (default: RUN_DIR/report.html).")
@click.option("--tiers", type=click.IntRange(1, 10), default=3, show_default=True,
              help="Complexity tiers per node, as `seedless split` cuts them.")
@click.option("--lineage", "detail_limit", type=click.IntRange(0), default=DETAIL_LIMIT, show_default=True,
              help="Datapoints whose whole lineage the page embeds (an even sample beyond it; every datapoint "
                   "is listed and filtered either way).")
def report(run_dir: Path, eval_report: Path | None, out: Path | None, tiers: int, detail_limit: int) -> None:
    """Write one HTML file that opens offline: taxonomies with coverage and rejections per node, rejection rates per
    critic, complexity, diversity, the judge check, token usage and a datapoint browser with each lineage."""
    console, errors = Console(), Console(stderr=True)
    try:
        data = report_data(run_dir, eval_report, n_tiers=tiers, detail_limit=detail_limit)
    except ReportError as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}")
        sys.exit(1)
    target = out if out is not None else RunDir(run_dir).html_report
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        RunDir.write_atomic(target, render_report(data))
    except OSError as exc:
        errors.print(f"[red]error:[/red] cannot write {escape(str(target))}: {escape(str(exc))}")
        sys.exit(1)
    size = target.stat().st_size / 1e6
    shown = f"{len(data.details):,} with their whole lineage" + (" (a sample)" if data.sampled else "")
    console.print(f"wrote {escape(str(target))} ({size:.1f} MB): {data.datapoints:,} datapoints and "
                  f"{data.rejected:,} rejected tries, {shown}"
                  + ("" if data.eval is None else f"; eval report {escape(data.eval.report)}"))
