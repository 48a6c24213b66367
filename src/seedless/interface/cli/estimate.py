"""`seedless estimate SPEC`: expected model calls, tokens and cost per stage and in total, before any call."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from seedless.core.estimate import Assumptions, Estimate, Range
from seedless.engine.commands.estimate import estimate_spec
from seedless.engine.llm.budget import price_for, unmatched_prices
from seedless.interface.cli.generate import one_endpoint
from seedless.interface.render import line, plain, render_problems
from seedless.spec.loader import SpecError, load_spec
from seedless.spec.models import ModelsSettings


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _range(r: Range) -> str:
    return f"{_n(r.low)} / {_n(r.expected)} / {_n(r.high)}"


def _money(r: Range | None) -> str:
    return "-" if r is None else f"{r.low:,.4f} / {r.expected:,.4f} / {r.high:,.4f}"


def _mode(models: ModelsSettings | None, endpoint: str) -> str:
    """"; batch mode ..." for an endpoint in batch mode: the share of the online price and the price used."""
    settings = models.endpoints.get(endpoint) if models is not None else None
    batched = settings.batched if settings is not None else None
    if models is None or batched is None:
        return ""
    price = price_for(models, endpoint)
    used = "" if price is None else (f": {price.input_per_million:g} in / {price.output_per_million:g} out per million "
                                     "tokens")
    return f"; batch mode, at {batched.discount:g} x the online price{used}"


def render_estimate(console: Console, result: Estimate, models: ModelsSettings | None = None) -> None:
    """Expected figures per stage (calls also as a low-high range), then the totals as low / expected / high; with
    `models`, which endpoints run in batch mode and at what price."""
    priced = any(s.site.price is not None for s in result.stages)
    table = Table(title="Expected model calls per call site (seedless stages lists their stages)",
                  title_justify="left")
    width = max([len(s.calls.prompt) for s in result.stages] + [len("call site")])
    table.add_column("call site", no_wrap=True, min_width=width)
    table.add_column("role", overflow="fold")
    for name in ("calls", "low-high", "prompt tok", "compl. tok") + (("cost",) if priced else ()):
        table.add_column(name, justify="right")
    for s in result.stages:
        c = s.calls.calls
        row = [s.calls.prompt, s.calls.role.value, _n(c.expected), f"{_n(c.low)}-{_n(c.high)}",
               _n(s.prompt_tokens.expected), _n(s.completion_tokens.expected)]
        cost = s.cost
        table.add_row(*(row + ["-" if cost is None else f"{cost.expected:,.4f}"] if priced else row))
    calls, prompt, completion = (result.total(w) for w in ("calls", "prompt_tokens", "completion_tokens"))
    total = ["total", "", _n(calls.expected), f"{_n(calls.low)}-{_n(calls.high)}", _n(prompt.expected),
             _n(completion.expected)]
    table.add_row(*(total + [f"{result.total('cost').expected:,.4f}"] if priced else total), style="bold")
    console.print(table)
    console.print(f"total (low / expected / high): calls {_range(calls)}; prompt tokens {_range(prompt)}; "
                  f"completion tokens {_range(completion)}" + (f"; cost {_money(result.total('cost'))}" if priced else ""))
    uses: dict[tuple[str, str], list[str]] = {}
    for s in result.stages:
        roles = uses.setdefault((s.site.endpoint, s.site.model), [])
        if s.calls.role.value not in roles:
            roles.append(s.calls.role.value)
    for (endpoint, model), roles in sorted(uses.items()):
        console.print(plain(f"endpoint {endpoint} ({model}): {', '.join(roles)}{_mode(models, endpoint)}"))
    a = result.assumptions
    console.print(f"assumed: each critic check passes with {a.acceptance:.0%}; replies use {a.completion_fraction:.0%} "
                  "of max_tokens (high: all of it); children per node at the midpoint of min and max; "
                  "high = every try of the attempt bound with every repair. See docs/estimate.md.")
    if not priced:
        console.print("no prices in the spec (models.prices): cost not shown")
    elif result.unpriced:
        console.print(line(f"[yellow]no price for:[/] {escape(', '.join(result.unpriced))} (left out of the cost)"))


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--base-url", help="Estimate for every role on this OpenAI-compatible endpoint.")
@click.option("--model", help="Model name at --base-url.")
@click.option("--acceptance", type=click.FloatRange(0.01, 1.0), default=0.8, show_default=True,
              help="Chance that one critic check passes (scales tries and repairs).")
@click.option("--completion-fraction", type=click.FloatRange(0.01, 1.0), default=0.5, show_default=True,
              help="Share of a role's max_tokens a typical reply uses.")
def estimate(spec: str, base_url: str | None, model: str | None, acceptance: float,
             completion_fraction: float) -> None:
    """Expected model calls, tokens and cost per stage and in total for SPEC; sends no model call."""
    console = Console(stderr=False, highlight=False, emoji=False)
    try:
        loaded = load_spec(spec)
    except SpecError as exc:
        render_problems(console, exc.problems)
        sys.exit(2)
    loaded = one_endpoint(loaded, base_url, model)
    render_estimate(console, estimate_spec(loaded, Assumptions(acceptance, completion_fraction)), loaded.models)
    for key in unmatched_prices(loaded.models):
        console.print(line(f"[yellow]price '{escape(key)}' names no endpoint or model of this spec[/]"))
