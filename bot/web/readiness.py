"""What the gateway's `GET /health/ready` reports: can the assistant answer now?

It asks every Rasa server of RASA_URL (`GET /`, no token needed) and the action server's `GET /health/stores`,
which checks the knowledge database (DATABASE_URL) and, in the scaled set-up, the conversations' database
(TRACKER_STORE_URL) and the lock store (LOCK_STORE_URL): the gateway itself opens no database. Each part is
"up" or "down"; the status is "ok" when all are up, "degraded" when some Rasa server is down but another
answers (HTTP 200 either way), and "down" (HTTP 503) when no Rasa server answers, the action server does not
answer, or a store is down. Addresses and error texts stay in the log.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from assistant.settings import Settings

logger = logging.getLogger(__name__)

# Seconds a Rasa server or the action server has to answer.
CHECK_TIMEOUT = 3.0
STATES = ("up", "down")


async def _rasa_up(session: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with session.get(f"{url}/", timeout=aiohttp.ClientTimeout(total=CHECK_TIMEOUT)) as response:
            return response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        logger.warning("readiness: Rasa at %s does not answer: %s", url, type(error).__name__)
        return False


async def _stores(session: aiohttp.ClientSession, actions_url: str) -> dict[str, str] | None:
    """The stores as the action server reports them; None when it does not answer."""
    try:
        async with session.get(
            f"{actions_url}/health/stores", timeout=aiohttp.ClientTimeout(total=CHECK_TIMEOUT * 2)
        ) as response:
            body = await response.json() if response.status == 200 else None
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        logger.warning(
            "readiness: the action server at %s does not answer: %s", actions_url, type(error).__name__
        )
        return None
    if not isinstance(body, dict):
        return None
    return {str(k): v for k, v in body.items() if v in STATES}


async def readiness(settings: Settings, session: aiohttp.ClientSession) -> tuple[int, dict[str, Any]]:
    """The HTTP status and body of GET /health/ready."""
    rasa, stores = await asyncio.gather(
        asyncio.gather(*(_rasa_up(session, url) for url in settings.rasa_urls)),
        _stores(session, settings.actions_url),
    )
    body: dict[str, Any] = {"rasa": ["up" if up else "down" for up in rasa]}
    body["actions"] = "down" if stores is None else "up"
    body.update(stores or {})
    if not any(rasa) or stores is None or "down" in stores.values():
        status = "down"
    else:
        status = "ok" if all(rasa) else "degraded"
    return (503 if status == "down" else 200), {"status": status, **body}
