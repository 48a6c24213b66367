"""Contracts of the adaptive concurrency controller, on a fake clock: slow start, additive increase, decrease on
rate limits and on queueing, batching told apart from queueing, stale outcomes ignored; and two simulated servers
(one that queues beyond 16 slots, one without a limit) driven to their steady state."""

from __future__ import annotations

import heapq
from statistics import median

from seedless.engine.llm.transport.concurrency import ControlSettings, Controller


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def controller(**kw) -> tuple[Controller, Clock]:
    clock = Clock()
    kw.setdefault("ceiling", 256)
    return Controller(ControlSettings(**kw), clock), clock


def round_of(c: Controller, clock: Clock, latency: float, *, n: int | None = None, limited: int = 0,
             saturated: bool = True, site: str = "generate", seconds: float = 0.5) -> str:
    """One round of outcomes under the current limit; returns the decision it led to."""
    n = n if n is not None else max(c.settings.min_round, int(c.limit))
    ticket = c.epoch
    before = len(c.decisions)
    if saturated:
        c.demand(c.allowed, 1)
    clock.now += seconds
    for _ in range(limited):
        c.rate_limited(ticket)
    for _ in range(n - limited):
        c.succeeded(ticket, site, latency)
    assert len(c.decisions) == before + 1, "the round should have ended in one decision"
    return c.decisions[-1]


def test_slow_start_doubles_the_limit_each_saturated_round_up_to_the_ceiling():
    c, clock = controller(start=16, ceiling=100)
    limits = []
    for _ in range(3):
        assert round_of(c, clock, 0.5) == "increase"
        limits.append(c.allowed)
    assert limits == [32, 64, 100]
    assert round_of(c, clock, 0.5) == "hold"  # at the ceiling


def test_no_increase_while_demand_stays_below_the_limit():
    c, clock = controller(start=16)
    assert round_of(c, clock, 0.5, saturated=False) == "hold"
    assert c.allowed == 16


def test_a_rate_limited_round_halves_the_limit_and_ends_slow_start():
    c, clock = controller(start=64)
    assert round_of(c, clock, 0.5, limited=32) == "decrease: rate limited"
    assert c.allowed == 32 and not c.slow_start
    assert round_of(c, clock, 0.5) == "increase"  # additive now: max(1, 5% of the limit)
    assert c.allowed == 33


def test_sporadic_429s_below_the_share_leave_the_limit_alone():
    c, clock = controller(start=64, ceiling=64)
    for _ in range(5):
        round_of(c, clock, 0.5, limited=3)  # 3 of 64: noise each request absorbs by its own Retry-After
    assert c.allowed == 64
    assert all(d == "hold" for d in c.decisions)


def test_a_single_429_in_a_small_round_is_not_a_rate_limit():
    c, clock = controller(start=4)
    assert round_of(c, clock, 0.5, limited=1) == "increase"  # 1 of 8 is below the minimum of 2


def test_latency_rising_without_more_throughput_is_queueing_and_shrinks_the_limit():
    c, clock = controller(start=16)
    round_of(c, clock, 0.5)  # baseline 0.5 s; the limit doubles to 32
    assert c.allowed == 32
    decision = round_of(c, clock, 1.0, seconds=1.0)  # twice the latency, the same 16/s: a queue
    assert decision.startswith("decrease: latency x2.00")
    assert 16 <= c.allowed <= 18  # 32 * 1.075 / 2
    assert not c.slow_start


def test_latency_rising_with_throughput_rising_as_fast_is_batching_not_queueing():
    c, clock = controller(start=16)
    round_of(c, clock, 0.5, seconds=0.5)  # 16 answers in 0.5 s: 32/s at limit 16
    assert c.allowed == 32
    assert round_of(c, clock, 0.7, seconds=0.5) == "increase"  # 32 answers in 0.5 s: 64/s, latency x1.4


def test_latency_within_the_tolerance_is_not_queueing():
    c, clock = controller(start=16)
    round_of(c, clock, 0.5)
    assert round_of(c, clock, 0.55) == "increase"


def test_outcomes_of_requests_started_under_a_larger_older_limit_are_ignored():
    c, clock = controller(start=64)
    old_ticket = c.epoch
    assert round_of(c, clock, 0.5, limited=32) == "decrease: rate limited"
    assert c.epoch != old_ticket
    for _ in range(100):
        c.succeeded(old_ticket, "generate", 5.0)  # queued under the old limit: says nothing about this one
        c.rate_limited(old_ticket)
    assert len(c.decisions) == 1 and c.allowed == 32


