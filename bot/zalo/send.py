"""Sends planned messages (bot/zalo/render.py) to one Zalo chat, in order, and shows "typing" meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence

from bot.messages import message
from bot.zalo.api import ZaloApiError, ZaloBotApi, ZaloError
from bot.zalo.render import Outgoing, Photo, Text

logger = logging.getLogger(__name__)

# Zalo shows "typing" for about five seconds: shown again this often while the assistant works.
TYPING_EVERY = 4.0


@contextlib.asynccontextmanager
async def typing(api: ZaloBotApi, chat_id: str) -> AsyncIterator[None]:
    """Show "typing" in the chat while the block runs."""
    task = asyncio.create_task(_keep_typing(api, chat_id))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _keep_typing(api: ZaloBotApi, chat_id: str) -> None:
    while True:
        try:
            await api.send_typing(chat_id)
        except ZaloError as error:  # only a courtesy: the answer matters, not the indicator
            logger.debug("typing not shown in chat %s: %s", chat_id, error)
        await asyncio.sleep(TYPING_EVERY)


async def deliver(api: ZaloBotApi, chat_id: str, outgoing: Sequence[Outgoing], language: str) -> None:
    """Send each planned message to `chat_id`, in order. A message Zalo refuses is logged and skipped (an image
    it cannot fetch becomes its link); failures of the network or of Zalo itself, once retried, are raised."""
    for item in outgoing:
        try:
            if isinstance(item, Text):
                await api.send_message(chat_id, item.text)
            else:
                await api.send_photo(chat_id, item.url)
        except ZaloApiError as error:
            if not error.refused:
                raise
            logger.warning("Zalo refused a %s for chat %s: %s", type(item).__name__, chat_id, error)
            if isinstance(item, Photo):
                await api.send_message(chat_id, message("image_link", language, url=item.url))
