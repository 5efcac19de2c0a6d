"""Turns the assistant's replies (bot/PROTOCOL.md) into what the bridge sends Telegram, without talking to it.

The replies are read by bot/replies.py. Text is escaped for Telegram's HTML parse mode, so a `*`, `<` or `&` in a
knowledge entry arrives as written and never starts formatting; text longer than a Telegram message is split on
paragraph boundaries. Buttons become an inline keyboard whose callback data carries the button's payload.
"""

from __future__ import annotations

import hashlib
import html
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot import replies as protocol
from bot.messages import message
from bot.replies import Button, Card, read_replies

# Telegram's limits: characters of a message text after entity parsing, and bytes of a button's callback data.
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
# Prefix of the callback data that stands for a payload too long for Telegram (see PayloadStore).
STORED_PREFIX = "#"
# A card's title is shown in bold above its text; longer titles are cut.
TITLE_LIMIT = 256

# Telegram counts UTF-16 code units.
telegram_length = protocol.utf16_length
# An image, sent as a photo (a path such as /charts/<id>.png is fetched from MEDIA_URL and uploaded).
Photo = protocol.Image
# A place, sent as a Telegram venue (a map pin with a title and an address) with its map link as a button.
Venue = protocol.Place
# A file to upload, e.g. an .ics calendar file.
Document = protocol.File


@dataclass(frozen=True)
class Text:
    """One Telegram text message, already escaped for parse mode HTML."""

    html: str
    buttons: tuple[Button, ...] = ()
    link: tuple[str, str] | None = None  # (title, url): a URL button, e.g. a map link
    request_location: bool = False  # a reply keyboard with a "share my location" button


Outgoing = Text | Photo | Venue | Document


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`text` in pieces of at most `limit` as Telegram counts: paragraphs if they fit, else lines, else words."""
    return protocol.split_text(text, limit, telegram_length)


def escape(text: str) -> str:
    """`text` for parse mode HTML: every character shows as written, nothing becomes formatting."""
    return html.escape(text, quote=False)


def plan(replies: Iterable[dict[str, Any]], language: str = "vi") -> list[Outgoing]:
    """The Telegram messages for the assistant's replies, in order. Unknown parts are logged and skipped."""
    outgoing: list[Outgoing] = []
    for part in read_replies(replies):
        if isinstance(part, protocol.Said):
            outgoing.extend(_texts(part.text, part.buttons, message("choose_option", language)))
        elif isinstance(part, protocol.LocationRequest):
            last = outgoing[-1] if outgoing else None
            if isinstance(last, Text) and _keyboard_free(last):
                # A message has one keyboard: the location keyboard goes on the text that asks, when it has none.
                outgoing[-1] = Text(last.html, request_location=True)
            else:
                outgoing.append(
                    Text(escape(message("share_location_prompt", language)), request_location=True)
                )
        elif isinstance(part, Card):
            outgoing.extend(_card(part, language))
        else:
            outgoing.append(part)
    return outgoing


def _keyboard_free(text: Text) -> bool:
    return not text.buttons and text.link is None and not text.request_location


def _texts(text: str, buttons: tuple[Button, ...], prompt: str) -> list[Text]:
    chunks = split_text(text) or [prompt]
    last = len(chunks) - 1
    return [Text(escape(chunk), buttons if i == last else ()) for i, chunk in enumerate(chunks)]


def _card(card: Card, language: str) -> list[Outgoing]:
    outgoing: list[Outgoing] = [Photo(card.image)] if card.image else []
    title = card.title[:TITLE_LIMIT]
    link = (message("open_map", language), card.url) if card.url else None
    chunks = split_text(card.text, TEXT_LIMIT - telegram_length(title) - 2) if card.text else []
    parts = [f"<b>{escape(title)}</b>" if title else "", escape(chunks[0]) if chunks else ""]
    first = "\n\n".join(p for p in parts if p)
    if not first:
        return outgoing
    texts = [first, *(escape(c) for c in chunks[1:])]
    outgoing.extend(Text(t, link=link if i == len(texts) - 1 else None) for i, t in enumerate(texts))
    return outgoing


class PayloadStore:
    """Callback data for button payloads.

    A payload that fits Telegram's 64 bytes is the callback data itself, so a button keeps working after the
    bridge restarts. A longer one is kept here (the newest `size` of them) under a short key.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def encode(self, payload: str) -> str:
        """The callback data for a button with `payload`."""
        if len(payload.encode()) <= CALLBACK_DATA_LIMIT and not payload.startswith(STORED_PREFIX):
            return payload
        key = STORED_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:32]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self._size:
            self._payloads.popitem(last=False)
        return key

    def decode(self, data: str) -> str | None:
        """The payload of a tapped button, or None when it is no longer known."""
        if not data:
            return None
        if data.startswith(STORED_PREFIX):
            return self._payloads.get(data)
        return data
