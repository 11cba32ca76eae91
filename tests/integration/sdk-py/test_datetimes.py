"""DateTimeISO fields and arguments are timezone-aware datetimes, in both directions."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from musicverse import CreateApiKeyInput, DevSignInInput, MusicVerse


def test_reads_instants_as_aware_datetimes_and_sends_them_back(base_url: str) -> None:
    before = datetime.now(timezone.utc)
    with MusicVerse(base_url=base_url, api_key="") as anonymous:
        session = anonymous.dev_sign_in(DevSignInInput(telegram_id=str(810_000_000 + uuid.uuid4().int % 9_999_999), first_name="Dates"))
    assert session.access_token_expires_at.tzinfo is not None
    assert before + timedelta(minutes=50) < session.access_token_expires_at < before + timedelta(minutes=70)

    with MusicVerse(base_url=base_url, access_token=session.access_token) as client:
        # Sent with an offset, read back in UTC: the same instant, to the millisecond.
        expires = (before + timedelta(days=3)).astimezone(timezone(timedelta(hours=5, minutes=30))).replace(microsecond=123000)
        created = client.create_api_key(CreateApiKeyInput(name="dated", scopes=["credits:read"], expires_at=expires))
        assert created.api_key.expires_at == expires
        assert created.api_key.expires_at.utcoffset() == timedelta(0)

        client.credits()  # the day's free credits are granted on the first read of the balance
        grant = client.transactions(first=10).edges
        assert len(grant) == 1 and grant[0].node.created_at.tzinfo is not None
        granted_at = grant[0].node.created_at
        assert [e.node.id for e in client.transactions(since=granted_at - timedelta(seconds=1)).edges] == [grant[0].node.id]
        assert client.transactions(since=granted_at + timedelta(seconds=1)).edges == []
        assert len(client.transactions(until=granted_at + timedelta(seconds=1)).edges) == 1


def test_refuses_a_datetime_without_a_time_zone_before_sending_it(base_url: str, new_user_key: str) -> None:
    with MusicVerse(base_url=base_url, api_key=new_user_key) as client:
        with pytest.raises(ValueError, match="time zone"):
            client.transactions(since=datetime(2026, 1, 1, 12, 0))
