"""`seedless eval` (coverage, complexity, diversity, duplicates, taxonomy quality, critic) and `seedless split`."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from seedless.core.measures.report import (
    ComplexitySection,
    CoverageSection,
    CriticSection,
    DiversitySection,
    DuplicatesSection,
    EvalReport,
    Section,
    TaxonomyQualitySection,
    VerdictPart,
)
from seedless.engine.commands.evaluate import evaluate, store_path, write_report
from seedless.engine.evaluation.items import DataError
from seedless.engine.evaluation.measure import Measure
from seedless.engine.evaluation.registry import MEASURES, selected
from seedless.engine.evaluation.split import split_by_complexity
from seedless.engine.llm.clients.base import FatalModelError
from seedless.engine.llm.embedders import embedder_note
from seedless.engine.store.rundir import RunDir
from seedless.interface.cli.generate import feedback_options, one_endpoint, progress
from seedless.interface.progress import LogView, ProgressView
from seedless.interface.render import line, plain, render_problems
from seedless.spec.eval_settings import DEFAULT_METRICS, METRICS, EvalSettings
from seedless.spec.loader import SpecError
from seedless.spec.models import Budget, EmbeddedEndpoint

S = TypeVar("S", bound=EvalSettings)
T = TypeVar("T")


def names_list(value: str | None) -> list[str]:
    """A comma-separated option as its non-empty names."""
    return [n.strip() for n in (value or "").split(",") if n.strip()]


def run_judged(console: Console, store: Path, work: Callable[[ProgressView | LogView], Coroutine[Any, Any, T]]) -> T:
    """Runs eval's (or compare's) work under the progress view; a data, spec or model error, or Ctrl-C, ends the
    command with its message, naming the store where the calls already made wait for the same command again."""
    again = f"stored in {escape(str(store))}; run the same command again to continue."
    try:
        with progress(console) as view:
            return asyncio.run(work(view))
    except DataError as exc:
        console.print(line(f"[red]error[/] {escape(str(exc))}"))
        sys.exit(2)
    except SpecError as exc:
        render_problems(console, exc.problems)
        sys.exit(2)
    except FatalModelError as exc:
        console.print(line(f"[red]error[/] {escape(str(exc))}\nCalls already made are {again}"))
        sys.exit(1)
    except KeyboardInterrupt:
        console.print(line(f"[yellow]interrupted[/]: calls already made are {again}"))
        sys.exit(130)


def _check_needs(measures: list[Measure], data: str | None, taxonomy: str | None, expert: str | None,
                 answer_field: str | None) -> None:
    """Usage errors for what the chosen measures declare they need (engine/evaluation/registry.py)."""
    needs_data = sorted(m.name for m in measures if m.needs.items)
    if data is None and needs_data:
        raise click.UsageError(f"missing DATA: {', '.join(needs_data)} measure items")
    for m in measures:
        if m.needs.answer_field and not answer_field:
            raise click.UsageError(f"the {m.name} measure needs --answer-field NAME: the field holding each item's "
                                   "correct answer")
    run_taxonomy = data is not None and RunDir(Path(data)).taxonomy.is_file()
    for m in measures:
        if m.needs.strict and m.needs.expert is not None and not expert:
            raise click.UsageError(f"{m.name} needs --expert EXPERT.yaml: the expert taxonomy")
        if m.needs.strict and m.needs.taxonomy is not None and not taxonomy and not run_taxonomy:
            raise click.UsageError(f"{m.name} needs the generated taxonomy: --taxonomy GENERATED.yaml, "
                                   "or a run directory as DATA")


def judge_options(settings: S, embedded_model: str | None, base_url: str | None, model: str | None,
                  api_key_env: str | None, max_concurrency: int | None, budget_tokens: int | None) -> S:
    """--embedded-model, --base-url/--model (with --api-key-env, --max-concurrency) and --budget-tokens applied to
    eval's (or compare's) settings."""
    if embedded_model and base_url:
        raise click.UsageError("--embedded-model names a packaged model; --base-url a server: choose one")
    if embedded_model:
        models = settings.models.model_copy(update={"endpoints": {"embedded": EmbeddedEndpoint(model=embedded_model)},
                                                    "default": "embedded"})
        settings = settings.model_copy(update={"models": models})
    settings = one_endpoint(settings, base_url, model, api_key_env, max_concurrency)
    if budget_tokens is not None:
        models = settings.models.model_copy(update={"budget": Budget(tokens=budget_tokens)})
        settings = settings.model_copy(update={"models": models})
    return settings


def judging_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options eval and compare share: what text is judged, how coverage assigns, the embedder, and the judging
    model (a packaged one or a server)."""
    for option in reversed([
        click.option("--field", "fields", help="Comma-separated data fields that make the text to judge."),
        click.option("--coverage-mode", type=click.Choice(["model", "embedding"]), default="model", show_default=True,
                     help="embedding: nearest node by cosine similarity, a cheaper approximation."),
        click.option("--coverage-assignment", type=click.Choice(["auto", "tree", "descent"]), default="auto",
                     show_default=True, help="model mode: the whole taxonomy in the assigner's context (tree), "
                     "level by level (descent), or the tree when it fits (auto)."),
        click.option("--embedder", default="minilm", show_default=True,
                     help="minilm (all-MiniLM-L6-v2, offline, no torch), static (faster, approximate), "
                     "st:NAME_OR_PATH, or an OpenAI-compatible base URL."),
        click.option("--embedding-model", help="Model name at an OpenAI-compatible embedder URL."),
        click.option("--base-url", envvar="SEEDLESS_BASE_URL", help="Point the assigner and rater at this server."),
        click.option("--model", envvar="SEEDLESS_MODEL", help="Model name at --base-url."),
        click.option("--api-key-env", envvar="SEEDLESS_API_KEY_ENV", help="Environment variable holding the API key."),
        click.option("--max-concurrency", type=click.IntRange(1, 4096), help="Requests in flight at --base-url."),
        click.option("--embedded-model", type=click.Choice(["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]),
                     help="The packaged model to judge with (default: the strongest installed); not with --base-url."),
    ]):
        command = option(command)
    return command


@click.command("eval")
@click.argument("data", type=click.Path(), required=False)
@click.option("--out", "out", type=click.Path(dir_okay=False),
              help="The report, as JSON; default RUN_DIR/eval.json when DATA is a run directory (the dataset card "
                   "and `export --with-eval` read it there).")
@click.option("--taxonomy", type=click.Path(dir_okay=False),
              help="A taxonomy.yaml (a run's, or an expert's in the same format); default: the run directory's. "
                   "For taxonomy_quality: the generated taxonomy.")
@click.option("--expert", type=click.Path(dir_okay=False),
              help="taxonomy_quality: the expert taxonomy (taxonomy.yaml format) to judge --taxonomy against.")
@click.option("--metrics", default=",".join(DEFAULT_METRICS), show_default=True,
              help=f"Comma-separated measures, of: {', '.join(METRICS)} (the last two are opt-in).")
@judging_options
@click.option("--reference", "references", multiple=True, type=click.Path(dir_okay=False),
              help="A reference file (e.g. a benchmark test set) to check for overlap; repeatable.")
@click.option("--answer-field", help="critic: the field holding each item's known correct answer (required).")
@click.option("--blind-solve/--no-blind-solve", default=True, show_default=True,
              help="critic: the judge first solves a numeric answer's task without seeing the answer, as generation "
              "does.")
@click.option("--generator-accuracy", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="critic: mu, the generator accuracy the accuracy lift is reported for (also at 0.5, 0.7, 0.9).")
@click.option("--budget-tokens", type=click.IntRange(1), help="Stop before the eval's model calls (this one and "
              "earlier ones on the same report) would pass this many prompt plus completion tokens.")
@click.option("--seed", type=int, default=0, show_default=True)
@feedback_options
def eval_command(data: str | None, out: str | None, taxonomy: str | None, expert: str | None, metrics: str,
                 fields: str | None, coverage_mode: str, coverage_assignment: str, embedder: str,
                 embedding_model: str | None,
                 references: tuple[str, ...], base_url: str | None, model: str | None, api_key_env: str | None,
                 max_concurrency: int | None, answer_field: str | None, blind_solve: bool, generator_accuracy: float,
                 embedded_model: str | None, budget_tokens: int | None, seed: int) -> None:
    """Measure DATA (JSONL, Parquet or a run directory): taxonomic coverage, calibrated complexity (Elo),
    embedding diversity and near-duplicates; opt-in, the quality of a taxonomy against an expert's
    (taxonomy_quality: DATA optional) and the double critic's effectiveness (critic). Model calls are stored
    beside the report: run it again to resume. Uses the embedded model unless --base-url/--model name a server."""
    console = Console(highlight=False, emoji=False)
    chosen = names_list(metrics)
    unknown = [m for m in chosen if m not in MEASURES]
    if unknown:
        raise click.UsageError(f"unknown measure(s) {', '.join(unknown)}; choose from {', '.join(MEASURES)}")
    _check_needs(selected(chosen), data, taxonomy, expert, answer_field)
    try:
        settings = EvalSettings(metrics=chosen, fields=names_list(fields), coverage_mode=coverage_mode,
                                coverage_assignment=coverage_assignment,
                                embedder=embedder, embedding_model=embedding_model,
                                references=[Path(r) for r in references], answer_field=answer_field,
                                blind_solve=blind_solve, generator_accuracy=generator_accuracy, seed=seed)
    except ValueError as exc:
        raise click.UsageError(str(exc).splitlines()[-1] if "\n" in str(exc) else str(exc)) from None
    settings = judge_options(settings, embedded_model, base_url, model, api_key_env, max_concurrency, budget_tokens)
    if out is None:
        if data is None or not Path(data).is_dir():
            raise click.UsageError("--out REPORT.json is needed unless DATA is a run directory")
        out = str(RunDir(Path(data)).eval_report)
    report_path = Path(out)
    report = run_judged(console, store_path(report_path), lambda view: evaluate(
        Path(data) if data else None, settings, report_path, taxonomy=Path(taxonomy) if taxonomy else None,
        expert=Path(expert) if expert else None, events=view))
    write_report(report, report_path)
    render_report(console, report)
    console.print(line(f"[green]wrote[/] {escape(str(report_path))}  (model calls sent: {report.calls_sent}, "
                       f"reused from the store: {report.calls_reused})"))


def render_report(console: Console, report: EvalReport) -> None:
    if report.data is not None and report.items:
        console.print(line(f"[bold]{report.items} items[/] from {escape(str(report.data))}"))
    for note in report.notes:
        console.print(line(f"[yellow]{escape(note)}"))
    for name, section in report.sections():
        render = RENDERERS.get(name)
        if render is None:
            render_summary(console, name, section)
        else:
            render(console, section)


def render_summary(console: Console, name: str, section: Section) -> None:
    """A section without its own rendering (a plugin measure's): its one-line summary."""
    console.print(line(f"[bold]{escape(name)}[/] {escape(section.summary())}"))


def render_coverage(console: Console, section: Section) -> None:
    assert isinstance(section, CoverageSection)
    console.print(f"[bold]Taxonomic coverage[/] [dim]({section.mode})")
    for tax in section.taxonomies:
        table = Table(title=plain(tax.factor), title_justify="left")
        for column in ("level", "nodes", "hit", "coverage", "uncovered (first 5)"):
            table.add_column(column, justify="left" if column.startswith("uncovered") else "right")
        for lv in tax.levels:
            shown = ", ".join(" > ".join(p[1:]) for p in lv.uncovered[:5])
            table.add_row(str(lv.level), str(lv.nodes), str(lv.hit), f"{100 * lv.ratio:.0f}%", plain(shown))
        console.print(table)
        if tax.unassigned:
            console.print(plain(f"  {tax.unassigned} item(s) placed in no category of {tax.factor}"))


def render_complexity(console: Console, section: Section) -> None:
    assert isinstance(section, ComplexitySection)
    s = section.summary_
    if s is not None:
        console.print(f"[bold]Complexity (Elo)[/] median {s.median:.0f}, quartiles {s.q1:.0f}-{s.q3:.0f}, "
                      f"range {s.min:.0f}-{s.max:.0f} over {section.comparisons} comparisons")


def render_diversity(console: Console, section: Section) -> None:
    assert isinstance(section, DiversitySection)
    console.print(line(f"[bold]Embedding diversity[/] global {section.global_:.4f}, local {section.local:.4f} "
                       f"(k={section.k}, {escape(str(section.embedder))})"))
    note = embedder_note(section.embedder)
    if note:
        console.print(line(f"  [yellow]{escape(note)}[/]"))


def render_duplicates(console: Console, section: Section) -> None:
    assert isinstance(section, DuplicatesSection)
    console.print(f"[bold]Near-duplicates[/] {len(section.groups)} group(s), {section.items_in_groups} item(s) "
                  f"(cosine >= {section.threshold}, {escape(section.embedder)})")
    for ref in section.contamination:
        console.print(plain(f"  overlap with {ref.reference}: {ref.overlapping} item(s) by embedding, "
                            f"{ref.ngram_overlapping} by copied text (word n-grams)"))


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def render_taxonomy_quality(console: Console, section: Section) -> None:
    assert isinstance(section, TaxonomyQualitySection)
    console.print(line(f"[bold]Taxonomy quality[/] of {escape(str(section.generated))} against "
                       f"{escape(str(section.expert))}: completeness {_share(section.completeness)}, "
                       f"soundness {_share(section.soundness)}, "
                       f"novelty {_share(section.novelty)} ({section.expert_nodes} expert nodes)"))
    table = Table(title_justify="left")
    columns = ("factor", "expert nodes", "generated", "completeness", "soundness", "novelty",
               "shared / new / redundant / bad")
    for column in columns:
        table.add_column(column, justify="left" if column == "factor" else "right")
    for f in section.factors:
        counts = " / ".join(str(n) for n in f.counts.values()) if f.counts else "-"
        table.add_row(plain(f.factor), str(f.expert_nodes), str(f.generated_nodes), _share(f.completeness),
                      _share(f.soundness), _share(f.novelty), counts)
    console.print(table)
    for f in section.factors:
        if f.unlabelled:
            console.print(line(f"  [yellow]{len(f.unlabelled)} node(s) of {escape(f.factor)} got no label[/]"))
    for factor in section.unmatched_generated_factors:
        console.print(line(f"  [yellow]generated factor {escape(factor)} has no expert counterpart (not judged)[/]"))
    for factor in section.unmatched_expert_factors:
        console.print(line(f"  [yellow]expert factor {escape(factor)} has no generated counterpart (its nodes "
                           "count as missed)[/]"))


def render_critic(console: Console, section: Section) -> None:
    assert isinstance(section, CriticSection)
    c = section.counts
    console.print(line(f"[bold]Critic effectiveness[/] (answer field {escape(section.answer_field)}): "
                       f"p {_share(section.p)} ({c.correct_accepted}/{c.correct} correct accepted), "
                       f"q {_share(section.q)} ({c.corrupted_accepted}/{c.corrupted} corrupted accepted), "
                       f"rejection rate {_share(section.rejection_rate)}"))
    lifts = ", ".join(f"mu {f.mu}: " + ("-" if f.lift is None else format(f.lift, "+.3f"))
                      for f in section.filtering)
    console.print(f"  accuracy lift after filtering: {lifts}")
    problems = [(c.identical_dropped, "corruption(s) identical to the original (dropped from q)"),
                (c.corruption_failed, "corruption(s) failed"), (c.critic_failed, "critic verdict(s) failed")]
    shown_problems = [f"{n} {what}" for n, what in problems if n]
    if shown_problems:
        console.print(f"  [yellow]{'; '.join(shown_problems)}[/]")
    table = Table(title_justify="left")
    for column in ("item", "original accepted", "corrupted answer", "corrupted accepted"):
        table.add_column(column)
    for r in section.results[:10]:
        shown = "-" if r.dropped else json.dumps(r.corrupted_answer, ensure_ascii=False)[:60]
        table.add_row(plain(r.id), _verdict(r.original), plain(shown), plain(r.dropped or _verdict(r.corrupted)))
    console.print(table)
    if len(section.results) > 10:
        console.print(f"  ({len(section.results) - 10} more item(s) in the report)")


def _verdict(verdict: VerdictPart | None) -> str:
    if verdict is None:
        return "no verdict"
    accepted = "yes" if verdict.accepted else "no"
    blind = "" if verdict.blind_result is None else f"blind {verdict.blind_result[:20]}, "
    return f"{accepted} ({blind}correct? {verdict.correct}, incorrect? {verdict.incorrect})"


Renderer = Callable[[Console, Section], None]  # the sections with their own rendering
RENDERERS: dict[str, Renderer] = {
    "coverage": render_coverage, "complexity": render_complexity, "diversity": render_diversity,
    "duplicates": render_duplicates, "taxonomy_quality": render_taxonomy_quality, "critic": render_critic}


@click.command("split")
@click.argument("data", type=click.Path())
@click.option("--by", type=click.Choice(["complexity"]), default="complexity", show_default=True)
@click.option("--report", "report", required=True, type=click.Path(dir_okay=False),
              help="The seedless eval report holding the complexity ratings (and coverage).")
@click.option("--tiers", "n_tiers", type=click.IntRange(2, 20), default=3, show_default=True)
@click.option("--factor", help="Taxonomy whose nodes group the items; default: the report's first.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder for tier_N.jsonl.")
def split_command(data: str, by: str, report: str, n_tiers: int, factor: str | None, out: str) -> None:
    """Split DATA into complexity tiers computed within each taxonomy node (tier_1 = easiest)."""
    console = Console(highlight=False, emoji=False)
    try:
        result = split_by_complexity(Path(data), Path(report), Path(out), n_tiers=n_tiers, factor=factor)
    except (DataError, OSError, json.JSONDecodeError) as exc:
        console.print(line(f"[red]error[/] {escape(str(exc))}"))
        sys.exit(2)
    where = f"within each node of {result.factor} ({result.groups} nodes)" if result.factor else "over all items"
    console.print(plain(f"tiers computed {where}"))
    for path, count in zip(result.files, result.counts):
        console.print(line(f"[green]wrote[/] {escape(str(path))} ({count} items)"))
