"""Retry timing: capped exponential backoff with full jitter, and the server's Retry-After when it sends one."""

from __future__ import annotations

import random
from email.utils import parsedate_to_datetime
from time import time

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})  # 529: Anthropic's overloaded
# Retries of a try that found nothing listening (refused, unknown host): a server that is down stays down for
# longer than a backoff, so the call fails within ~1.5 s and models.max_consecutive_failures stops the run.
UNREACHABLE_RETRIES = 2


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time() if now is None else now))


def backoff_delay(attempt: int, retry_after: float | None, *, base: float = 0.5, cap: float = 30.0,
                  rng: random.Random | None = None) -> float:
    """Delay before retry number `attempt` (0-based). A server's Retry-After wins, bounded by 5x cap."""
    if retry_after is not None:
        return min(retry_after, cap * 5)
    bound = min(cap, base * (2**attempt))
    return (rng or random).uniform(bound / 2, bound)
