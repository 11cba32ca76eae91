"""DateTimeISO values: timezone-aware datetimes in Python, ISO 8601 instants on the wire."""

from __future__ import annotations

from datetime import datetime, timezone


def datetime_from_json(value: str) -> datetime:
    """An instant the API sent (UTC, ending in Z) as an aware datetime."""
    # fromisoformat reads a trailing "Z" only from Python 3.11 on; "+00:00" everywhere.
    return datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)


def datetime_to_json(value: datetime) -> str:
    """An aware datetime as the API reads it: UTC, to the millisecond, ending in Z."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a datetime without a time zone is ambiguous; pass an aware one, e.g. datetime.now(timezone.utc)")
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