def test_an_increase_keeps_counting_the_requests_in_flight_so_slow_start_doubles_every_round_trip():
    c, clock = controller(start=16, ceiling=256)
    ticket = c.epoch
    round_of(c, clock, 0.5)
    assert c.allowed == 32 and c.epoch == ticket  # requests sent under 16 ran under less load: still counted
    c2, clock2 = controller(start=16, ceiling=256)
    reached = None
    samples, _ = simulate(c2, clock2, slots=None, service=0.5, seconds=6)
    for t, n in samples:
        if n >= 256:
            reached = t
            break
    assert reached is not None and reached <= 2.51  # 16, 32, 64, 128, 256: four round trips of 0.5 s


def test_slow_start_grows_only_on_answers_at_their_usual_speed():
    c, clock = controller(start=16, ceiling=256)
    round_of(c, clock, 0.5)  # baseline 0.5 s, the limit 32
    c.demand(c.allowed, 1)
    for _ in range(8):
        c.succeeded(c.epoch, "generate", 0.9)  # slower than usual: no growth
    assert c.allowed == 32
    for _ in range(8):
        c.succeeded(c.epoch, "generate", 0.5)
    assert c.allowed == 40


def test_baselines_are_per_call_site():
    c, clock = controller(start=16)
    c.demand(16, 1)
    for _ in range(8):
        c.succeeded(c.epoch, "critic", 0.2)
    for _ in range(8):
        c.succeeded(c.epoch, "generate", 2.0)
    assert c.decisions == ["increase"]
    round_of(c, clock, 2.0, site="generate", n=32)  # the generator's usual latency: no queue
    assert c.decisions[-1] == "increase"


def test_the_limit_never_falls_below_the_floor():
    c, clock = controller(start=2, floor=1)
    for _ in range(6):
        round_of(c, clock, 0.5, limited=8)
    assert c.allowed == 1


def simulate(controller_: Controller, clock: Clock, *, slots: int | None, service: float, seconds: float):
    """A server with `slots` (None: unlimited) serving FIFO in `service` seconds, a client with endless demand
    that keeps `allowed` requests open. Returns (time, in flight) samples and completions per second."""
    free = [0.0] * slots if slots else None  # when each slot is next free
    events: list[tuple[float, int, float, int]] = []  # (done at, seq, sent at, ticket)
    seq = 0
    in_flight = 0
    samples: list[tuple[float, int]] = []
    done = 0

    def send() -> None:
        nonlocal seq, in_flight
        start = clock.now
        if free is not None:
            start = max(start, heapq.heappop(free))
            heapq.heappush(free, start + service)
        heapq.heappush(events, (start + service, seq, clock.now, controller_.epoch))
        seq += 1
        in_flight += 1

    while clock.now < seconds:
        while in_flight < controller_.allowed:
            send()
        controller_.demand(in_flight, 1)
        at, _, sent, ticket = heapq.heappop(events)
        clock.now = at
        in_flight -= 1
        done += 1
        controller_.succeeded(ticket, "generate", at - sent)
        samples.append((at, in_flight + 1))
    return samples, done / seconds


def test_a_server_that_queues_beyond_16_slots_settles_the_client_near_16_at_full_throughput():
    c, clock = controller(ceiling=256)
    samples, rate = simulate(c, clock, slots=16, service=0.5, seconds=120)
    late = [n for t, n in samples if t > 60]
    assert 16 <= median(late) <= 20
    assert max(late) <= 24
    assert rate >= 0.97 * 32


def test_a_server_without_a_queue_takes_the_client_to_its_ceiling():
    c, clock = controller(ceiling=64)
    samples, rate = simulate(c, clock, slots=None, service=0.5, seconds=30)
    assert c.allowed == 64
    assert median(n for t, n in samples if t > 10) == 64
    assert rate >= 0.95 * 128


def test_one_slightly_slow_round_is_a_pause_but_two_in_a_row_are_a_queue():
    c, clock = controller(start=32, ceiling=32)
    round_of(c, clock, 0.5)
    assert round_of(c, clock, 0.65) == "hold: latency x1.30"  # a pause on our side looks like this once
    assert round_of(c, clock, 0.5) == "hold"
    assert round_of(c, clock, 0.65) == "hold: latency x1.30"
    assert round_of(c, clock, 0.65).startswith("decrease: latency x1.30")
    assert c.allowed < 32
