"""Critic effectiveness: acceptance of correct items (p) and of corrupted copies (q), and the accuracy a filter with them yields."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Filtering:
    """What filtering a generator of accuracy `mu` through the critic gives; None where undefined.

    accepted = mu*p + (1-mu)*q; accuracy = mu*p / accepted; lift = accuracy - mu.
    """

    mu: float
    accepted: float | None
    accuracy: float | None
    lift: float | None


@dataclass(frozen=True)
class CriticEffect:
    """Verdict counts on correct items and on their corrupted copies (True = the critic accepted)."""

    correct: int
    correct_accepted: int
    corrupted: int
    corrupted_accepted: int

    @property
    def p(self) -> float | None:
        """Acceptance rate of correct items; None with no correct item."""
        return self.correct_accepted / self.correct if self.correct else None

    @property
    def q(self) -> float | None:
        """Acceptance rate of corrupted items; None with no corrupted item."""
        return self.corrupted_accepted / self.corrupted if self.corrupted else None

    @property
    def rejection_rate(self) -> float | None:
        """Rejected share over correct and corrupted items together; None with no item at all."""
        total = self.correct + self.corrupted
        return (total - self.correct_accepted - self.corrupted_accepted) / total if total else None

    @property
    def separates(self) -> bool | None:
        """p > q: the condition under which filtering raises accuracy for any 0 < mu < 1."""
        p, q = self.p, self.q
        return None if p is None or q is None else p > q

    def filtering(self, mu: float) -> Filtering:
        """Accepted fraction, accuracy after filtering and lift for generator accuracy `mu` in [0, 1].

        All three are None when p or q is unknown; accuracy and lift are None when nothing would be
        accepted (accepted == 0).
        """
        if not 0.0 <= mu <= 1.0:
            raise ValueError(f"mu must lie in [0, 1], got {mu}")
        p, q = self.p, self.q
        if p is None or q is None:
            return Filtering(mu, None, None, None)
        accepted = mu * p + (1.0 - mu) * q
        if accepted == 0:
            return Filtering(mu, 0.0, None, None)
        accuracy = mu * p / accepted
        return Filtering(mu, accepted, accuracy, accuracy - mu)


def critic_effect(correct: Sequence[bool], corrupted: Sequence[bool]) -> CriticEffect:
    """Counts the critic's acceptances on correct items and on corrupted copies (each bool: accepted).

    For the double critic an item is accepted when "is it correct?" is yes and "is it incorrect?"
    is no; the caller combines the two answers.
    """
    return CriticEffect(len(correct), sum(1 for v in correct if v), len(corrupted), sum(1 for v in corrupted if v))
