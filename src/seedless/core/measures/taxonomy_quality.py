"""Taxonomy quality against an expert taxonomy: completeness, soundness and novelty from per-node critic labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from seedless.core.taxonomy.tree import Path, name_key


class NodeLabel(StrEnum):
    """A critic's label for one generated node."""

    GOOD_SHARED = "good_shared"  # good, and matches a node of the expert taxonomy
    GOOD_NEW = "good_new"  # good, and absent from the expert taxonomy
    REDUNDANT = "redundant"  # repeats another generated node
    BAD = "bad"  # wrong, vague or out of scope


GOOD = (NodeLabel.GOOD_SHARED, NodeLabel.GOOD_NEW)


@dataclass(frozen=True)
class NodeJudgement:
    """One generated node's label; `expert` is the expert node it matches, required for good_shared only."""

    path: Path
    label: NodeLabel
    expert: Path | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", NodeLabel(self.label))  # accepts the label's string name
        if self.label is NodeLabel.GOOD_SHARED and not self.expert:
            raise ValueError(f"{'/'.join(self.path)} is good_shared but names no expert node")


@dataclass(frozen=True)
class TaxonomyQuality:
    """Completeness, soundness and novelty, with every judgement and the expert nodes matched."""

    expert_nodes: int
    judgements: list[NodeJudgement]
    matched_expert: list[Path]  # distinct expert nodes matched by a good_shared node, first-seen order
    completeness: float
    soundness: float
    novelty: float

    def count(self, label: NodeLabel) -> int:
        return sum(1 for j in self.judgements if j.label is label)


def taxonomy_quality(judgements: Sequence[NodeJudgement], expert_nodes: int) -> TaxonomyQuality:
    """Scores a generated taxonomy from its per-node labels and the expert taxonomy's node count.

    completeness = |distinct expert nodes matched by a good_shared node| / expert_nodes;
    soundness = (good_shared + good_new) / generated nodes (0.0 with no generated node);
    novelty = good_new / expert_nodes (may exceed 1). Expert nodes are told apart by their path,
    compared case- and spacing-insensitively; several generated nodes matching one expert node
    count once for completeness.
    """
    if expert_nodes < 1:
        raise ValueError("the expert taxonomy must have at least one node")
    matched: dict[tuple[str, ...], Path] = {}
    for j in judgements:
        if j.label is NodeLabel.GOOD_SHARED and j.expert:
            matched.setdefault(tuple(name_key(n) for n in j.expert), j.expert)
    if len(matched) > expert_nodes:
        raise ValueError(f"{len(matched)} distinct expert nodes matched but the expert taxonomy has {expert_nodes}")
    good = sum(1 for j in judgements if j.label in GOOD)
    new = sum(1 for j in judgements if j.label is NodeLabel.GOOD_NEW)
    return TaxonomyQuality(
        expert_nodes=expert_nodes,
        judgements=list(judgements),
        matched_expert=list(matched.values()),
        completeness=len(matched) / expert_nodes,
        soundness=good / len(judgements) if judgements else 0.0,
        novelty=new / expert_nodes,
    )
