"""GraphQL over WebSocket (graphql-transport-ws) as an async iterator that reconnects.

A dropped connection is opened again with backoff and the subscription sent again; the server
answers a fresh subscription with the current state first (jobProgress does), so nothing is
missed that matters. Refused credentials (close code 4401/4403) and GraphQL errors end the
iteration with the typed error instead.
"""

from __future__ import annotations

import asyncio
import json
import queue
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.legacy.client import WebSocketClientProtocol, connect
from websockets.typing import Subprotocol

from ._retry import retry_delay
from .errors import APIConnectionError, MusicVerseError, UnauthenticatedError, error_from_graphql

PROTOCOL = Subprotocol("graphql-transport-ws")
ACK_TIMEOUT = 10.0
"""Seconds to wait for connection_ack after connection_init."""

# Close codes of graphql-transport-ws after which reconnecting cannot help.
_REFUSED_CREDENTIALS = {4401, 4403}
_FATAL = {4400, 4406, 4409, 4429} | _REFUSED_CREDENTIALS


async def _await_ack(socket: WebSocketClientProtocol) -> None:
    async def wait() -> None:
        while True:
            message = json.loads(await socket.recv())
            if message.get("type") == "connection_ack":
                return
            if message.get("type") == "ping":
                await socket.send(json.dumps({"type": "pong"}))

    await asyncio.wait_for(wait(), ACK_TIMEOUT)


def _error_of(payload: Any) -> MusicVerseError:
    first = payload[0] if isinstance(payload, list) and payload else payload
    return error_from_graphql(first if isinstance(first, Mapping) else {"message": str(payload)})


async def subscribe(url: str, credentials: Mapping[str, str], payload: Mapping[str, Any], *, max_reconnects: int = 5) -> AsyncIterator[dict[str, Any]]:
    """Yields the `data` of every `next` message until the server completes the subscription."""
    failures = 0
    while True:
        try:
            async with connect(url, subprotocols=[PROTOCOL]) as socket:
                await socket.send(json.dumps({"type": "connection_init", "payload": dict(credentials)}))
                await _await_ack(socket)
                await socket.send(json.dumps({"type": "subscribe", "id": "1", "payload": dict(payload)}))
                async for raw in socket:
                    message = json.loads(raw)
                    kind = message.get("type")
                    if kind == "ping":
                        await socket.send(json.dumps({"type": "pong"}))
                    elif kind == "next":
                        failures = 0
                        result = message.get("payload") or {}
                        if result.get("errors"):
                            raise _error_of(result["errors"])
                        yield result.get("data") or {}
                    elif kind == "error":
                        raise _error_of(message.get("payload"))
                    elif kind == "complete":
                        return
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd is not None else 1006
            reason = closed.rcvd.reason if closed.rcvd is not None else ""
            if code in _REFUSED_CREDENTIALS:
                raise UnauthenticatedError(reason or "the server refused the credentials") from closed
            if code in _FATAL:
                raise APIConnectionError(f"subscription closed with {code}: {reason}") from closed
        except (OSError, InvalidHandshake, asyncio.TimeoutError) as error:
            if failures >= max_reconnects:
                raise APIConnectionError(f"could not subscribe: {error}") from error
        # The socket ended without `complete`: open a new one and subscribe again.
        if failures >= max_reconnects:
            raise APIConnectionError("the subscription's connection kept dropping")
        await asyncio.sleep(retry_delay(failures, None))
        failures += 1


_JOIN_TIMEOUT = 5.0
"""Seconds a closed blocking subscription waits for its helper thread to close the socket."""


def subscribe_blocking(url: str, credentials: Mapping[str, str], payload: Mapping[str, Any], *, max_reconnects: int = 5) -> Iterator[dict[str, Any]]:
    """subscribe() for blocking code: the same socket, reconnects and errors.

    The socket lives on an event loop of its own in a helper thread; events reach the caller's
    thread through a queue. Breaking out of the loop (or closing the iterator) closes the socket.
    """
    events: queue.Queue[tuple[str, Any]] = queue.Queue()

    async def pump() -> None:
        try:
            async for data in subscribe(url, credentials, payload, max_reconnects=max_reconnects):
                events.put(("next", data))
        except Exception as error:  # handed to the caller's thread, raised there
            events.put(("error", error))
        else:
            events.put(("done", None))

    loop = asyncio.new_event_loop()
    task = loop.create_task(pump())

    def run() -> None:
        try:
            loop.run_until_complete(task)
        except asyncio.CancelledError:
            pass
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="musicverse-subscription", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = events.get()
            if kind == "next":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        if thread.is_alive():
            loop.call_soon_threadsafe(task.cancel)
            thread.join(_JOIN_TIMEOUT)
