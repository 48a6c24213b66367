"""Typed progress events the engine emits and the interface renders; the library itself never prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CallStarted:
    """A request left for the endpoint (after waiting for a slot in the window)."""

    role: str
    prompt: str


@dataclass(frozen=True)
class CallDone:
    role: str
    prompt: str
    reused: bool
    outcome: str  # ok | invalid | length | error
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0  # what this call cost at the endpoint's price (0 when reused or unpriced)


@dataclass(frozen=True)
class CallRetry:
    reason: str
    delay_s: float


@dataclass(frozen=True)
class LevelStarted:
    factor: str
    level: int  # the level being created (1 = the root's children)
    nodes: int  # nodes to expand


@dataclass(frozen=True)
class NodeExpanded:
    factor: str
    path: tuple[str, ...]
    children: tuple[str, ...]
    failures: tuple[str, ...]


@dataclass(frozen=True)
class GenerationStarted:
    target: int
    accepted: int  # already accepted in the store (a resumed run)


@dataclass(frozen=True)
class DatapointDone:
    """One try at one slot finished: accepted, or rejected at `stage`."""

    slot: int
    attempt: int
    accepted: bool
    stage: str | None


@dataclass(frozen=True)
class Notice:
    message: str
    warning: bool = False


Event = (CallStarted | CallDone | CallRetry | LevelStarted | NodeExpanded | GenerationStarted | DatapointDone
         | Notice)
EventSink = Callable[[Event], None]


def ignore(_: Event) -> None:
    return None
