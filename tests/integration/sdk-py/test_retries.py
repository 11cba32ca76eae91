"""Retries against a scripted local server: what is retried, how long it waits, what is not."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import pytest

from fake_graphql_server import Reply, fake_graphql_server
from musicverse import (
    APIConnectionError,
    APIStatusError,
    AsyncMusicVerse,
    GenerateTrackInput,
    InsufficientCreditsError,
    MusicVerse,
    RateLimitedError,
)

CREDITS = {"data": {"viewer": {"credits": {"available": 7, "held": 0, "tier": "FREE", "dailyGrant": 50, "nextGrantAt": "2030-01-01T00:00:00.000Z"}}}}
JOB: dict[str, Any] = {
    "id": "Sm9iOjE", "status": "QUEUED", "stage": "queued", "progress": 0, "prompt": "p", "title": None, "style": None,
    "instrumental": False, "durationSeconds": 5, "model": "mv-lite", "cost": 3, "attempts": 0, "provider": None,
    "providerCost": None, "error": None, "createdAt": "2030-01-01T00:00:00.000Z", "startedAt": None, "finishedAt": None, "track": None,
}
UNAVAILABLE = Reply(503, {"errors": [{"message": "Service Unavailable", "extensions": {"code": "INTERNAL"}}]})


def test_retries_a_503_then_answers() -> None:
    with fake_graphql_server([UNAVAILABLE, Reply(200, CREDITS)]) as server:
        with MusicVerse(base_url=server.url, api_key="amv_live_test") as client:
            assert client.credits().available == 7
        assert len(server.requests) == 2


def test_waits_for_retry_after_before_retrying_a_429() -> None:
    async def scenario() -> None:
        with fake_graphql_server([Reply(429, None, {"retry-after": "1"}), Reply(200, CREDITS)]) as server:
            async with AsyncMusicVerse(base_url=server.url, api_key="amv_live_test") as client:
                assert (await client.credits()).available == 7
            assert len(server.requests) == 2
            # Our own first backoff is at most 0.5 s: a wait of about 1 s is the server's Retry-After.
            assert server.arrived_at[1] - server.arrived_at[0] >= 0.95

    asyncio.run(scenario())


def test_retries_rate_limited_errors_after_their_retry_after() -> None:
    limited = Reply(200, {"errors": [{"message": "slow down", "extensions": {"code": "RATE_LIMITED", "retryAfter": 0}}]})
    with fake_graphql_server([limited, Reply(200, CREDITS)]) as server:
        with MusicVerse(base_url=server.url, api_key="amv_live_test") as client:
            assert client.credits().available == 7
        assert len(server.requests) == 2


def test_gives_up_after_two_retries_with_the_last_error() -> None:
    with fake_graphql_server([Reply(429, None, {"retry-after": "0"})]) as server:
        with MusicVerse(base_url=server.url, api_key="amv_live_test") as client:
            with pytest.raises(RateLimitedError) as raised:
                client.credits()
        assert len(server.requests) == 3
        assert raised.value.request_id == "req-3"


def test_does_not_retry_a_mutation_without_an_idempotency_key() -> None:
    with fake_graphql_server([Reply(502, None), Reply(200, {"data": {"cancelJob": JOB}})]) as server:
        with MusicVerse(base_url=server.url, api_key="amv_live_test") as client:
            with pytest.raises(APIStatusError) as raised:
                client.cancel_job("Sm9iOjE")
        assert raised.value.status_code == 502
        assert len(server.requests) == 1


def test_generate_track_makes_one_idempotency_key_and_sends_it_with_every_retry() -> None:
    async def scenario() -> None:
        with fake_graphql_server([UNAVAILABLE, UNAVAILABLE, Reply(200, {"data": {"generateTrack": JOB}})]) as server:
            async with AsyncMusicVerse(base_url=server.url, api_key="amv_live_test") as client:
                job = await client.generate_track(GenerateTrackInput(prompt="p", duration_seconds=5))
            assert job.cost == 3
            keys = [request["variables"]["input"]["idempotencyKey"] for request in server.requests]
            assert len(keys) == 3 and len(set(keys)) == 1 and keys[0]

    asyncio.run(scenario())


def test_does_not_retry_errors_a_retry_cannot_fix() -> None:
    poor = Reply(200, {"errors": [{"message": "Not enough credits", "extensions": {"code": "INSUFFICIENT_CREDITS"}}]})
    with fake_graphql_server([poor]) as server:
        with MusicVerse(base_url=server.url, api_key="amv_live_test") as client:
            with pytest.raises(InsufficientCreditsError):
                client.credits()
        assert len(server.requests) == 1


def test_raises_a_connection_error_when_nothing_listens() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with MusicVerse(base_url=f"http://127.0.0.1:{port}", api_key="amv_live_test", max_retries=1) as client:
        with pytest.raises(APIConnectionError):
            client.credits()
    # One retry after a backoff of 0.375 to 0.5 s (jitter takes up to a quarter off).
    assert 0.35 <= time.monotonic() - started < 5
