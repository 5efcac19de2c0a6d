"""Turns the assistant's replies (bot/PROTOCOL.md) into what the bridge sends Telegram, without talking to it.

Text is escaped for Telegram's HTML parse mode, so a `*`, `<` or `&` in a knowledge entry arrives as written
and never starts formatting; text longer than a Telegram message is split on paragraph boundaries. Buttons
become an inline keyboard whose callback data carries the button's payload.
"""

from __future__ import annotations

import hashlib
import html
import logging
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.messages import message

logger = logging.getLogger(__name__)

# Telegram's limits: characters of a message text after entity parsing, and bytes of a button's callback data.
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
# Split long text on blank lines first, then on line breaks, then between words; cut hard only inside a word.
SEPARATORS = ("\n\n", "\n", " ")
# Prefix of the callback data that stands for a payload too long for Telegram (see PayloadStore).
STORED_PREFIX = "#"
# A card's title is shown in bold above its text; longer titles are cut.
TITLE_LIMIT = 256


@dataclass(frozen=True)
class Button:
    """A button of the assistant: the tap sends `payload` as the user's next message."""

    title: str
    payload: str


@dataclass(frozen=True)
class Text:
    """One Telegram text message, already escaped for parse mode HTML."""

    html: str
    buttons: tuple[Button, ...] = ()
    link: tuple[str, str] | None = None  # (title, url): a URL button, e.g. a map link
    request_location: bool = False  # a reply keyboard with a "share my location" button


@dataclass(frozen=True)
class Photo:
    """An image: an http(s) URL, or a path on the web gateway (e.g. /charts/<id>.png)."""

    url: str


@dataclass(frozen=True)
class Venue:
    """A place, sent as a Telegram venue (a map pin with a title and an address)."""

    latitude: float
    longitude: float
    title: str
    address: str
    map_url: str = ""


@dataclass(frozen=True)
class Document:
    """A file to upload, e.g. an .ics calendar file."""

    url: str
    filename: str


Outgoing = Text | Photo | Venue | Document


