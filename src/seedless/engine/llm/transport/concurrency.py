"""Adaptive concurrency for one endpoint: slow start (the limit grows with each answer that comes back at its usual
speed while demand fills it), additive increase after it, multiplicative decrease on rate limits and on queueing
(latency above its baseline with no gain in throughput). Pure logic with an injected clock; the limiter feeds it
outcomes and reads `limit`."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import fmean, median


@dataclass(frozen=True)
class ControlSettings:
    """The controller's constants (docs/performance.md explains each)."""

    ceiling: int  # never more requests in flight than this (the endpoint's max_concurrency)
    start: int = 16  # the first limit; until the first decrease (slow start) each healthy answer adds `growth`
    growth: float = 1.0  # per healthy answer in slow start: 1 doubles the limit every round trip
    slow_start: bool = True  # off when starting from a limit learned after a decrease (additive increase only)
    floor: int = 1
    tolerance: float = 0.15  # a round's mean latency up to 15% above baseline is not queueing
    sure_queue: float = 1.5  # above this ratio one round is enough; between, two rounds in a row
    step: float = 0.05  # additive increase per healthy round after slow start: max(1, step * limit)
    backoff: float = 0.5  # multiplicative decrease on a rate limit
    rate_limit_share: float = 0.25  # share of 429/503 answers in a round (and at least 2) that means a real
    # limit; fewer are noise that each request absorbs by waiting out its own Retry-After
    batching_gain: float = 0.5  # throughput rising at least half as fast as the limit: the server batches
    min_round: int = 8  # outcomes per round at least; a round is otherwise one limit's worth of outcomes
    latency_floor: float = 0.05  # seconds: baselines below it count as this, so sub-50 ms jitter is not queueing


@dataclass(frozen=True)
class Learned:
    """An endpoint's limit at the end of a command, kept in the run's store."""

    limit: int
    slow_start: bool


@dataclass
class _Round:
    latencies: list[tuple[str, float]] = field(default_factory=list)
    rate_limited: int = 0
    failed: int = 0
    saturated: bool = False  # demand reached the limit at some point in the round
    size: int = 8  # outcomes that end the round: the limit's worth when it began (at least min_round)
    limit: float = 0.0  # the limit when the round began

    @property
    def outcomes(self) -> int:
        return len(self.latencies) + self.rate_limited + self.failed


