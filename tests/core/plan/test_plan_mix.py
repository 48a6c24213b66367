"""Contracts of strategies and mix sampling: seeded, one node per taxonomy, exclusions, weights, coverage budget."""

from __future__ import annotations

from collections import Counter

import pytest

from seedless.core.plan import mix as mix_module
from seedless.core.plan.mix import CoverageBudget, MixError, MixSampler, allows_a_mix, check_mixes
from seedless.core.plan.strategy import Component, Exclusion, Strategy, check_strategies, default_strategy
from seedless.core.taxonomy.tree import Node, Taxonomy, TaxonomySet


def tree() -> TaxonomySet:
    audience = Node("Audience", children=[Node("Children", children=[Node("Toddlers"), Node("Pre-teens")]),
                                          Node("Adults")])
    # Unbalanced on purpose: Light has one leaf, Dark has nine.
    theme = Node("Theme", children=[Node("Light", children=[Node("Friendship")]),
                                    Node("Dark", children=[Node(f"Mature {i}") for i in range(9)])])
    return TaxonomySet([Taxonomy(audience, 2), Taxonomy(theme, 2)])


def sampler(strategies=None, **kw) -> MixSampler:
    taxonomies = tree()
    return MixSampler(taxonomies, strategies or [default_strategy(taxonomies)], seed=kw.pop("seed", 7), **kw)


def test_the_same_seed_and_index_give_the_same_mix_and_indexes_vary():
    a, b = sampler(), sampler()
    assert [a.sample(i) for i in range(50)] == [b.sample(i) for i in range(50)]
    assert len({a.sample(i) for i in range(50)}) > 5
    assert sampler(seed=8).sample(3) != a.sample(3) or sampler(seed=8).sample(4) != a.sample(4)


def test_a_mix_has_one_node_per_taxonomy_of_its_strategy_and_only_leaves_by_default():
    s = sampler()
    leaves = {p for t in tree().taxonomies for p, n in t.root.walk() if not n.children}
    for i in range(200):
        mix = s.sample(i)
        assert [p[0] for p in mix.nodes] == ["Audience", "Theme"]
        assert all(p in leaves for p in mix.nodes)
        assert mix.as_dict()["Theme"][0] == "Theme"


def test_any_level_reaches_inner_nodes_and_leaves_but_never_the_root():
    s = sampler(level="any")
    depths = Counter(len(p) for i in range(400) for p in s.sample(i).nodes)
    assert set(depths) == {2, 3}


def test_balanced_weighting_gives_every_branch_of_a_level_the_same_chance():
    def dark_share(weighting):
        s = sampler(weighting=weighting)
        return sum(s.sample(i).nodes[1][1] == "Dark" for i in range(2000)) / 2000
    assert 0.45 < dark_share("balanced") < 0.55
    assert 0.85 < dark_share("uniform") < 0.95  # nine of ten leaves are under Dark


def test_a_sub_tree_component_draws_only_below_it():
    taxonomies = tree()
    strategy = Strategy("kids", 1, [Component(("Audience", "Children")), Component(("Theme",))])
    s = MixSampler(taxonomies, [strategy], seed=1)
    assert {s.sample(i).nodes[0][:2] for i in range(100)} == {("Audience", "Children")}


def test_excluded_combinations_never_appear():
    kids = Strategy("kids", 1, [Component(("Audience",)), Component(("Theme",))],
                    [Exclusion((("Audience", "Children"), ("Theme", "Dark")), "no dark themes for children")])
    s = sampler([kids], weighting="uniform")
    mixes = [s.sample(i) for i in range(1000)]
    assert not any(m.nodes[0][1] == "Children" and m.nodes[1][1] == "Dark" for m in mixes)
    assert any(m.nodes[0][1] == "Children" for m in mixes) and any(m.nodes[1][1] == "Dark" for m in mixes)