def telegram_length(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`text` in pieces of at most `limit`: paragraphs if they fit, else lines, else words, else cuts."""
    text = text.strip()
    if not text:
        return []
    return _split(text, limit, SEPARATORS)


def _split(text: str, limit: int, separators: Sequence[str]) -> list[str]:
    if telegram_length(text) <= limit:
        return [text]
    if not separators:
        return _hard_cut(text, limit)
    separator, finer = separators[0], separators[1:]
    chunks: list[str] = []
    current = ""
    for part in text.split(separator):
        part = part.strip()
        if not part:
            continue
        for piece in _split(part, limit, finer):
            candidate = f"{current}{separator}{piece}" if current else piece
            if telegram_length(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


def _hard_cut(text: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:
        width = telegram_length(char)
        if size + width > limit:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        chunks.append("".join(current))
    return chunks


def escape(text: str) -> str:
    """`text` for parse mode HTML: every character shows as written, nothing becomes formatting."""
    return html.escape(text, quote=False)


def is_web_url(url: str) -> bool:
    """Whether `url` is an absolute http(s) URL (Telegram accepts only those in URL buttons)."""
    return url.startswith(("https://", "http://")) and len(url) > len("https://")


def plan(replies: Iterable[dict[str, Any]], language: str = "vi") -> list[Outgoing]:
    """The Telegram messages for the assistant's replies, in order. Unknown parts are logged and skipped."""
    outgoing: list[Outgoing] = []
    for reply in replies:
        if not isinstance(reply, dict):
            logger.warning("skipping a reply that is not an object: %r", type(reply).__name__)
            continue
        last = outgoing[-1] if outgoing else None
        if _bare_location_request(reply) and isinstance(last, Text) and _keyboard_free(last):
            # The assistant's REST channel sends a message's text and its custom part as two replies: the
            # location keyboard goes on the text just before, rather than on a prompt of its own.
            outgoing[-1] = Text(last.html, request_location=True)
            continue
        outgoing.extend(_plan_reply(reply, language))
    return outgoing


def _bare_location_request(reply: dict[str, Any]) -> bool:
    custom = reply.get("custom")
    return (
        isinstance(custom, dict)
        and custom.get("type") == "location_request"
        and not reply.get("text")
        and not reply.get("buttons")
        and not reply.get("image")
    )


def _keyboard_free(text: Text) -> bool:
    return not text.buttons and text.link is None and not text.request_location


def _plan_reply(reply: dict[str, Any], language: str) -> list[Outgoing]:
    found = reply.get("custom")
    custom: dict[str, Any] = found if isinstance(found, dict) else {}
    kind = custom.get("type")
    buttons = _buttons(reply.get("buttons"))
    outgoing: list[Outgoing] = []
    text = str(reply.get("text") or "")
    request_location = kind == "location_request"
    if text or buttons:
        outgoing.extend(_texts(text, buttons, message("choose_option", language)))
    if request_location:
        # A message has one keyboard: the location button needs a message of its own when there are buttons.
        last = outgoing[-1] if outgoing else None
        if isinstance(last, Text) and not last.buttons:
            outgoing[-1] = Text(last.html, request_location=True)
        else:
            outgoing.append(Text(escape(message("share_location_prompt", language)), request_location=True))
    image = reply.get("image")
    if isinstance(image, str) and image:
        outgoing.append(Photo(image))
    if kind == "venue":
        outgoing.extend(_venue(custom))
    elif kind == "card":
        outgoing.extend(_card(custom, language))
    elif kind == "document":
        outgoing.extend(_document(custom))
    elif custom and not request_location:
        logger.warning("skipping a custom reply of unknown type %r", kind)
    return outgoing


def _buttons(raw: object) -> tuple[Button, ...]:
    if not isinstance(raw, list):
        return ()
    buttons = []
    for item in raw:
        if isinstance(item, dict) and item.get("title") and item.get("payload"):
            buttons.append(Button(str(item["title"]), str(item["payload"])))
    return tuple(buttons)


def _texts(text: str, buttons: tuple[Button, ...], prompt: str) -> list[Text]:
    chunks = split_text(text) or [prompt]
    last = len(chunks) - 1
    return [Text(escape(chunk), buttons if i == last else ()) for i, chunk in enumerate(chunks)]


def _venue(custom: dict[str, Any]) -> list[Outgoing]:
    try:
        latitude, longitude = float(custom["latitude"]), float(custom["longitude"])
    except (KeyError, TypeError, ValueError):
        logger.warning("skipping a venue without a valid latitude and longitude")
        return []
    title = str(custom.get("title") or "").strip()
    address = str(custom.get("address") or "").strip() or title
    if not title:
        logger.warning("skipping a venue without a title")
        return []
    map_url = str(custom.get("map_url") or "")
    return [Venue(latitude, longitude, title, address, map_url if is_web_url(map_url) else "")]


def _card(custom: dict[str, Any], language: str) -> list[Outgoing]:
    outgoing: list[Outgoing] = []
    image = custom.get("image")
    if isinstance(image, str) and image:
        outgoing.append(Photo(image))
    title = str(custom.get("title") or "").strip()[:TITLE_LIMIT]
    body = str(custom.get("text") or "").strip()
    url = str(custom.get("url") or "")
    link = (message("open_map", language), url) if is_web_url(url) else None
    chunks = split_text(body, TEXT_LIMIT - telegram_length(title) - 2) if body else []
    parts = [f"<b>{escape(title)}</b>" if title else "", escape(chunks[0]) if chunks else ""]
    first = "\n\n".join(p for p in parts if p)
    if not first:
        return outgoing
    texts = [first, *(escape(c) for c in chunks[1:])]
    outgoing.extend(Text(t, link=link if i == len(texts) - 1 else None) for i, t in enumerate(texts))
    return outgoing


def _document(custom: dict[str, Any]) -> list[Outgoing]:
    url = str(custom.get("url") or "")
    if not url:
        logger.warning("skipping a document without a url")
        return []
    filename = str(custom.get("filename") or "").strip() or url.rstrip("/").rsplit("/", 1)[-1] or "file"
    return [Document(url, filename)]


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
