"""What the gateway's `GET /health/ready` reports: can the assistant answer now?

It asks every Rasa server of RASA_URL (`GET /`, no token needed) and checks the knowledge database
(DATABASE_URL) and, in the scaled set-up, the conversations' database (TRACKER_STORE_URL) and the lock store
(LOCK_STORE_URL). Each part is "up" or "down"; the status is "ok" when all are up, "degraded" when some Rasa
server is down but another answers (HTTP 200 either way), and "down" (HTTP 503) when no Rasa server answers or
a store is down. Addresses and error texts stay in the log.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from actions.settings import Settings
from scaleout.stores import StoreError, database_down, ping_redis, public_url

logger = logging.getLogger(__name__)

# Seconds a Rasa server has to answer.
RASA_TIMEOUT = 3.0


async def _rasa_up(session: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with session.get(f"{url}/") as response:
            return response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        logger.warning("readiness: Rasa at %s does not answer: %s", url, type(error).__name__)
        return False


def _database(url: str) -> str:
    reason = database_down(url)
    if reason:
        logger.warning("readiness: the database %s is down: %s", public_url(url), reason)
    return "down" if reason else "up"


def _redis(url: str) -> str:
    try:
        ping_redis(url)
    except StoreError as error:
        logger.warning("readiness: %s", error)
        return "down"
    return "up"


async def readiness(settings: Settings) -> tuple[int, dict[str, Any]]:
    """The HTTP status and body of GET /health/ready."""
    timeout = aiohttp.ClientTimeout(total=RASA_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        rasa = await asyncio.gather(*(_rasa_up(session, url) for url in settings.rasa_urls))
    loop = asyncio.get_running_loop()
    stores = {"database": loop.run_in_executor(None, _database, settings.database_url)}
    if settings.tracker_store_url:
        stores["tracker_store"] = loop.run_in_executor(None, _database, settings.tracker_store_url)
    if settings.lock_store_url:
        stores["lock_store"] = loop.run_in_executor(None, _redis, settings.lock_store_url)
    body: dict[str, Any] = {"rasa": ["up" if up else "down" for up in rasa]}
    body.update({name: await check for name, check in stores.items()})
    if not any(rasa) or any(body[name] == "down" for name in stores):
        status = "down"
    else:
        status = "ok" if all(rasa) else "degraded"
    return (503 if status == "down" else 200), {"status": status, **body}
