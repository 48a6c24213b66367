"""Rejection rates per critic (stage) and per taxonomy node, with the warnings a high rate deserves."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from seedless.core.taxonomy.tree import Path

CRITICS = ("requirements", "double_critic")
WARN_CRITIC = 0.5  # the paper's hardest set (LEXam) rejected 61%; easy sets 2-9%
WARN_NODE = 0.6
MIN_NODE_TRIES = 3


@dataclass(frozen=True)
class StageRate:
    stage: str
    reached: int
    rejected: int

    @property
    def rate(self) -> float:
        return self.rejected / self.reached if self.reached else 0.0


@dataclass(frozen=True)
class NodeRate:
    path: Path
    tries: int
    rejected: int

    @property
    def rate(self) -> float:
        return self.rejected / self.tries if self.tries else 0.0


@dataclass
class RejectionStats:
    """Fed one try at a time (streamed); a try rejected at stage X reached every stage before X. `order` is the
    datapoint steps' order (the step registry's); a stage seen but not in it is listed after."""

    order: tuple[str, ...] = ()
    tries: int = 0
    accepted: int = 0
    rejected_at: Counter[str] = field(default_factory=Counter)
    complexified: int = 0
    rejected_complexified_early: int = 0  # complexified tries rejected at the meta-prompt stage
    node_tries: Counter[Path] = field(default_factory=Counter)
    node_rejected: Counter[Path] = field(default_factory=Counter)

    def add(self, nodes: tuple[Path, ...], complexify: bool, accepted: bool, stage: str | None) -> None:
        self.tries += 1
        self.accepted += accepted
        if complexify:
            self.complexified += 1
            self.rejected_complexified_early += stage == "meta_prompt"
        if not accepted and stage is not None:
            self.rejected_at[stage] += 1
        for path in nodes:
            self.node_tries[path] += 1
            self.node_rejected[path] += not accepted

    @property
    def rejected(self) -> int:
        return self.tries - self.accepted

    def stages(self, *, critics_on: dict[str, bool] | None = None) -> list[StageRate]:
        """Rates per stage; a stage that is off (critics_on[stage] False) is left out."""
        out = []
        remaining = self.tries
        for stage in (*self.order, *sorted(set(self.rejected_at) - set(self.order))):
            reached = remaining
            if stage == "complexify":
                reached = self.complexified - self.rejected_complexified_early
            if critics_on is None or critics_on.get(stage, True):
                out.append(StageRate(stage, reached, self.rejected_at[stage]))
            remaining -= self.rejected_at[stage]
        return out

    def nodes(self, minimum: int = MIN_NODE_TRIES) -> list[NodeRate]:
        """Nodes tried at least `minimum` times, highest rejection rate first."""
        rates = [NodeRate(p, n, self.node_rejected[p]) for p, n in self.node_tries.items() if n >= minimum]
        return sorted(rates, key=lambda r: (-r.rate, -r.tries, r.path))

    def warnings(self, *, critics_on: dict[str, bool] | None = None) -> list[str]:
        out = []
        for s in self.stages(critics_on=critics_on):
            if s.stage in CRITICS and s.reached >= MIN_NODE_TRIES and s.rate > WARN_CRITIC:
                name = "requirement critic" if s.stage == "requirements" else "double critic"
                out.append(f"the {name} rejected {100 * s.rate:.0f}% of "
                           f"{s.reached} datapoints: the generator may be out of its depth for this dataset "
                           "(try a stronger generator, or simpler requirements)")
        hard = [n for n in self.nodes() if n.rate >= WARN_NODE]
        if hard:
            shown = ", ".join(f"{' > '.join(n.path)} ({100 * n.rate:.0f}% of {n.tries})" for n in hard[:5])
            out.append(f"{len(hard)} taxonomy node(s) reject at least {100 * WARN_NODE:.0f}% of tries: {shown}")
        return out
