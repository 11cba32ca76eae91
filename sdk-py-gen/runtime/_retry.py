"""When and how long to wait before trying a request again."""

from __future__ import annotations

import email.utils
import random
import time
import uuid

DEFAULT_MAX_RETRIES = 2
"""Retries after the first attempt (so up to three requests)."""
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_JITTER = 0.25
"""Up to a quarter of the delay is taken off at random, so clients do not retry in step."""
MAX_RETRY_AFTER = 60.0
"""A server's Retry-After longer than this is ignored in favour of our own backoff."""


def new_idempotency_key() -> str:
    """A key for one logical call; every retry of that call sends the same key."""
    return str(uuid.uuid4())


def parse_retry_after(value: str | float | int | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(parsed.timestamp() - time.time(), 0.0)


def retry_delay(retries_done: int, retry_after: float | None) -> float:
    """Seconds to wait before the next attempt: the server's Retry-After first, else backoff."""
    if retry_after is not None and 0 <= retry_after <= MAX_RETRY_AFTER:
        return retry_after
    delay = min(INITIAL_RETRY_DELAY * 2.0**retries_done, MAX_RETRY_DELAY)
    return delay * (1 - random.random() * MAX_JITTER)


def is_retryable_status(status: int) -> bool:
    """408, 429 and 5xx are worth another try."""
    return status in (408, 429) or status >= 500
