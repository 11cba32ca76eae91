"""Verifying MusicVerse webhook deliveries (Standard Webhooks), and signing them for tests.

A delivery carries `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`:
one or more space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. The key is the
base64 part of the `whsec_...` secret. Verify the raw body exactly as received, before parsing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

__all__ = ["WebhookVerificationError", "verify_webhook", "sign_webhook"]

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE_SECONDS = 300


class WebhookVerificationError(Exception):
    """The delivery is not authentic or not fresh: answer 400 and do not act on it."""


def _key_of(secret: str) -> bytes:
    encoded = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise WebhookVerificationError("the webhook secret is not valid base64") from error


def _signature(key: bytes, message_id: str, timestamp: str, body: bytes) -> str:
    signed = message_id.encode() + b"." + timestamp.encode() + b"." + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    raise WebhookVerificationError(f"missing header {name}")


def verify_webhook(
    raw_body: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    *,
    now: float | None = None,
) -> Any:
    """Checks the signature and the timestamp's freshness, then answers the parsed JSON body.

    Raises WebhookVerificationError for a missing header, a timestamp more than
    tolerance_seconds away from now, or no matching v1 signature.
    """
    body = raw_body.encode() if isinstance(raw_body, str) else raw_body
    message_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    try:
        sent_at = int(timestamp)
    except ValueError as error:
        raise WebhookVerificationError("webhook-timestamp is not a number") from error
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_seconds:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance (replayed or clock skew)")
    expected = _signature(_key_of(secret), message_id, timestamp, body).encode()
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        # compare_digest takes the same time whatever the first differing byte is.
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return json.loads(body)
    raise WebhookVerificationError("no matching signature")


def sign_webhook(secret: str, message_id: str, body: bytes | str, timestamp: int | None = None) -> dict[str, str]:
    """The headers MusicVerse would send with `body`: for testing your receiver."""
    sent_at = str(int(time.time()) if timestamp is None else timestamp)
    data = body.encode() if isinstance(body, str) else body
    signature = _signature(_key_of(secret), message_id, sent_at, data)
    return {"webhook-id": message_id, "webhook-timestamp": sent_at, "webhook-signature": f"v1,{signature}"}
