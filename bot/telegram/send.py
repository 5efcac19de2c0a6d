"""Sends planned messages (bot/telegram/render.py) to one Telegram chat, in order."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Sequence

import aiohttp
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.http_session import HttpSessionOwner
from bot.messages import message
from bot.replies import is_web_url
from bot.telegram.render import (
    Button,
    Document,
    Outgoing,
    PayloadStore,
    Photo,
    Text,
    Venue,
    escape,
)

logger = logging.getLogger(__name__)

# Largest file the bridge downloads to upload to Telegram (Telegram's own limit for photos is 10 MB).
MAX_MEDIA_BYTES = 10 * 1024 * 1024
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class MediaError(Exception):
    """An image or file could not be fetched for upload."""


class MediaFetcher(HttpSessionOwner):
    """Downloads images and files the assistant names, to upload them.

    Paths such as /charts/1.png are made by the action server (MEDIA_URL), which Telegram cannot reach; and
    Telegram itself fetches only .pdf and .zip documents by URL.
    """

    def __init__(self, base_url: str, timeout: float = 15.0) -> None:
        super().__init__(timeout)
        self._base_url = base_url.rstrip("/")

    def resolve(self, url: str) -> str:
        """The absolute URL of `url` (a path is taken on MEDIA_URL)."""
        return url if is_web_url(url) else f"{self._base_url}/{url.lstrip('/')}"

    async def fetch(self, url: str) -> bytes:
        """The bytes at `url`; MediaError when they cannot be had."""
        await self.start()
        assert self._session is not None
        try:
            async with self._session.get(self.resolve(url)) as response:
                if response.status != 200:
                    raise MediaError(f"HTTP {response.status}")
                if (response.content_length or 0) > MAX_MEDIA_BYTES:
                    raise MediaError("too large")
                data = await response.content.read(MAX_MEDIA_BYTES + 1)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            raise MediaError(type(error).__name__) from error
        if len(data) > MAX_MEDIA_BYTES:
            raise MediaError("too large")
        return data


def inline_keyboard(buttons: Sequence[Button], payloads: PayloadStore) -> InlineKeyboardMarkup:
    """One button a row (titles are often long); each carries its payload as callback data."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.title, callback_data=payloads.encode(b.payload))] for b in buttons]
    )


def location_keyboard(language: str) -> ReplyKeyboardMarkup:
    """A keyboard whose one button shares the user's location (it hides after use)."""
    button = KeyboardButton(message("share_location_button", language), request_location=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


def _markup(
    item: Text, payloads: PayloadStore, language: str
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if item.buttons:
        return inline_keyboard(item.buttons, payloads)
    if item.link:
        title, url = item.link
        return InlineKeyboardMarkup([[InlineKeyboardButton(title, url=url)]])
    if item.request_location:
        return location_keyboard(language)
    return None


async def send_text(bot: Bot, chat_id: int, text: str) -> None:
    """Send the bridge's own plain `text` (escaped like every other text)."""
    await bot.send_message(chat_id, escape(text), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)


async def deliver(
    bot: Bot,
    chat_id: int,
    outgoing: Sequence[Outgoing],
    *,
    payloads: PayloadStore,
    media: MediaFetcher,
    language: str,
) -> None:
    """Send each planned message to `chat_id`, in order."""
    for item in outgoing:
        if isinstance(item, Text):
            await _send_text(bot, chat_id, item, _markup(item, payloads, language))
        elif isinstance(item, Photo):
            await _send_photo(bot, chat_id, item, media)
        elif isinstance(item, Venue):
            await _send_venue(bot, chat_id, item, language)
        elif isinstance(item, Document):
            await _send_document(bot, chat_id, item, media)


async def _send_text(
    bot: Bot, chat_id: int, item: Text, markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None
) -> None:
    try:
        await bot.send_message(
            chat_id,
            item.html,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=NO_PREVIEW,
        )
    except BadRequest as error:
        # Never expected (the text is escaped); send the words at least, as plain text without the keyboard.
        logger.warning("Telegram refused a message (%s); sending it as plain text", error)
        await bot.send_message(chat_id, html.unescape(item.html), link_preview_options=NO_PREVIEW)


async def _send_photo(bot: Bot, chat_id: int, item: Photo, media: MediaFetcher) -> None:
    try:
        photo: str | bytes = item.url if is_web_url(item.url) else await media.fetch(item.url)
        await bot.send_photo(chat_id, photo)
    except (BadRequest, MediaError) as error:
        logger.warning("image %s could not be sent (%s)", item.url, error)
        if is_web_url(item.url):
            await bot.send_message(chat_id, escape(item.url), parse_mode=ParseMode.HTML)


async def _send_venue(bot: Bot, chat_id: int, item: Venue, language: str) -> None:
    markup = None
    if item.map_url:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(message("open_map", language), url=item.map_url)]]
        )
    await bot.send_venue(
        chat_id,
        latitude=item.latitude,
        longitude=item.longitude,
        title=item.title,
        address=item.address,
        reply_markup=markup,
    )


async def _send_document(bot: Bot, chat_id: int, item: Document, media: MediaFetcher) -> None:
    try:
        data = await media.fetch(item.url)
        await bot.send_document(chat_id, InputFile(data, filename=item.filename))
    except (BadRequest, MediaError) as error:
        logger.warning("file %s could not be sent (%s)", item.url, error)
        if is_web_url(item.url):
            await bot.send_message(chat_id, escape(item.url), parse_mode=ParseMode.HTML)
