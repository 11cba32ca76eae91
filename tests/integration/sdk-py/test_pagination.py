"""Paging through the library with iterate_tracks, async and sync."""

from __future__ import annotations

import asyncio

from musicverse import AsyncMusicVerse, GenerateTrackInput, JobStatus, MusicVerse


def test_iterates_every_track_across_pages(base_url: str, new_user_key: str) -> None:
    async def scenario() -> set[str]:
        async with AsyncMusicVerse(base_url=base_url, api_key=new_user_key) as client:
            # One after another: the free tier runs one generation at a time.
            for n in range(3):
                job = await client.generate_track(GenerateTrackInput(prompt=f"song number {n}", duration_seconds=5))
                last = [event async for event in client.job_progress(job.id)][-1]
                assert last.status is JobStatus.SUCCEEDED
            first_page = await client.tracks(first=2)
            assert first_page.total_count == 3
            assert first_page.page_info.has_next_page
            seen = [track.id async for track in client.iterate_tracks(page_size=2)]
            assert len(seen) == 3 and len(set(seen)) == 3
            return set(seen)

    async_ids = asyncio.run(scenario())
    with MusicVerse(base_url=base_url, api_key=new_user_key) as client:
        assert {track.id for track in client.iterate_tracks(page_size=2)} == async_ids
        assert [job.status for job in client.iterate_jobs(page_size=1)] == [JobStatus.SUCCEEDED] * 3
