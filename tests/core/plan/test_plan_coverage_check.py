"""Contracts of the coverage check: factors no strategy samples, first-level nodes exclusions make unreachable
(as a small strategist made 'Subtraction' unreachable), and V far below the default's."""

from __future__ import annotations

from seedless.core.plan.coverage_check import coverage_gap
from seedless.core.plan.strategy import Component, Exclusion, Strategy, default_strategy
from seedless.core.taxonomy.tree import Node, Taxonomy, TaxonomySet


def tree() -> TaxonomySet:
    topic = Node("Topic", children=[Node("Addition", children=[Node("Sums"), Node("Carrying")]),
                                    Node("Subtraction", children=[Node("Borrowing"), Node("Differences")])])
    setting = Node("Setting", children=[Node("Shop"), Node("School")])
    return TaxonomySet([Taxonomy(topic, 2), Taxonomy(setting, 1)])


def test_the_default_strategy_leaves_no_gap():
    taxonomies = tree()
    gap = coverage_gap([default_strategy(taxonomies)], taxonomies, 20, seed=0)
    assert not gap.short and gap.unreached_nodes == () and gap.reachable == 8


def test_exclusions_that_shut_out_a_first_level_node_everywhere_are_a_gap_named_in_the_reasons():
    taxonomies = tree()
    shut = [Exclusion((("Topic", "Subtraction"), ("Setting", s)), "") for s in ("Shop", "School")]
    strategy = Strategy("sums only", 1, [Component(("Topic",)), Component(("Setting",))], shut)
    gap = coverage_gap([strategy], taxonomies, 20, seed=0)
    assert gap.short and gap.unreached_nodes == ("Topic > Subtraction",)
    assert "no mix reaches 'Topic > Subtraction'" in gap.reasons()


def test_a_strategy_that_confines_a_factor_to_a_sub_tree_on_purpose_is_not_a_node_gap():
    taxonomies = tree()
    strategy = Strategy("addition", 1, [Component(("Topic", "Addition")), Component(("Setting",))])
    gap = coverage_gap([strategy, default_strategy(taxonomies)], taxonomies, 20, seed=0)
    assert gap.unreached_nodes == ()
    alone = coverage_gap([strategy], taxonomies, 4, seed=0)
    assert alone.unreached_nodes == () and not alone.short
