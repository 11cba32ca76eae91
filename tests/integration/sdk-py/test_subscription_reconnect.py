"""Subscriptions reconnect after a dropped connection and subscribe again (local fake server)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.legacy.server import WebSocketServerProtocol, serve
from websockets.typing import Subprotocol

from musicverse import AsyncMusicVerse, JobStatus

EVENT: dict[str, Any] = {"progress": 10, "stage": "composing", "status": "RUNNING"}


def job_json(status: str) -> dict[str, Any]:
    return {
        "id": "Sm9iOjE", "status": status, "stage": "x", "progress": 0, "prompt": "p", "title": None, "style": None,
        "instrumental": False, "durationSeconds": 5, "model": "mv-lite", "cost": 3, "attempts": 1, "provider": "local",
        "providerCost": None, "error": None, "createdAt": "2030-01-01T00:00:00.000Z", "startedAt": None, "finishedAt": None, "track": None,
    }


def test_reconnects_and_resubscribes_after_the_connection_drops() -> None:
    inits: list[dict[str, Any]] = []
    subscriptions: list[dict[str, Any]] = []

    async def handler(socket: WebSocketServerProtocol, _path: str) -> None:
        init = json.loads(await socket.recv())
        inits.append(init)
        await socket.send(json.dumps({"type": "connection_ack"}))
        subscribe = json.loads(await socket.recv())
        subscriptions.append(subscribe)
        sid = subscribe["id"]
        if len(subscriptions) == 1:
            await socket.send(json.dumps({"type": "next", "id": sid, "payload": {"data": {"jobProgress": {**EVENT, "job": job_json("RUNNING")}}}}))
            await socket.close(1011, "going away mid-job")
            return
        done = {"progress": 100, "stage": "done", "status": "SUCCEEDED", "job": job_json("SUCCEEDED")}
        await socket.send(json.dumps({"type": "next", "id": sid, "payload": {"data": {"jobProgress": done}}}))
        await socket.send(json.dumps({"type": "complete", "id": sid}))

    async def scenario() -> None:
        async with serve(handler, "127.0.0.1", 0, subprotocols=[Subprotocol("graphql-transport-ws")]) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            async with AsyncMusicVerse(base_url=f"http://127.0.0.1:{port}", api_key="amv_live_test") as client:
                events = [event async for event in client.job_progress("Sm9iOjE")]
        assert [e.progress for e in events] == [10, 100]
        assert events[-1].status is JobStatus.SUCCEEDED
        assert len(subscriptions) == 2
        assert all(s["payload"]["variables"] == {"jobId": "Sm9iOjE"} for s in subscriptions)
        assert all(i == {"type": "connection_init", "payload": {"X-API-Key": "amv_live_test"}} for i in inits)

    asyncio.run(asyncio.wait_for(scenario(), 20))