def test_strategies_are_chosen_in_proportion_to_their_weights():
    three = Strategy("three", 3, [Component(("Audience",))])
    one = Strategy("one", 1, [Component(("Theme",))])
    s = sampler([three, one])
    share = sum(s.sample(i).strategy == "three" for i in range(4000)) / 4000
    assert 0.72 < share < 0.78


def test_reachable_mixes_are_counted_exactly_with_exclusions():
    kids = Strategy("kids", 1, [Component(("Audience",)), Component(("Theme",))],
                    [Exclusion((("Audience", "Children"), ("Theme", "Dark")))])
    s = sampler([kids])
    # 3 audience leaves x 10 theme leaves = 30; excluded: 2 children leaves x 9 dark leaves = 18.
    assert s.reachable(kids) == (12, True)
    assert s.reachable(default_strategy(tree())) == (30, True)


def test_huge_spaces_are_estimated_and_flagged(monkeypatch):
    monkeypatch.setattr(mix_module, "ENUMERATE_LIMIT", 3)  # 2 audience groups x 2 theme groups
    kids = Strategy("kids", 1, [Component(("Audience",)), Component(("Theme",))],
                    [Exclusion((("Audience", "Children"), ("Theme", "Dark")))])
    count, exact = sampler([kids]).reachable(kids)
    assert not exact and 10 <= count <= 14


def test_every_combination_excluded_is_a_clear_error():
    never = Strategy("never", 1, [Component(("Audience", "Adults")), Component(("Theme",))],
                     [Exclusion((("Audience", "Adults"), ("Theme",)))])
    with pytest.raises(MixError, match="no allowed mix"):
        sampler([never]).sample(0)


def test_a_strategy_whose_exclusion_covers_its_own_sub_trees_allows_no_mix_named_at_that_exclusion():
    own = Strategy("own", 1, [Component(("Audience", "Children")), Component(("Theme", "Dark"))],
                   [Exclusion((("Audience", "Children", "Toddlers"), ("Theme", "Light"))),
                    Exclusion((("Audience", "Children"), ("Theme", "Dark")))])
    assert not allows_a_mix(own, tree(), "leaves") and not allows_a_mix(own, tree(), "any")
    fine = Strategy("fine", 1, [Component(("Audience",)), Component(("Theme",))])
    (problem,) = check_mixes([fine, own], tree(), "leaves")
    assert (problem.index, problem.at) == (1, ("exclusions", 1))
    assert str(problem) == ("strategy 'own': excludes every mix of the strategy: every leaf it draws lies under "
                            "Audience > Children and Theme > Dark; name narrower nodes, or sample wider taxonomies")


def test_exclusions_that_only_together_allow_no_mix_are_named_together():
    split = Strategy("split", 1, [Component(("Audience",)), Component(("Theme",))],
                     [Exclusion((("Audience", "Children"), ("Theme",))), Exclusion((("Audience", "Adults"), ("Theme",)))])
    (problem,) = check_mixes([split], tree(), "leaves")
    assert (problem.index, problem.at) == (0, ("exclusions",))
    assert check_mixes([Strategy("half", 1, split.components, split.exclusions[:1])], tree(), "leaves") == []


def test_whether_a_mix_is_allowed_depends_on_drawing_leaves_or_any_node():
    # Every leaf of Audience is excluded with every theme, but the inner node Children is not.
    leaves_only = Strategy("leaves only", 1, [Component(("Audience",)), Component(("Theme",))],
                           [Exclusion(((("Audience",) + p), ("Theme",)))
                            for p in [("Children", "Toddlers"), ("Children", "Pre-teens"), ("Adults",)]])
    assert not allows_a_mix(leaves_only, tree(), "leaves")
    assert allows_a_mix(leaves_only, tree(), "any")
    s = sampler([leaves_only], level="any")
    assert s.reachable(leaves_only) == (12, True)  # Children x the 12 theme nodes below the root
    assert {s.sample(i).nodes[0] for i in range(50)} == {("Audience", "Children")}


