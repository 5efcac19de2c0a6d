"""The assistant's replies (bot/PROTOCOL.md) read into parts that each channel renders its own way.

Every channel reads the same protocol: text, buttons, an image, and the custom types (venue, card, document,
location_request). This module reads it once, leaving out what cannot be sent (a venue without coordinates, a
map link that is not an http(s) URL, an unknown custom type), and splits long text on paragraph boundaries.
How a part looks (an inline keyboard or a numbered list, a venue or a map link) is the channel's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

# Split long text on blank lines first, then on line breaks, then between words; cut hard only inside a word.
SEPARATORS = ("\n\n", "\n", " ")


@dataclass(frozen=True)
class Button:
    """A choice the assistant offers: choosing it sends `payload` as the user's next message."""

    title: str
    payload: str


@dataclass(frozen=True)
class Said:
    """Text (possibly empty when there are buttons) and the choices offered under it."""

    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class LocationRequest:
    """The assistant asks for the user's location (it comes right after the text that asks)."""


@dataclass(frozen=True)
class Image:
    """An image: an http(s) URL, or a path the action server serves (e.g. /charts/<key>.png)."""

    url: str


@dataclass(frozen=True)
class Place:
    """A place with coordinates; `map_url` is an http(s) link or empty."""

    latitude: float
    longitude: float
    title: str
    address: str
    map_url: str = ""


@dataclass(frozen=True)
class Card:
    """A titled piece of text, with a map link (http(s) or empty) and an image (or empty)."""

    title: str
    text: str
    url: str = ""
    image: str = ""


@dataclass(frozen=True)
class File:
    """A file to offer, e.g. an event's .ics calendar file (a URL or a path the action server serves)."""

    url: str
    filename: str


Part = Said | LocationRequest | Image | Place | Card | File


def utf16_length(text: str) -> int:
    """The length in UTF-16 code units, as Telegram counts (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def is_web_url(url: str) -> bool:
    """Whether `url` is an absolute http(s) URL."""
    return url.startswith(("https://", "http://")) and len(url) > len("https://")


def absolute_url(base_url: str, url: str) -> str:
    """`url` itself when it is an http(s) URL, else the path `url` on `base_url`."""
    return url if is_web_url(url) else f"{base_url.rstrip('/')}/{url.lstrip('/')}"


def split_text(text: str, limit: int, length: Callable[[str], int] = len) -> list[str]:
    """`text` in pieces of at most `limit` (as `length` counts): paragraphs if they fit, else lines, else
    words, else cuts."""
    text = text.strip()
    if not text:
        return []
    return _split(text, limit, SEPARATORS, length)


def _split(text: str, limit: int, separators: Sequence[str], length: Callable[[str], int]) -> list[str]:
    if length(text) <= limit:
        return [text]
    if not separators:
        return _hard_cut(text, limit, length)
    separator, finer = separators[0], separators[1:]
    chunks: list[str] = []
    current = ""
    for part in text.split(separator):
        part = part.strip()
        if not part:
            continue
        for piece in _split(part, limit, finer, length):
            candidate = f"{current}{separator}{piece}" if current else piece
            if length(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


def _hard_cut(text: str, limit: int, length: Callable[[str], int]) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:
        width = length(char)
        if size + width > limit:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        chunks.append("".join(current))
    return chunks


def read_replies(replies: Iterable[dict[str, Any]]) -> list[Part]:
    """The parts of the assistant's replies, in order. What cannot be sent is logged and skipped."""
    parts: list[Part] = []
    for reply in replies:
        if not isinstance(reply, dict):
            logger.warning("skipping a reply that is not an object: %r", type(reply).__name__)
            continue
        parts.extend(_read_reply(reply))
    return parts


def _read_reply(reply: dict[str, Any]) -> list[Part]:
    found = reply.get("custom")
    custom: dict[str, Any] = found if isinstance(found, dict) else {}
    kind = custom.get("type")
    parts: list[Part] = []
    text = str(reply.get("text") or "")
    buttons = _buttons(reply.get("buttons"))
    if text or buttons:
        parts.append(Said(text, buttons))
    if kind == "location_request":
        parts.append(LocationRequest())
    image = reply.get("image")
    if isinstance(image, str) and image:
        parts.append(Image(image))
    if kind == "venue":
        parts.extend(_place(custom))
    elif kind == "card":
        parts.extend(_card(custom))
    elif kind == "document":
        parts.extend(_file(custom))
    elif custom and kind != "location_request":
        logger.warning("skipping a custom reply of unknown type %r", kind)
    return parts


def _buttons(raw: object) -> tuple[Button, ...]:
    if not isinstance(raw, list):
        return ()
    buttons = []
    for item in raw:
        if isinstance(item, dict) and item.get("title") and item.get("payload"):
            buttons.append(Button(str(item["title"]), str(item["payload"])))
    return tuple(buttons)


def _place(custom: dict[str, Any]) -> list[Part]:
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
    return [Place(latitude, longitude, title, address, map_url if is_web_url(map_url) else "")]


def _card(custom: dict[str, Any]) -> list[Part]:
    image = custom.get("image")
    url = str(custom.get("url") or "")
    return [
        Card(
            title=str(custom.get("title") or "").strip(),
            text=str(custom.get("text") or "").strip(),
            url=url if is_web_url(url) else "",
            image=image if isinstance(image, str) else "",
        )
    ]


def _file(custom: dict[str, Any]) -> list[Part]:
    url = str(custom.get("url") or "")
    if not url:
        logger.warning("skipping a document without a url")
        return []
    filename = str(custom.get("filename") or "").strip() or url.rstrip("/").rsplit("/", 1)[-1] or "file"
    return [File(url, filename)]
