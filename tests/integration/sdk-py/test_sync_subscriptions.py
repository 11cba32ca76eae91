"""Subscriptions on the blocking client: against the live API, and a local fake for the edges."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from musicverse import GenerateTrackInput, JobStatus, MusicVerse, NotFoundError
from websockets.legacy.server import WebSocketServerProtocol, serve
from websockets.typing import Subprotocol


def test_follows_a_generation_to_the_end_without_asyncio(base_url: str, api_key: str) -> None:
    with MusicVerse(base_url=base_url, api_key=api_key) as client:
        job = client.generate_track(GenerateTrackInput(prompt="a music box lullaby", duration_seconds=5))
        events = list(client.job_progress(job.id))
    progress = [event.progress for event in events]
    assert progress == sorted(progress)
    assert events[-1].status is JobStatus.SUCCEEDED and events[-1].progress == 100


Handler = Callable[[WebSocketServerProtocol], Awaitable[None]]


@contextmanager
def fake_server(handler: Handler) -> Iterator[int]:
    """A graphql-transport-ws server on its own loop and thread, for a blocking client to call."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    stop = loop.create_future()
    port: list[int] = []

    async def main() -> None:
        async def session(socket: WebSocketServerProtocol, _path: str) -> None:
            await handler(socket)

        async with serve(session, "127.0.0.1", 0, subprotocols=[Subprotocol("graphql-transport-ws")]) as server:
            port.append(next(iter(server.sockets)).getsockname()[1])
            started.set()
            await stop

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield port[0]
    finally:
        loop.call_soon_threadsafe(stop.set_result, None)
        thread.join(10)
        loop.close()


async def acknowledge(socket: WebSocketServerProtocol) -> str:
    await socket.recv()
    await socket.send(json.dumps({"type": "connection_ack"}))
    return str(json.loads(await socket.recv())["id"])


def progress_event(progress: int) -> dict[str, Any]:
    job = {
        "id": "Sm9iOjE", "status": "RUNNING", "stage": "composing", "progress": progress, "prompt": "p", "title": None, "style": None,
        "instrumental": False, "durationSeconds": 5, "model": "mv-lite", "cost": 3, "attempts": 1, "provider": "local",
        "providerCost": None, "error": None, "createdAt": "2030-01-01T00:00:00.000Z", "startedAt": None, "finishedAt": None, "track": None,
    }
    return {"progress": progress, "stage": "composing", "status": "RUNNING", "job": job}


def test_closes_the_socket_when_the_loop_breaks() -> None:
    closed = threading.Event()

    async def endless(socket: WebSocketServerProtocol) -> None:
        sid = await acknowledge(socket)
        try:
            for progress in range(1, 1000):
                await socket.send(json.dumps({"type": "next", "id": sid, "payload": {"data": {"jobProgress": progress_event(progress % 100)}}}))
                await asyncio.sleep(0.01)
        finally:
            await socket.wait_closed()
            closed.set()

    with fake_server(endless) as port, MusicVerse(base_url=f"http://127.0.0.1:{port}", api_key="amv_live_test") as client:
        seen = []
        for event in client.job_progress("Sm9iOjE"):
            seen.append(event.progress)
            if len(seen) == 3:
                break
        assert seen == [1, 2, 3]
        assert closed.wait(10), "the socket stayed open after the loop ended"


def test_raises_a_graphql_error_in_the_callers_thread() -> None:
    async def refuse(socket: WebSocketServerProtocol) -> None:
        sid = await acknowledge(socket)
        await socket.send(json.dumps({"type": "error", "id": sid, "payload": [{"message": "Job not found", "extensions": {"code": "NOT_FOUND"}}]}))
        await socket.wait_closed()

    with fake_server(refuse) as port, MusicVerse(base_url=f"http://127.0.0.1:{port}", api_key="amv_live_test") as client:
        with pytest.raises(NotFoundError, match="Job not found"):
            list(client.job_progress("Sm9iOjE"))
