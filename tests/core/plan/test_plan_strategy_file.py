"""Contracts of strategies.yaml: round trip, 'Factor > Node' paths, every problem reported with its line."""

from __future__ import annotations

import pytest

from seedless.core.plan.strategy import Component, Exclusion, Strategy
from seedless.core.plan.strategy_file import StrategyFileError, dump_strategies, parse_path, parse_strategies

STRATEGIES = [
    Strategy("kids", 2.0, [Component(("Audience", "Children")), Component(("Theme",))],
             [Exclusion((("Audience", "Children"), ("Theme", "Dark")), "no dark themes for children")],
             "Stories for young readers."),
    Strategy("everyone", 1.0, [Component(("Audience",)), Component(("Theme",))]),
]


def test_strategies_round_trip_through_the_file():
    text = dump_strategies(STRATEGIES)
    assert "- Audience > Children" in text
    assert parse_strategies(text) == STRATEGIES


def test_paths_are_written_with_arrows_and_read_tolerantly():
    assert parse_path("Audience >Children >  Toddlers") == ("Audience", "Children", "Toddlers")


def test_every_problem_is_reported_with_its_line():
    text = """strategies:
- name: kids
  weight: -1
  colour: red
  taxonomies: Audience
  exclusions:
  - nodes: [Audience > Children]
- weight: 1
  taxonomies: [Theme]
- name: kids
  taxonomies: [Theme]
"""
    with pytest.raises(StrategyFileError) as err:
        parse_strategies(text, "s.yaml")
    lines = sorted(str(p) for p in err.value.problems)
    assert lines == sorted([
        "s.yaml:3: strategies[0].weight: weight is a number above 0",
        "s.yaml:4: strategies[0].colour: unknown key (a strategy has description, exclusions, name, taxonomies, "
        "weight)",
        "s.yaml:5: strategies[0].taxonomies: expected a list of taxonomy paths such as 'Factor > Node'",
        "s.yaml:7: strategies[0].exclusions[0].nodes: an exclusion names at least two nodes",
        "s.yaml:8: strategies[1]: a strategy needs name",
        "s.yaml:10: strategies[2].name: duplicate strategy 'kids'",
    ])


def test_a_file_without_a_strategies_list_is_an_error():
    with pytest.raises(StrategyFileError, match="a list of strategies is required"):
        parse_strategies("other: 1\n")


def test_problems_found_after_reading_are_placed_at_their_lines():
    from seedless.core.plan.strategy import StrategyProblem
    from seedless.core.plan.strategy_file import file_problems

    text = dump_strategies(STRATEGIES)
    lines = text.splitlines()
    error = file_problems([StrategyProblem(0, "kids", ("exclusions", 0), "excludes every mix"),
                           StrategyProblem(1, "everyone", ("taxonomies", 1), "no node Theme"),
                           StrategyProblem(None, "", (), "no strategy")], text, "s.yaml")
    assert isinstance(error, StrategyFileError)
    assert [str(p) for p in error.problems] == [
        f"s.yaml:{lines.index('  - nodes:') + 1}: strategies[0].exclusions[0]: excludes every mix",
        f"s.yaml:{len(lines)}: strategies[1].taxonomies[1]: no node Theme",
        f"s.yaml:{lines.index('strategies:') + 1}: strategies: no strategy",
    ]
