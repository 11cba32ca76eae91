"""Fixtures of the Python SDK suite. python-sdk.test.ts starts the server and sets the env.

Async scenarios run with asyncio.run inside plain test functions: Debian ships no
pytest-asyncio, and the suite must run on Debian's interpreter alone.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

# The generated package, straight from the tree (no install needed).
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "sdk-py-gen" / "python"))

from musicverse import CreateApiKeyInput, DevSignInInput, MusicVerse  # noqa: E402

ALL_SCOPES = ["tracks:read", "tracks:write", "generate:write", "jobs:read", "credits:read", "credits:hold"]


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run this suite through tests/integration/sdk-py/python-sdk.test.ts")
    return value


@pytest.fixture
def base_url() -> str:
    return env("MUSICVERSE_URL")


@pytest.fixture
def api_key() -> str:
    """The key python-sdk.test.ts created for a user it signed in through Telegram."""
    return env("MUSICVERSE_API_KEY")


@pytest.fixture
def new_user_key(base_url: str) -> str:
    """An API key of a brand-new user (dev sign-in, sync client), for tests that count what a user owns."""
    telegram_id = str(800_000_000 + uuid.uuid4().int % 99_999_999)
    with MusicVerse(base_url=base_url, api_key="") as anonymous:
        session = anonymous.dev_sign_in(DevSignInInput(telegram_id=telegram_id, first_name="Py"))
    with MusicVerse(base_url=base_url, access_token=session.access_token) as signed_in:
        return signed_in.create_api_key(CreateApiKeyInput(name="pytest", scopes=ALL_SCOPES)).key
