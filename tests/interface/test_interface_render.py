"""Rendering never lets user or model text act as rich markup or emoji codes: names are shown as written."""

from __future__ import annotations

import io

from rich.console import Console

from seedless.core.measures.report import FactorQualityPart, TaxonomyQualitySection
from seedless.core.estimate import Assumptions
from seedless.core.taxonomy.tree import Node, Taxonomy, TaxonomySet
from seedless.engine.commands.estimate import estimate_spec
from seedless.engine.events import LevelStarted, NodeExpanded, Notice
from seedless.engine.store.calls import UsageRow
from seedless.interface.cli.estimate import render_estimate
from seedless.interface.cli.evaluate import render_taxonomy_quality
from seedless.interface.progress import ProgressView
from seedless.interface.render import render_problems, render_taxonomies, render_usage
from seedless.spec import parse_spec
from seedless.spec.loader import SpecProblem

NAME = "Cats :smile: [red]x[/red] [bold]"


def console() -> tuple[Console, io.StringIO]:
    """A console as rich makes it by default (markup and emoji on), writing plain text."""
    out = io.StringIO()
    return Console(file=out, width=200, color_system=None, highlight=False), out


def test_a_node_name_with_markup_and_an_emoji_code_renders_literally_in_the_tree_and_the_summary():
    tset = TaxonomySet([Taxonomy(Node(NAME, "", [Node(NAME + " child", "", [Node(":cat: [/]")])]), 2)])
    c, out = console()
    render_taxonomies(c, tset)
    render_taxonomies(c, tset, summary=True)
    text = out.getvalue()
    assert text.count(NAME + " (depth 2") == 2 and NAME + " child" in text and ":cat: [/]" in text
    assert "\N{SMILING FACE WITH OPEN MOUTH AND SMILING EYES}" not in text and "\N{CAT FACE}" not in text


def test_a_notice_a_failure_and_a_progress_bar_with_model_text_render_literally():
    c, out = console()
    with ProgressView(c) as view:
        view(LevelStarted(NAME, 1, 1))
        view(NodeExpanded(NAME, (NAME,), (), ("proposal 1: call failed: [b]oops :fire:",)))
        view(Notice(f"edit: renamed '{NAME}'", warning=True))
        view(Notice("plain [link=x]info[/link] :rocket:"))
    text = out.getvalue()
    assert f"edit: renamed '{NAME}'" in text and "plain [link=x]info[/link] :rocket:" in text
    assert f"! {NAME}: proposal 1: call failed: [b]oops :fire:" in text
    assert f"{NAME} - level 1" in text


def test_usage_tables_and_problems_show_model_names_and_messages_as_written():
    c, out = console()
    render_usage(c, "Calls", [UsageRow("taxonomy_proposer", "openai:m:ok:[i]", 1, 2, 3)])
    render_usage(c, "Calls", [UsageRow("a", "openai:x", 1, 2, 3), UsageRow("b", "openai:[u]y:ok:", 1, 2, 3)])
    render_problems(c, [SpecProblem("t[x].yaml", 3, "factors[0].name", "duplicate factor ':ok: [red]'")])
    text = out.getvalue()
    assert "openai:m:ok:[i]" in text and "openai:[u]y:ok:" in text
    assert "t[x].yaml:3: factors[0].name: duplicate factor ':ok: [red]'" in text
    assert "cached" not in text  # no server reported cached tokens: no column


def test_usage_table_shows_the_cached_share_of_prompt_tokens_when_a_server_reports_it():
    c, out = console()
    render_usage(c, "Calls", [UsageRow("judge", "m", 2, 1000, 30, 750), UsageRow("critic", "m", 1, 1000, 9, 0)])
    text = out.getvalue()
    assert "cached" in text and "75%" in text and "0%" in text and "38%" in text  # total: 750 of 2,000


def test_eval_and_estimate_reports_show_names_as_written():
    c, out = console()
    render_taxonomy_quality(c, TaxonomyQualitySection(
        generated="gen:ok:.yaml", expert="[b]expert.yaml", completeness=0.5, soundness=0.5, novelty=0.0,
        expert_nodes=3, counts={}, unmatched_generated_factors=[NAME], unmatched_expert_factors=[],
        factors=[FactorQualityPart(factor=NAME, expert_factor=NAME, expert_nodes=3, generated_nodes=2,
                                   completeness=0.5, soundness=0.5, novelty=0.0, counts={}, nodes=[],
                                   expert_unmatched=[], unlabelled=[["a"]], batches=1, failures=[])]))
    spec = parse_spec("description: Word problems in arithmetic.\nfactors: [{name: T}]\nmodels:\n  endpoints: {':ok:[b]': {kind: fake}}\n"
                      "  default: ':ok:[b]'\n")
    render_estimate(c, estimate_spec(spec, Assumptions(0.8, 0.5)))
    text = out.getvalue()
    assert "of gen:ok:.yaml against [b]expert.yaml" in text and f"generated factor {NAME} has no" in text
    assert f"1 node(s) of {NAME} got no label" in text and text.count(NAME) == 3  # and in the table
    assert "endpoint :ok:[b] (fake:fake)" in text
    assert "\N{SQUARED OK}" not in text
