"""Terminal rendering with rich: taxonomy trees, plans, usage tables, problems (live progress: progress.py)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from seedless.core.taxonomy.tree import Node, TaxonomySet
from seedless.engine.commands.plan import JudgeCheckOutcome, PlanOutcome
from seedless.engine.commands.run import RunOutcome
from seedless.engine.store.calls import UsageRow
from seedless.spec.loader import SpecProblem


def line(template: str) -> Text:
    """Our markup in `template`, where every user- or model-written part went through `escape`; emoji codes
    (`:smile:`) are never replaced, whatever the console."""
    return Text.from_markup(template, emoji=False)


def plain(value: object) -> Text:
    """User or model text (a name, a path, a reply) shown exactly as written."""
    return Text(str(value))


def _add(branch: Tree, node: Node) -> None:
    for child in node.children:
        _add(branch.add(plain(child.name)), child)


def render_taxonomies(console: Console, taxonomies: TaxonomySet, summary: bool = False) -> None:
    """Each taxonomy as a tree, or (summary) one line per factor with its first level."""
    for tax in taxonomies.taxonomies:
        sizes = tax.level_sizes()
        label = f"[bold green]{escape(tax.factor)}[/] [dim](depth {tax.depth}; nodes per level {sizes[1:]})"
        if summary:
            console.print(line(f"{label}: {escape(', '.join(c.name for c in tax.root.children))}"))
            continue
        tree = Tree(line(label))
        _add(tree, tax.root)
        console.print(tree)


def render_plan(console: Console, outcome: PlanOutcome) -> None:
    """Strategies with weights and exclusions, the coverage budget, and a few sample mixes."""
    console.print(f"[bold]Sampling strategies[/] [dim]({outcome.source})")
    total = sum(s.weight for s in outcome.strategies)
    for s in outcome.strategies:
        parts = ", ".join(" > ".join(c.under) for c in s.components)
        console.print(line(f"  [bold]{escape(s.name)}[/] {100 * s.weight / total:.0f}%: {escape(parts)}"
                           + (f" [dim]- {escape(s.description)}" if s.description else "")))
        for e in s.exclusions:
            console.print(line(f"    never together: {escape(' + '.join(' > '.join(p) for p in e.paths))}"
                               + (f" [dim]({escape(e.reason)})" if e.reason else "")))
    console.print(f"[bold]Coverage budget[/] {outcome.budget.meaning()}")
    render_judge(console, outcome.judge)
    console.print("[bold]Sample mixes[/]")
    for i, mix in enumerate(outcome.samples):
        shown = " | ".join(" > ".join(p[1:]) or p[0] for p in mix.nodes)
        console.print(line(f"  {i}. [dim]{escape(mix.strategy)}:[/] {escape(shown)}"))


def render_judge(console: Console, judge: JudgeCheckOutcome | None) -> None:
    """The judge check's p and q (a warning when it did not pass), or why it did not run."""
    if judge is None:
        return
    if judge.figures is not None and not judge.figures.passed:
        console.print(line(f"[yellow]warning[/] {escape(judge.message)}: the judge cannot tell right from wrong "
                           f"answers (generation.judge_check.on_fail is warn)"))
        return
    console.print(line(f"[bold]Judge check[/] {escape(judge.message.removeprefix('judge check').lstrip(' :'))}"))


def render_usage(console: Console, title: str, rows: list[UsageRow], key: str = "role") -> None:
    """Calls and tokens per role (or stage) and model; one shared model is named once in the title. A column of
    cached prompt tokens (taken from the server's prefix cache) appears when any server reported some."""
    models = {r.model for r in rows}
    shared = len(models) == 1
    cached = any(r.cached_tokens for r in rows)
    table = Table(title=plain(f"{title}: {models.pop()}" if shared else title), title_justify="left")
    columns = ([key] + ([] if shared else ["model"]) + ["calls", "prompt tokens"] + (["cached"] if cached else [])
               + ["completion tokens"])
    for column in columns:
        numeric = "tokens" in column or column in ("calls", "cached")
        table.add_column(column, justify="right" if numeric else "left", overflow="fold")

    def cells(role: Text, model: str, r: UsageRow) -> list[Text | str]:
        share = [f"{r.cached_tokens / r.prompt_tokens:.0%}" if r.prompt_tokens else "0%"] if cached else []
        return ([role] + ([] if shared else [plain(model)]) + [str(r.calls), f"{r.prompt_tokens:,}"] + share
                + [f"{r.completion_tokens:,}"])

    for r in rows:
        table.add_row(*cells(plain(r.role), r.model, r))
    if rows:
        total = UsageRow("total", "", sum(r.calls for r in rows), sum(r.prompt_tokens for r in rows),
                         sum(r.completion_tokens for r in rows), sum(r.cached_tokens for r in rows))
        table.add_row(*cells(Text("total", style="bold"), "", total))
    console.print(table)


def render_problems(console: Console, problems: list[SpecProblem]) -> None:
    for p in problems:
        console.print(line(f"[red]error[/] {escape(str(p))}"), highlight=False, soft_wrap=True)
    console.print(f"[red]{len(problems)} problem{'s' if len(problems) != 1 else ''} found")


def render_run(console: Console, outcome: RunOutcome) -> None:
    """Rejection rates per critic and per node, warnings, and where the files are."""
    stats = outcome.stats
    table = Table(title=f"Tries: {stats.tries}, accepted {stats.accepted}, rejected {stats.rejected}",
                  title_justify="left")
    for column in ("stage", "reached", "rejected", "rate"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for rate in outcome.stats.stages(critics_on=outcome.critics_on):
        table.add_row(rate.stage.replace("_", " "), str(rate.reached), str(rate.rejected), f"{100 * rate.rate:.0f}%")
    console.print(table)
    worst = [n for n in stats.nodes() if n.rejected][:5]
    if worst:
        console.print("[bold]Most rejected nodes[/]")
        for n in worst:
            console.print(line(f"  {escape(' > '.join(n.path))}: {n.rejected}/{n.tries} ({100 * n.rate:.0f}%)"))
    render_judge(console, outcome.judge)
    for warning in outcome.taxonomy.warnings + outcome.warnings:
        console.print(line(f"[yellow]warning[/] {escape(warning)}"))
    files = outcome.files
    console.print(line(f"[green]wrote[/] {escape(str(files.dataset))} ({files.accepted} datapoints)"
                       + (f", {escape(str(files.parquet))}" if files.parquet else "")
                       + f", {escape(str(files.rejected))} ({files.rejections})"
                       + (f", {escape(str(outcome.card))} (the dataset card)" if outcome.card else "")))