class Controller:
    """Outcomes are counted per round, only from requests started since the last decrease (their `ticket` equals
    `epoch`), so a decision never rests on requests that queued under an older, larger limit. An increase keeps
    the epoch: the requests in flight then ran under less load, and waiting for a fresh set would make each slow
    start step take two round trips instead of one."""

    def __init__(self, settings: ControlSettings, clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self.clock = clock
        self.limit = float(max(settings.floor, min(settings.ceiling, settings.start)))
        self.epoch = 0
        self.slow_start = settings.slow_start
        self.decisions: list[str] = []  # the last decisions, newest last (for tests and the run log)
        self._baseline: dict[str, float] = {}  # call site -> lowest round-median latency seen
        self._previous: tuple[float, float] | None = None  # (limit, success rate) of the last round
        self._round = self._new_round()
        self._full = False  # the last demand seen filled the limit
        self._finished: deque[float] = deque(maxlen=100_000)  # when each success came back (any ticket)
        self._origin = clock()
        self._strikes = 0  # rounds in a row with latency above tolerance

    @property
    def allowed(self) -> int:
        return max(self.settings.floor, int(self.limit))

    def learned(self) -> Learned | None:
        """Where the limit stands once at least one round was decided (None before): where the next command on
        this endpoint may start."""
        return Learned(self.allowed, self.slow_start) if self.decisions else None

    def _new_round(self) -> _Round:
        return _Round(size=max(self.settings.min_round, math.ceil(self.limit)), limit=self.limit)

    def demand(self, in_flight: int, waiting: int) -> None:
        """Requests in flight and waiting now: the round is saturated when demand reaches the limit."""
        self._full = in_flight + waiting >= self.allowed
        if self._full:
            self._round.saturated = True

    def succeeded(self, ticket: int, site: str, latency: float) -> None:
        self._finished.append(self.clock())
        if ticket == self.epoch:
            self._round.latencies.append((site, latency))
            if self.slow_start and self._full and self._usual(site, latency):
                self.limit = min(float(self.settings.ceiling), self.limit + self.settings.growth)
            self._maybe_decide()

    def _usual(self, site: str, latency: float) -> bool:
        """An answer at its site's usual speed (within the tolerance of the baseline; any, before one exists)."""
        base = self._baseline.get(site)
        return base is None or latency <= (1 + self.settings.tolerance) * max(base, self.settings.latency_floor)

    def rate_limited(self, ticket: int) -> None:
        if ticket == self.epoch:
            self._round.rate_limited += 1
            self._maybe_decide()

    def failed(self, ticket: int) -> None:
        """A transport failure: counted in the round's size, not a signal by itself."""
        if ticket == self.epoch:
            self._round.failed += 1
            self._maybe_decide()

    def _maybe_decide(self) -> None:
        if self._round.outcomes >= self._round.size:
            self._decide()

    def _queueing(self, rnd: _Round) -> float | None:
        """Mean of latency / the site's baseline over the round (the mean, since a queue shows first in the
        slowest answers); None before any baseline exists. Baselines are each site's lowest round mean."""
        floor = self.settings.latency_floor
        ratios = [lat / max(self._baseline[site], floor) for site, lat in rnd.latencies if site in self._baseline]
        by_site: dict[str, list[float]] = {}
        for site, lat in rnd.latencies:
            by_site.setdefault(site, []).append(lat)
        for site, values in by_site.items():
            if len(values) >= 3:
                mean = fmean(values)
                self._baseline[site] = min(self._baseline.get(site, mean), mean)
        return fmean(ratios) if ratios else None

    def _throughput(self, now: float, latencies: list[float]) -> float:
        """Successes per second over the last two typical latencies: long enough to smooth out answers that
        come back in bursts (servers finish a batch together)."""
        span = min(2 * median(latencies) if latencies else 1.0, now - self._origin)
        while self._finished and self._finished[0] < now - span:
            self._finished.popleft()
        return len(self._finished) / max(span, 1e-9)

    def _decide(self) -> None:
        s, rnd, now = self.settings, self._round, self.clock()
        rate = self._throughput(now, [lat for _, lat in rnd.latencies])
        ratio = self._queueing(rnd)
        old = rnd.limit  # a decrease starts from the limit the round ran under, not what slow start added since
        if rnd.rate_limited >= max(2.0, s.rate_limit_share * rnd.outcomes):
            decision = "decrease: rate limited"
            self.limit = max(s.floor, old * s.backoff)
            self.slow_start = False
        elif ratio is not None and ratio > 1 + s.tolerance and not self._batching(rate):
            self._strikes += 1  # one slow round may be a pause on our side; two in a row, or a big rise, is a queue
            if self._strikes >= 2 or ratio > s.sure_queue:
                decision = f"decrease: latency x{ratio:.2f}"
                self.limit = max(s.floor, old * max(s.backoff, (1 + s.tolerance / 2) / ratio))
                self.slow_start = False
                self._strikes = 0
            else:
                decision = f"hold: latency x{ratio:.2f}"
        elif rnd.saturated and old < s.ceiling:
            self._strikes = 0
            decision = "increase"
            if not self.slow_start:  # slow start grew with each usual answer already
                self.limit = min(float(s.ceiling), old + max(1.0, s.step * old))
        else:
            self._strikes = 0
            decision = "increase" if self.limit > old else "hold"
        self.decisions = (self.decisions + [decision])[-32:]
        self._previous = (old, rate)
        if self.limit < old:
            self.epoch += 1
        self._round = self._new_round()

    def _batching(self, rate: float) -> bool:
        """Did the last increase buy throughput? Then rising latency is batching, not a queue."""
        if self._previous is None:
            return False
        before_limit, before_rate = self._previous
        if self.limit <= before_limit * 1.02 or before_rate <= 0:
            return False
        gain = (rate / before_rate - 1) / (self.limit / before_limit - 1)
        return gain >= self.settings.batching_gain
