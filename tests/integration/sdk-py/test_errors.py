"""Errors arrive as the class of their extensions.code."""

from __future__ import annotations

import asyncio
import base64
import uuid

import pytest

from musicverse import (
    AsyncMusicVerse,
    BadUserInputError,
    InsufficientCreditsError,
    MusicVerse,
    MusicVerseError,
    NotFoundError,
    PlaceHoldInput,
    UnauthenticatedError,
)


def global_id(type_name: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{uuid.uuid4()}".encode()).decode().rstrip("=")


def test_raises_insufficient_credits_as_its_own_class(base_url: str, new_user_key: str) -> None:
    async def scenario() -> None:
        async with AsyncMusicVerse(base_url=base_url, api_key=new_user_key) as client:
            available = (await client.credits()).available
            with pytest.raises(InsufficientCreditsError) as raised:
                await client.place_hold(PlaceHoldInput(amount=available + 1, reason="more than I have"))
            assert raised.value.code == "INSUFFICIENT_CREDITS"
            assert raised.value.request_id
            assert (await client.credits()).available == available

    asyncio.run(scenario())


def test_raises_not_found_for_a_track_that_does_not_exist(base_url: str, new_user_key: str) -> None:
    with MusicVerse(base_url=base_url, api_key=new_user_key) as client:
        with pytest.raises(NotFoundError) as raised:
            client.delete_track(global_id("Track"))
        assert isinstance(raised.value, MusicVerseError) and raised.value.code == "NOT_FOUND"
        assert client.job(global_id("Job")) is None


def test_raises_bad_user_input_naming_the_field(base_url: str, new_user_key: str) -> None:
    with MusicVerse(base_url=base_url, api_key=new_user_key) as client:
        with pytest.raises(BadUserInputError) as raised:
            client.delete_track("not-an-id")
        assert raised.value.field == "id"


def test_raises_unauthenticated_for_a_wrong_key(base_url: str) -> None:
    with MusicVerse(base_url=base_url, api_key="amv_live_wrong", max_retries=0) as client:
        with pytest.raises(UnauthenticatedError):
            client.credits()
