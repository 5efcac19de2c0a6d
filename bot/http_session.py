"""One aiohttp session per client, opened from the running event loop and closed once."""

from __future__ import annotations

import aiohttp


class HttpSessionOwner:
    """Owns the aiohttp session its subclass sends requests with (`self._session`)."""

    def __init__(self, timeout: float) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout)
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
