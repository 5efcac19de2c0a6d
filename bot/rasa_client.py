"""The channels' client for the assistant's REST channel: timeouts, and spreading over several Rasa servers
without ever handling one message twice.

Requests go to the Rasa servers of RASA_URL in turn (round robin). A message is sent to the next server only
when it surely was not handled by the first, so a retry never makes the assistant see a message twice:

- The connection could not be made (refused, unreachable host): nothing reached that server. Try the next.
- The connection broke before a whole response came (the process died, or closed the connection), or the
  server answered 500, 502 or 503: the message may or may not have been handled. Rasa saves a conversation
  once, at the end of handling a message, and a process that is gone saves nothing more; so the client reads
  the conversation (`GET /conversations/<sender>/tracker`, the tracker store is shared) from the other servers.
  Every message carries a random `message_key` in its metadata, which Rasa stores with the user's event. When
  the tracker holds that key, the message was handled and saved: its replies are the bot events recorded after
  it, and it is not sent again. When the tracker does not hold it, the next server gets the message. When no
  server can show the tracker, the client cannot tell and gives up (AssistantUnavailable) rather than risk a
  second handling.
- A timeout is never retried: the server may still be handling the message (and holds the conversation's
  lock), so a second server would handle it again after it. The user is told the assistant is busy.
- Any other answer (a 4xx) would be the same on every server: no retry.

What this does not cover: a connection that breaks while the server lives on and is still handling the message
(a proxy restarting between them) would be retried after the tracker check and handled twice. Between the
channels and Rasa on one machine, or behind a Kubernetes Service, a connection breaks when the process dies.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.http_session import HttpSessionOwner

logger = logging.getLogger(__name__)

# Statuses after which the message may not have been handled: check the tracker, then try the next server.
CHECKED_STATUSES = frozenset({500, 502, 503})
# Seconds to wait for a tracker when checking whether a message was handled.
CHECK_TIMEOUT = 10.0
# Parts of a bot event's data that are replies of the REST channel (bot/PROTOCOL.md).
REPLY_PARTS = ("buttons", "image", "attachment", "custom")


class AssistantUnavailable(Exception):
    """No Rasa server answered in time; the channel tells the user it is busy."""


class _MaybeHandled(Exception):
    """The server may have handled the message before failing; the tracker must tell."""


def recorded_replies(events: Sequence[dict[str, Any]], message_key: str) -> list[dict[str, Any]] | None:
    """The replies Rasa recorded for the user message carrying `message_key`, as the REST channel returns
    them; None when no user event carries it (the message was not handled)."""
    replies: list[dict[str, Any]] | None = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            if replies is not None:
                break
            if (event.get("metadata") or {}).get("message_key") == message_key:
                replies = []
        elif kind == "bot" and replies is not None:
            data = event.get("data") or {}
            reply = {"text": event["text"]} if event.get("text") else {}
            reply.update({part: data[part] for part in REPLY_PARTS if data.get(part)})
            if reply:
                replies.append(reply)
    return replies


class RasaClient(HttpSessionOwner):
    """Sends a user's message to the REST channel of one of the Rasa servers and returns the replies.

    See the module's docstring for when a message goes to a second server.
    """

    def __init__(self, urls: Sequence[str], timeout: float = 30.0, token: str = "") -> None:
        if not urls:
            raise ValueError("at least one Rasa URL is needed")
        self._urls = [u.rstrip("/") for u in urls]
        self._next = itertools.cycle(range(len(self._urls)))
        self._token = token
        super().__init__(timeout)

    @property
    def _params(self) -> dict[str, str] | None:
        return {"token": self._token} if self._token else None

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The assistant's replies to `message` from `sender`; AssistantUnavailable when no server answers."""
        await self.start()
        key = uuid.uuid4().hex
        body = {"sender": sender, "message": message, "metadata": {**(metadata or {}), "message_key": key}}
        first = next(self._next)
        order = [self._urls[(first + i) % len(self._urls)] for i in range(len(self._urls))]
        for index, url in enumerate(order):
            try:
                return await self._post(url, body)
            except aiohttp.ClientConnectorError as error:  # never connected: nothing reached this server
                logger.warning("Rasa at %s cannot be reached: %s", url, type(error).__name__)
                continue
            except _MaybeHandled as failure:
                logger.warning("Rasa at %s failed: %s", url, failure)
            # Ask the others first: the failed server is probably gone.
            recorded = await self._recorded(sender, key, [*order[index + 1 :], *order[: index + 1]])
            if recorded is not None:
                logger.info("the message was handled by %s before it failed: recorded replies returned", url)
                return recorded
        raise AssistantUnavailable(f"none of {len(self._urls)} Rasa server(s) answered")

    async def _post(self, url: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        assert self._session is not None
        try:
            async with self._session.post(
                f"{url}/webhooks/rest/webhook", json=body, params=self._params
            ) as response:
                if response.status == 200:
                    replies = await response.json()
                    return replies if isinstance(replies, list) else []
                if response.status in CHECKED_STATUSES:
                    raise _MaybeHandled(f"HTTP {response.status}")
                logger.warning("Rasa at %s answered HTTP %s", url, response.status)
                raise AssistantUnavailable(f"Rasa answered HTTP {response.status}")
        except asyncio.TimeoutError as error:  # aiohttp raises asyncio.TimeoutError; maybe still handling
            logger.warning("Rasa at %s did not answer in time", url)
            raise AssistantUnavailable("Rasa did not answer in time") from error
        except aiohttp.ContentTypeError as error:  # a 200 whose body is not JSON: handled, replies unknown
            raise AssistantUnavailable("Rasa's answer was not JSON") from error
        except aiohttp.ClientConnectorError:
            raise
        except (aiohttp.ClientError, ValueError) as error:  # the connection broke during the exchange
            raise _MaybeHandled(type(error).__name__) from error

    async def _recorded(self, sender: str, key: str, urls: Sequence[str]) -> list[dict[str, Any]] | None:
        """The replies recorded for message `key` (None: not handled); AssistantUnavailable when no server
        can show the conversation."""
        assert self._session is not None
        params = {"include_events": "ALL", **(self._params or {})}
        timeout = aiohttp.ClientTimeout(total=CHECK_TIMEOUT)
        for url in urls:
            try:
                async with self._session.get(
                    f"{url}/conversations/{quote(sender, safe='')}/tracker", params=params, timeout=timeout
                ) as response:
                    if response.status != 200:
                        logger.warning("Rasa at %s answered HTTP %s for a tracker", url, response.status)
                        continue
                    tracker = await response.json()
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                logger.warning("Rasa at %s cannot show the tracker: %s", url, type(error).__name__)
                continue
            return recorded_replies(tracker.get("events") or [], key)
        raise AssistantUnavailable("no Rasa server could tell whether the message was handled")
