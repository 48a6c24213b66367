"""The `seedless` command line, one module per command group: generate (init, validate, taxonomy, plan, run,
stages), export, evaluate (eval, split), estimate."""

from __future__ import annotations

import click

from seedless.interface.cli.compare import compare_command
from seedless.interface.cli.estimate import estimate
from seedless.interface.cli.evaluate import eval_command, split_command
from seedless.interface.cli.export import export
from seedless.interface.cli.generate import EXAMPLE, init, plan, run, stages, taxonomy, validate
from seedless.interface.cli.report import report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="seedless")
def main() -> None:
    """seedless: describe a dataset in plain language; get taxonomies of its domain, then the data.

    Runs on the embedded model by default; `seedless taxonomy SPEC --out DIR --base-url URL --model NAME`
    points every role at any OpenAI-compatible server instead."""


for command in (init, validate, estimate, taxonomy, plan, run, export, eval_command, split_command, stages):
    main.add_command(command)
main.add_command(report)
main.add_command(compare_command)

__all__ = ["EXAMPLE", "main"]
