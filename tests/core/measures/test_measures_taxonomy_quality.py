"""Contracts of taxonomy quality: completeness, soundness and novelty from per-node labels against an expert taxonomy."""

from __future__ import annotations

import pytest

from seedless.core.measures.taxonomy_quality import NodeJudgement, NodeLabel, taxonomy_quality


def judged() -> list[NodeJudgement]:
    return [
        NodeJudgement(("Cats", "House cat"), NodeLabel.GOOD_SHARED, ("Cats", "Domestic")),
        NodeJudgement(("Cats", "Pet cat"), NodeLabel.GOOD_SHARED, ("cats", "domestic")),  # same expert node
        NodeJudgement(("Cats", "Lion"), NodeLabel.GOOD_SHARED, ("Cats", "Big cats")),
        NodeJudgement(("Cats", "Cartoon cat"), NodeLabel.GOOD_NEW),
        NodeJudgement(("Cats", "Kitty"), NodeLabel.REDUNDANT),
        NodeJudgement(("Cats", "Dog"), NodeLabel.BAD),
    ]


def test_completeness_soundness_and_novelty_follow_the_labels():
    quality = taxonomy_quality(judged(), expert_nodes=4)
    # completeness: expert nodes matched {Domestic, Big cats} = 2 of 4 -> 0.5
    # soundness: good = 3 shared + 1 new = 4 of 6 generated -> 0.6667
    # novelty: good_new 1 / 4 expert nodes -> 0.25
    assert quality.completeness == 0.5
    assert quality.soundness == pytest.approx(4 / 6)
    assert quality.novelty == 0.25
    assert quality.matched_expert == [("Cats", "Domestic"), ("Cats", "Big cats")]


def test_every_judgement_is_kept_with_its_label():
    quality = taxonomy_quality(judged(), expert_nodes=4)
    assert quality.judgements == judged()
    assert [quality.count(label) for label in NodeLabel] == [3, 1, 1, 1]


def test_novelty_can_exceed_one_and_no_generated_node_gives_zero_soundness():
    new = [NodeJudgement(("T", f"n{i}"), NodeLabel.GOOD_NEW) for i in range(3)]
    # 3 good_new / 2 expert nodes = 1.5; nothing shared -> completeness 0
    quality = taxonomy_quality(new, expert_nodes=2)
    assert (quality.completeness, quality.soundness, quality.novelty) == (0.0, 1.0, 1.5)
    assert taxonomy_quality([], expert_nodes=2).soundness == 0.0


def test_a_shared_label_without_an_expert_node_or_an_empty_expert_taxonomy_is_refused():
    with pytest.raises(ValueError, match="names no expert node"):
        NodeJudgement(("T", "x"), NodeLabel.GOOD_SHARED)
    with pytest.raises(ValueError, match="at least one node"):
        taxonomy_quality(judged(), expert_nodes=0)
    with pytest.raises(ValueError, match="distinct expert nodes"):
        taxonomy_quality(judged(), expert_nodes=1)


def test_labels_read_from_their_string_names():
    assert NodeJudgement(("T", "x"), "good_new").label is NodeLabel.GOOD_NEW  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        NodeJudgement(("T", "x"), "fine")  # type: ignore[arg-type]
