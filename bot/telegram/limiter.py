"""The bridge's rate limiter: python-telegram-bot's AIORateLimiter, about one message a second per private
chat, and retries with back-off when the network to Telegram fails.

Telegram allows about 30 messages a second overall and 20 a minute in a group (AIORateLimiter's defaults); in
one chat it asks for no more than about one a second, with short bursts tolerated. A 429 answer
(`retry_after`) is waited out by AIORateLimiter and the request sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

logger = logging.getLogger(__name__)

# Per private chat: a burst of CHAT_BURST messages, then one a second.
CHAT_BURST = 3
# 429 answers waited out per request, and network failures retried per request (after 0.5, 1, 2 s).
RATE_LIMIT_RETRIES = 3
NETWORK_RETRIES = 3
BACKOFF_SECONDS = 0.5
# Forget the limiters of idle chats when there are more than this many.
MAX_CHAT_LIMITERS = 1024

Callback = Callable[..., Coroutine[Any, Any, Any]]


def safe_to_retry(error: NetworkError, endpoint: str) -> bool:
    """Whether sending the request again cannot show the user a message twice."""
    if isinstance(error, BadRequest):
        return False
    if isinstance(error, TimedOut) and endpoint.startswith("send"):
        # Telegram may have sent the message before the answer timed out; only retry if it never got it.
        return isinstance(error.__cause__, (httpx.ConnectTimeout, httpx.PoolTimeout))
    return True


class BridgeRateLimiter(AIORateLimiter):
    """AIORateLimiter plus a per-private-chat limit and retries with back-off on network errors."""

    def __init__(self, network_retries: int = NETWORK_RETRIES, backoff: float = BACKOFF_SECONDS) -> None:
        super().__init__(max_retries=RATE_LIMIT_RETRIES)
        self._network_retries = network_retries
        self._backoff = backoff
        self._chat_limiters: dict[int, AsyncLimiter] = {}

    def _chat_limiter(self, chat_id: object) -> AsyncLimiter | None:
        try:
            chat = int(chat_id)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return None
        if chat <= 0:  # groups and channels: AIORateLimiter's group limit applies
            return None
        if len(self._chat_limiters) > MAX_CHAT_LIMITERS:
            for key, limiter in list(self._chat_limiters.items()):
                if key != chat and limiter.has_capacity(limiter.max_rate):
                    del self._chat_limiters[key]
        if chat not in self._chat_limiters:
            self._chat_limiters[chat] = AsyncLimiter(max_rate=CHAT_BURST, time_period=CHAT_BURST)
        return self._chat_limiters[chat]

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Send one Bot API request within the limits, retrying network failures with back-off."""
        chat_limiter = self._chat_limiter(data.get("chat_id"))
        async with chat_limiter or contextlib.nullcontext():
            for attempt in range(self._network_retries + 1):
                try:
                    return await super().process_request(
                        callback, args, kwargs, endpoint, data, rate_limit_args
                    )
                except NetworkError as error:
                    if attempt == self._network_retries or not safe_to_retry(error, endpoint):
                        raise
                    delay = self._backoff * 2**attempt
                    logger.warning("Telegram %s failed (%s); retrying in %.1f s", endpoint, error, delay)
                    await asyncio.sleep(delay)
        raise AssertionError("unreachable")
