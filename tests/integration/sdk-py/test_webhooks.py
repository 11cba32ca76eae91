"""verify_webhook against deliveries signed by the server's own signer (webhook-signature.ts)."""

from __future__ import annotations

import json

import pytest

from conftest import env
from musicverse import WebhookVerificationError, sign_webhook, verify_webhook


def delivery(name: str) -> dict[str, str]:
    headers: dict[str, str] = json.loads(env(name))
    return headers


def test_accepts_a_delivery_the_server_signed() -> None:
    body = env("MUSICVERSE_WEBHOOK_BODY")
    payload = verify_webhook(body.encode(), delivery("MUSICVERSE_WEBHOOK_HEADERS"), env("MUSICVERSE_WEBHOOK_SECRET"))
    assert payload == json.loads(body)


def test_accepts_headers_in_any_case() -> None:
    headers = {name.upper(): value for name, value in delivery("MUSICVERSE_WEBHOOK_HEADERS").items()}
    verify_webhook(env("MUSICVERSE_WEBHOOK_BODY"), headers, env("MUSICVERSE_WEBHOOK_SECRET"))


def test_rejects_a_tampered_body() -> None:
    body = env("MUSICVERSE_WEBHOOK_BODY").replace("generation.completed", "generation.failed")
    assert body != env("MUSICVERSE_WEBHOOK_BODY")
    with pytest.raises(WebhookVerificationError, match="no matching signature"):
        verify_webhook(body, delivery("MUSICVERSE_WEBHOOK_HEADERS"), env("MUSICVERSE_WEBHOOK_SECRET"))


def test_rejects_the_wrong_secret() -> None:
    other = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo3ODkwMTI="
    with pytest.raises(WebhookVerificationError, match="no matching signature"):
        verify_webhook(env("MUSICVERSE_WEBHOOK_BODY"), delivery("MUSICVERSE_WEBHOOK_HEADERS"), other)


def test_rejects_a_stale_timestamp() -> None:
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify_webhook(env("MUSICVERSE_WEBHOOK_BODY"), delivery("MUSICVERSE_WEBHOOK_STALE_HEADERS"), env("MUSICVERSE_WEBHOOK_SECRET"))
    # The same stale delivery passes with a tolerance wide enough: only the age was wrong.
    verify_webhook(env("MUSICVERSE_WEBHOOK_BODY"), delivery("MUSICVERSE_WEBHOOK_STALE_HEADERS"), env("MUSICVERSE_WEBHOOK_SECRET"), tolerance_seconds=3600)


def test_rejects_a_missing_signature_header() -> None:
    headers = delivery("MUSICVERSE_WEBHOOK_HEADERS")
    del headers["webhook-signature"]
    with pytest.raises(WebhookVerificationError, match="missing header"):
        verify_webhook(env("MUSICVERSE_WEBHOOK_BODY"), headers, env("MUSICVERSE_WEBHOOK_SECRET"))


def test_signs_like_the_server() -> None:
    server = delivery("MUSICVERSE_WEBHOOK_HEADERS")
    ours = sign_webhook(env("MUSICVERSE_WEBHOOK_SECRET"), server["webhook-id"], env("MUSICVERSE_WEBHOOK_BODY"), int(server["webhook-timestamp"]))
    assert ours["webhook-signature"] == server["webhook-signature"]
