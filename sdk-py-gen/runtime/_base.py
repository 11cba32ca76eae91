"""What both clients share: options, credentials, the request loop with retries, subscriptions."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from ._outcome import Outcome, outcome_of_exception, outcome_of_response
from ._retry import DEFAULT_MAX_RETRIES, retry_delay
from ._subscriptions import subscribe, subscribe_blocking
from .errors import MusicVerseError

DEFAULT_BASE_URL = "http://localhost:4000"
DEFAULT_TIMEOUT = 30.0
"""Seconds per HTTP request (each retry gets its own)."""


class _Options:
    def __init__(
        self,
        api_key: str | None,
        access_token: str | None,
        base_url: str | None,
        timeout: float,
        max_retries: int,
        headers: Mapping[str, str] | None,
    ) -> None:
        if api_key is None and access_token is None:
            api_key = os.environ.get("MUSICVERSE_API_KEY")
        if api_key and access_token:
            raise ValueError("give api_key or access_token, not both")
        self.base_url = (base_url or os.environ.get("MUSICVERSE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        # The same credentials go in HTTP headers and in the WebSocket connection_init payload.
        self.credentials: dict[str, str] = {}
        if api_key:
            self.credentials["X-API-Key"] = api_key
        elif access_token:
            self.credentials["Authorization"] = f"Bearer {access_token}"
        self.headers = {"accept": "application/graphql-response+json, application/json", **(headers or {}), **self.credentials}

    @property
    def http_url(self) -> str:
        return f"{self.base_url}/graphql"

    @property
    def ws_url(self) -> str:
        return "ws" + self.http_url[len("http") :] if self.http_url.startswith("http") else self.http_url

    def payload(self, document: str, operation_name: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        return {"query": document, "operationName": operation_name, "variables": dict(variables)}

    def should_retry(self, outcome: Outcome, retryable: bool, retries_done: int) -> bool:
        return retryable and outcome.retryable and retries_done < self.max_retries


def _finish(outcome: Outcome) -> dict[str, Any]:
    if outcome.data is not None:
        return outcome.data
    raise outcome.error or MusicVerseError("empty answer")


class AsyncClientBase:
    """Options: api_key (or env MUSICVERSE_API_KEY) or access_token; base_url (or env
    MUSICVERSE_URL, default http://localhost:4000); timeout per request in seconds; max_retries
    (default 2) after the first attempt; extra headers; an httpx.AsyncClient of your own."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        access_token: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_reconnects: int = 5,
    ) -> None:
        self._options = _Options(api_key, access_token, base_url, timeout, max_retries, headers)
        self._http = http_client or httpx.AsyncClient(timeout=timeout)
        self._owns_http = http_client is None
        self._max_reconnects = max_reconnects

    async def _request(self, document: str, operation_name: str, variables: Mapping[str, Any], *, retryable: bool) -> dict[str, Any]:
        payload = self._options.payload(document, operation_name, variables)
        retries_done = 0
        while True:
            try:
                response = await self._http.post(self._options.http_url, json=payload, headers=self._options.headers, timeout=self._options.timeout)
                outcome = outcome_of_response(response)
            except httpx.HTTPError as error:
                outcome = outcome_of_exception(error)
            if outcome.error is None or not self._options.should_retry(outcome, retryable, retries_done):
                return _finish(outcome)
            await asyncio.sleep(retry_delay(retries_done, outcome.retry_after))
            retries_done += 1

    def _subscribe(self, document: str, operation_name: str, variables: Mapping[str, Any]) -> AsyncIterator[dict[str, Any]]:
        payload = self._options.payload(document, operation_name, variables)
        return subscribe(self._options.ws_url, self._options.credentials, payload, max_reconnects=self._max_reconnects)

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None) -> None:
        await self.close()


class SyncClientBase:
    """The blocking twin of AsyncClientBase, with the same options; subscriptions are iterators."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        access_token: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        max_reconnects: int = 5,
    ) -> None:
        self._options = _Options(api_key, access_token, base_url, timeout, max_retries, headers)
        self._http = http_client or httpx.Client(timeout=timeout)
        self._owns_http = http_client is None
        self._max_reconnects = max_reconnects

    def _subscribe(self, document: str, operation_name: str, variables: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        payload = self._options.payload(document, operation_name, variables)
        return subscribe_blocking(self._options.ws_url, self._options.credentials, payload, max_reconnects=self._max_reconnects)

    def _request(self, document: str, operation_name: str, variables: Mapping[str, Any], *, retryable: bool) -> dict[str, Any]:
        payload = self._options.payload(document, operation_name, variables)
        retries_done = 0
        while True:
            try:
                response = self._http.post(self._options.http_url, json=payload, headers=self._options.headers, timeout=self._options.timeout)
                outcome = outcome_of_response(response)
            except httpx.HTTPError as error:
                outcome = outcome_of_exception(error)
            if outcome.error is None or not self._options.should_retry(outcome, retryable, retries_done):
                return _finish(outcome)
            time.sleep(retry_delay(retries_done, outcome.retry_after))
            retries_done += 1

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()
