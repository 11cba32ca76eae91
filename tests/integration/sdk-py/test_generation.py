"""Generating a track with an API key and watching it to the end over the subscription."""

from __future__ import annotations

import asyncio
import uuid

from musicverse import AsyncMusicVerse, GenerateTrackInput, Job, JobProgressEvent, JobStatus


async def generate_and_watch(client: AsyncMusicVerse, prompt: str) -> tuple[Job, list[JobProgressEvent]]:
    job = await client.generate_track(GenerateTrackInput(prompt=prompt, style="ambient", duration_seconds=5))
    events = [event async for event in client.job_progress(job.id)]
    return job, events


def test_generates_a_track_and_streams_progress_to_succeeded(base_url: str, api_key: str) -> None:
    async def scenario() -> None:
        async with AsyncMusicVerse(base_url=base_url, api_key=api_key) as client:
            job, events = await generate_and_watch(client, "a calm piano piece about rain")
            assert job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
            assert job.cost > 0
            progress = [event.progress for event in events]
            assert progress == sorted(progress), f"progress went backwards: {progress}"
            assert events[-1].status is JobStatus.SUCCEEDED
            assert events[-1].progress == 100
            finished = await client.job(job.id)
            assert finished is not None and finished.status is JobStatus.SUCCEEDED
            assert finished.track is not None
            track = await client.track(finished.track.id)
            assert track is not None and track.current_version is not None
            assert track.current_version.content_type == "audio/wav"

    asyncio.run(scenario())


def test_the_same_idempotency_key_returns_the_same_job(base_url: str, api_key: str) -> None:
    async def scenario() -> None:
        async with AsyncMusicVerse(base_url=base_url, api_key=api_key) as client:
            request = GenerateTrackInput(prompt="lo-fi beats", duration_seconds=5, idempotency_key=str(uuid.uuid4()))
            first = await client.generate_track(request)
            second = await client.generate_track(request)
            assert first.id == second.id
            # Watched to the end so the suite leaves no job running behind it.
            last = [event async for event in client.job_progress(first.id)][-1]
            assert last.status is JobStatus.SUCCEEDED

    asyncio.run(scenario())
