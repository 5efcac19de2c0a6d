"""The channels' client for the assistant's REST channel: timeouts, failover over several Rasa servers."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)


class AssistantUnavailable(Exception):
    """No Rasa server answered in time; the channel tells the user it is busy."""


class RasaClient:
    """Sends a user's message to the REST channel of one of the Rasa servers and returns the replies.

    Requests are spread over the servers in turn; a server that fails or times out is skipped and the next is
    tried, so one Rasa process going down loses no message.
    """

    def __init__(self, urls: Sequence[str], timeout: float = 30.0, token: str = "") -> None:
        if not urls:
            raise ValueError("at least one Rasa URL is needed")
        self._urls = [u.rstrip("/") for u in urls]
        self._next = itertools.cycle(range(len(self._urls)))
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._token = token
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the HTTP session (call once, from the running event loop)."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, sender: str, message: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The assistant's replies to `message` from `sender`; AssistantUnavailable when no server answers."""
        await self.start()
        assert self._session is not None
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        params = {"token": self._token} if self._token else None
        first = next(self._next)
        for offset in range(len(self._urls)):
            url = self._urls[(first + offset) % len(self._urls)]
            try:
                async with self._session.post(f"{url}/webhooks/rest/webhook", json=body, params=params) as response:
                    if response.status == 200:
                        replies = await response.json()
                        return replies if isinstance(replies, list) else []
                    logger.warning("Rasa at %s answered HTTP %s", url, response.status)
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:  # aiohttp raises asyncio.TimeoutError
                logger.warning("Rasa at %s failed: %s", url, type(error).__name__)
        raise AssistantUnavailable(f"none of {len(self._urls)} Rasa server(s) answered")
