"""The slot plan: every datapoint slot's stream (complexified or plain) and how many accepted datapoints each needs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count

from seedless.core.plan.mix import complexified

BLOCK = 100  # complexification flags are drawn per block of this many slots, independent of the target size


@dataclass(frozen=True)
class SlotPlan:
    """Slot s has mix `MixSampler.sample(s)` and flag `complexified(s)`. Slots form two streams by flag; the
    dataset is the first `targets()[flag]` accepted slots of each stream, in slot order. So the accepted
    dataset holds exactly round(c * size) complexified datapoints whatever the critics reject, and does not
    depend on the order in which concurrent slots finish."""

    size: int
    fraction: float
    seed: int

    @property
    def per_block(self) -> int:
        """Complexified slots per block; at least one when c > 0 and one plain slot when c < 1, so a stream
        that needs datapoints always has slots."""
        k = round(self.fraction * BLOCK)
        if self.fraction > 0:
            k = max(k, 1)
        if self.fraction < 1:
            k = min(k, BLOCK - 1)
        return k

    def complexified(self, slot: int) -> bool:
        return complexified(slot, BLOCK, self.per_block / BLOCK, self.seed)

    def targets(self) -> dict[bool, int]:
        harder = round(self.fraction * self.size)
        return {True: harder, False: self.size - harder}

    def stream(self, flag: bool) -> Iterator[int]:
        """The slots of one stream, in order (endless)."""
        return (s for s in count() if self.complexified(s) == flag)