def test_an_exclusion_naming_a_taxonomy_the_strategy_does_not_sample_never_excludes():
    alone = Strategy("alone", 1, [Component(("Audience",))], [Exclusion((("Audience",), ("Theme",)))])
    assert allows_a_mix(alone, tree(), "leaves") and sampler([alone]).reachable(alone) == (3, True)


def test_a_rare_allowed_mix_is_still_drawn_when_rejection_sampling_gives_up(monkeypatch):
    monkeypatch.setattr(mix_module, "MAX_TRIES", 1)
    rare = Strategy("rare", 1, [Component(("Audience",)), Component(("Theme",))],
                    [Exclusion((("Audience", "Children"), ("Theme",))), Exclusion((("Audience",), ("Theme", "Dark")))])
    s = sampler([rare])
    assert {s.sample(i) for i in range(40)} == {mix_module.Mix("rare", (("Audience", "Adults"),
                                                                        ("Theme", "Light", "Friendship")))}
    assert [sampler([rare]).sample(i) for i in range(10)] == [s.sample(i) for i in range(10)]


def test_a_huge_space_with_few_exclusion_groups_is_counted_exactly():
    wide = TaxonomySet([Taxonomy(Node("A", children=[Node("x", children=[Node(f"x{i}") for i in range(900)]),
                                                     Node("y", children=[Node(f"y{i}") for i in range(100)])]), 2),
                        Taxonomy(Node("B", children=[Node(f"b{i}") for i in range(1000)]), 1)])
    strategy = Strategy("wide", 1, [Component(("A",)), Component(("B",))], [Exclusion((("A", "x"), ("B", "b7")))])
    s = MixSampler(wide, [strategy], seed=0)
    assert s.reachable(strategy) == (1000 * 1000 - 900, True)


@pytest.mark.parametrize("target,expected", [
    (10, "N/V = 10/30 = 0.33: not every combination can appear; at most 33% of the reachable mixes"),
    (30, "N/V = 1: each reachable mix can appear about once"),
    (90, "N/V = 90/30 = 3.0: mixes repeat about 3.0 times"),
])
def test_coverage_budget_says_what_n_over_v_implies(target, expected):
    assert CoverageBudget(target, 30, True).meaning().startswith(expected)


def test_coverage_budget_with_nothing_reachable():
    assert "every combination is excluded" in CoverageBudget(5, 0, True).meaning()


def test_check_strategies_lists_every_problem():
    bad = [Strategy("a", 0, [Component(("Nope",))]),
           Strategy("A", 1, [Component(("Audience",)), Component(("Audience", "Adults"))],
                    [Exclusion((("Theme", "Missing"), ("Audience",)))])]
    problems = [str(p) for p in check_strategies(bad, tree())]
    assert "strategy 'a': weight must be above 0" in problems
    assert "strategy 'a': no taxonomy named 'Nope'" in problems
    assert "strategy 'A': duplicate name" in problems
    assert "strategy 'A': samples one taxonomy twice" in problems
    assert "strategy 'A': exclusion names no node Theme / Missing" in problems
    assert check_strategies([default_strategy(tree())], tree()) == []
    assert [str(p) for p in check_strategies([], tree())] == ["no strategy: at least one is needed"]


@pytest.mark.parametrize("size,fraction", [(10, 0.5), (7, 0.3), (1000, 0.25), (3, 0.0), (3, 1.0)])
def test_complexification_marks_an_exact_seeded_fraction_of_each_block_of_slots(size, fraction):
    from seedless.core.plan.mix import complexified
    first = [complexified(i, size, fraction, seed=5) for i in range(size)]
    second = [complexified(i, size, fraction, seed=5) for i in range(size, 2 * size)]
    assert sum(first) == sum(second) == round(fraction * size)
    assert first == [complexified(i, size, fraction, seed=5) for i in range(size)]
    if 0 < fraction < 1 and size >= 10:
        assert first != [complexified(i, size, fraction, seed=6) for i in range(size)]
