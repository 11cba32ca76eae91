"""The blocking client against the live server."""

from __future__ import annotations

from musicverse import MusicVerse, Tier


def test_reads_the_balance_and_the_viewer(base_url: str, api_key: str) -> None:
    with MusicVerse(base_url=base_url, api_key=api_key) as client:
        credits = client.credits()
        assert credits.tier is Tier.FREE
        assert credits.available >= 0 and credits.held >= 0
        prices = client.price_catalog()
        assert any(price.model == "mv-lite" for price in prices)
