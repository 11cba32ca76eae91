"""Reads one HTTP answer: the data, or the typed error and whether trying again may help."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from ._retry import is_retryable_status, parse_retry_after
from .errors import APIConnectionError, APIStatusError, APITimeoutError, MusicVerseError, RateLimitedError, error_from_graphql


@dataclass(frozen=True, slots=True)
class Outcome:
    data: dict[str, Any] | None
    error: MusicVerseError | None
    retryable: bool
    retry_after: float | None


def outcome_of_exception(error: httpx.HTTPError) -> Outcome:
    """Timeouts and broken connections: always worth another try."""
    if isinstance(error, httpx.TimeoutException):
        return Outcome(None, APITimeoutError(f"request timed out: {error}"), True, None)
    return Outcome(None, APIConnectionError(f"could not reach the API: {error}"), True, None)


def outcome_of_response(response: httpx.Response) -> Outcome:
    request_id = response.headers.get("x-request-id")
    header_retry_after = parse_retry_after(response.headers.get("retry-after"))
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        error = error_from_graphql(errors[0], request_id)
        if isinstance(error, RateLimitedError):
            # The header comes first; the error's retryAfter when there is no header.
            return Outcome(None, error, True, header_retry_after if header_retry_after is not None else error.retry_after)
        return Outcome(None, error, response.status_code >= 500, header_retry_after)
    if response.is_success and isinstance(body, dict) and isinstance(body.get("data"), dict):
        return Outcome(body["data"], None, False, None)
    status = response.status_code
    if status == 429:
        extensions = {"code": "RATE_LIMITED", "retryAfter": header_retry_after}
        limited = RateLimitedError("too many requests", request_id=request_id, extensions=extensions)
        return Outcome(None, limited, True, header_retry_after)
    failure = APIStatusError(f"HTTP {status} without a GraphQL answer", status_code=status, request_id=request_id)
    return Outcome(None, failure, is_retryable_status(status), header_retry_after)
