"""Errors of the MusicVerse API: one class per `extensions.code`, plus connection and timeout."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "MusicVerseError",
    "UnauthenticatedError",
    "ForbiddenError",
    "NotFoundError",
    "BadUserInputError",
    "InsufficientCreditsError",
    "ConflictError",
    "RateLimitedError",
    "FeatureNotInTierError",
    "IdempotencyKeyReusedError",
    "InternalError",
    "APIStatusError",
    "APIConnectionError",
    "APITimeoutError",
    "error_from_graphql",
]


class MusicVerseError(Exception):
    """Base of every error the client raises. `code` is the API's `extensions.code`."""

    code: str = "INTERNAL"

    def __init__(
        self,
        message: str,
        *,
        request_id: str | None = None,
        extensions: Mapping[str, Any] | None = None,
        path: list[str | int] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id
        """The server's X-Request-Id of the failed request: quote it when asking for support."""
        self.extensions: dict[str, Any] = dict(extensions or {})
        self.path = path


class UnauthenticatedError(MusicVerseError):
    """Missing, expired or revoked credentials."""

    code = "UNAUTHENTICATED"


class ForbiddenError(MusicVerseError):
    """Signed in, but not allowed (an API key without the scope, an admin-only operation)."""

    code = "FORBIDDEN"


class NotFoundError(MusicVerseError):
    """No such object, or not yours."""

    code = "NOT_FOUND"


class BadUserInputError(MusicVerseError):
    """An argument was refused; `field` names it."""

    code = "BAD_USER_INPUT"

    @property
    def field(self) -> str | None:
        value = self.extensions.get("field")
        return value if isinstance(value, str) else None


class InsufficientCreditsError(MusicVerseError):
    """Not enough available credits for the operation."""

    code = "INSUFFICIENT_CREDITS"


class ConflictError(MusicVerseError):
    """The object changed or was resolved meanwhile (a stale revision, a hold resolved twice)."""

    code = "CONFLICT"


class RateLimitedError(MusicVerseError):
    """Too many requests; `retry_after` says when to try again (seconds)."""

    code = "RATE_LIMITED"

    @property
    def retry_after(self) -> float | None:
        value = self.extensions.get("retryAfter")
        return float(value) if isinstance(value, (int, float)) else None


class FeatureNotInTierError(MusicVerseError):
    """Your tier does not include it; `upgrade` names the tier that does."""

    code = "FEATURE_NOT_IN_TIER"

    @property
    def upgrade(self) -> Any:
        return self.extensions.get("upgrade")


class IdempotencyKeyReusedError(MusicVerseError):
    """The same idempotency key came with a different request; `field` names what differs."""

    code = "IDEMPOTENCY_KEY_REUSED"

    @property
    def field(self) -> str | None:
        value = self.extensions.get("field")
        return value if isinstance(value, str) else None


class InternalError(MusicVerseError):
    """A fault on the server's side; safe to report with the request id."""

    code = "INTERNAL"


class APIStatusError(MusicVerseError):
    """An HTTP answer without a GraphQL body (a proxy's 502, a 503 after every retry)."""

    code = "HTTP_STATUS"

    def __init__(self, message: str, *, status_code: int, request_id: str | None = None) -> None:
        super().__init__(message, request_id=request_id)
        self.status_code = status_code


class APIConnectionError(MusicVerseError):
    """The server could not be reached, or the connection broke."""

    code = "API_CONNECTION_ERROR"


class APITimeoutError(APIConnectionError):
    """The request took longer than the client's timeout."""

    code = "API_TIMEOUT"


_BY_CODE: dict[str, type[MusicVerseError]] = {
    cls.code: cls
    for cls in (
        UnauthenticatedError,
        ForbiddenError,
        NotFoundError,
        BadUserInputError,
        InsufficientCreditsError,
        ConflictError,
        RateLimitedError,
        FeatureNotInTierError,
        IdempotencyKeyReusedError,
        InternalError,
    )
}


def error_from_graphql(error: Mapping[str, Any], request_id: str | None = None) -> MusicVerseError:
    """The typed error for one entry of a response's `errors`; unknown codes become the base class."""
    raw_extensions = error.get("extensions")
    extensions: Mapping[str, Any] = raw_extensions if isinstance(raw_extensions, Mapping) else {}
    code = extensions.get("code")
    message = str(error.get("message", "GraphQL error"))
    path = error.get("path")
    cls: type[MusicVerseError] = _BY_CODE.get(code, MusicVerseError) if isinstance(code, str) else MusicVerseError
    instance = cls(message, request_id=request_id, extensions=extensions, path=path if isinstance(path, list) else None)
    if cls is MusicVerseError and isinstance(code, str):
        instance.code = code
    return instance
