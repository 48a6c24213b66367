"""Retry timing: Retry-After parsing and capped, jittered exponential backoff."""

from __future__ import annotations

import random
from email.utils import format_datetime
from datetime import datetime, timezone

import pytest

from seedless.engine.llm.clients.retry import RETRYABLE_STATUS, backoff_delay, parse_retry_after

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc).timestamp()


def test_parse_retry_after_delta_seconds():
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("  7 ") == 7.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after("0") == 0.0


def test_parse_retry_after_negative_delta_is_clamped_to_zero():
    assert parse_retry_after("-3") == 0.0


def test_parse_retry_after_http_date_relative_to_now():
    header = "Wed, 01 May 2024 12:00:30 GMT"
    assert parse_retry_after(header, now=NOW) == pytest.approx(30.0)


def test_parse_retry_after_http_date_built_with_format_datetime():
    when = datetime(2024, 5, 1, 12, 2, 0, tzinfo=timezone.utc)
    assert parse_retry_after(format_datetime(when, usegmt=True), now=NOW) == pytest.approx(120.0)


def test_parse_retry_after_http_date_in_the_past_is_zero():
    header = "Wed, 01 May 2024 11:59:00 GMT"
    assert parse_retry_after(header, now=NOW) == 0.0


@pytest.mark.parametrize("value", ["soon", "not a date", "Wed, 99 Foo 2024", "12abc"])
def test_parse_retry_after_garbage_is_none(value):
    assert parse_retry_after(value, now=NOW) is None


@pytest.mark.parametrize("value", [None, ""])
def test_parse_retry_after_absent_is_none(value):
    assert parse_retry_after(value) is None


def test_backoff_delay_honours_retry_after():
    assert backoff_delay(0, 2.0) == 2.0
    assert backoff_delay(5, 7.5, base=0.5, cap=30.0) == 7.5
    assert backoff_delay(3, 0.0) == 0.0


def test_backoff_delay_retry_after_is_capped_at_five_times_cap():
    assert backoff_delay(0, 10_000.0, cap=30.0) == 150.0
    assert backoff_delay(0, 100.0, cap=10.0) == 50.0
    # exactly at the cap passes through unchanged
    assert backoff_delay(0, 50.0, cap=10.0) == 50.0


def test_backoff_delay_retry_after_ignores_rng():
    class Boom(random.Random):
        def uniform(self, a, b):  # pragma: no cover - must not be called
            raise AssertionError("jitter used despite Retry-After")

    assert backoff_delay(2, 3.0, rng=Boom(0)) == 3.0


@pytest.mark.parametrize("attempt", range(0, 10))
def test_backoff_delay_without_retry_after_stays_in_jitter_window(attempt):
    base, cap = 0.5, 30.0
    bound = min(cap, base * 2**attempt)
    rng = random.Random(1234 + attempt)
    for _ in range(200):
        delay = backoff_delay(attempt, None, base=base, cap=cap, rng=rng)
        assert bound / 2 <= delay <= bound


def test_backoff_delay_grows_then_saturates_at_cap():
    rng = random.Random(7)
    # attempt 0: bound 0.5 -> [0.25, 0.5]; attempt 20: bound capped at 4.0 -> [2.0, 4.0]
    small = [backoff_delay(0, None, base=0.5, cap=4.0, rng=rng) for _ in range(100)]
    large = [backoff_delay(20, None, base=0.5, cap=4.0, rng=rng) for _ in range(100)]
    assert max(small) <= 0.5 and min(small) >= 0.25
    assert max(large) <= 4.0 and min(large) >= 2.0


def test_backoff_delay_is_reproducible_with_a_seeded_rng():
    a = [backoff_delay(i % 6, None, rng=random.Random(42)) for i in range(6)]
    b = [backoff_delay(i % 6, None, rng=random.Random(42)) for i in range(6)]
    assert a == b
    expected = random.Random(42).uniform(2.0, 4.0)  # attempt 3: bound = 0.5 * 8 = 4.0
    assert backoff_delay(3, None, rng=random.Random(42)) == expected


def test_backoff_delay_jitter_actually_varies():
    rng = random.Random(99)
    delays = {backoff_delay(4, None, rng=rng) for _ in range(20)}
    assert len(delays) > 1


def test_retryable_status_set():
    assert {429, 500, 502, 503, 504, 408}.issubset(RETRYABLE_STATUS)
    assert not {400, 401, 403, 404, 200}.intersection(RETRYABLE_STATUS)
