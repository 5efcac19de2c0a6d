"""Turns the assistant's replies (bot/PROTOCOL.md, read by bot/replies.py) into what the bridge sends Zalo.

Zalo shows plain text only (no Markdown, no HTML), has no buttons, no venues, no files and no way to share a
location with a bot, so:

- text is sent as written, split at 2,000 characters on paragraph boundaries;
- the assistant's choices become a numbered list under the text ("1. ...", one per line), numbered on from the
  choices before them in the same answer; the user picks one by replying with its number (bot/zalo/chats.py);
- an image is a photo Zalo fetches from PUBLIC_BASE_URL + its path (a chart's figures are in the text next to it);
- a place is its name, address and OpenStreetMap link; a card its title, text and map link; a file a link;
- a request for the user's location becomes a request for the name of a place near them.

Consecutive pieces of text go into one message while it stays within the limit, and nothing is appended after
a numbered list, so that the list is the end of its message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot import replies as protocol
from bot.messages import message
from bot.replies import Button, absolute_url, read_replies, split_text, utf16_length

# Zalo's limit on a message's text; counted in UTF-16 code units, which is never fewer than characters.
TEXT_LIMIT = 2000


@dataclass(frozen=True)
class Text:
    """One Zalo text message, plain."""

    text: str


# An image, sent as a photo from its absolute URL.
Photo = protocol.Image
Outgoing = Text | Photo


@dataclass(frozen=True)
class Plan:
    """The messages to send, in order, and the choices they offer (numbered from 1)."""

    outgoing: tuple[Outgoing, ...]
    choices: tuple[Button, ...] = ()


def numbered(buttons: Sequence[Button], first: int, language: str) -> str:
    """The choices as a numbered list, one per line, with how to pick one."""
    lines = [f"{number}. {button.title}" for number, button in enumerate(buttons, start=first)]
    return "\n".join([*lines, message("choices_hint", language)])


class _Messages:
    """The outgoing messages being built: text joins the text message before it while it fits."""

    def __init__(self) -> None:
        self.items: list[Outgoing] = []
        self._open = False  # whether the last item is text that more text may join

    def add_text(self, *paragraphs: str, closes: bool = False) -> None:
        text = "\n\n".join(p.strip() for p in paragraphs if p.strip())
        if not text:
            return
        last = self.items[-1] if self.items else None
        if self._open and isinstance(last, Text):
            joined = f"{last.text}\n\n{text}"
            if utf16_length(joined) <= TEXT_LIMIT:
                self.items[-1] = Text(joined)
                self._open = not closes
                return
        self.items.extend(Text(piece) for piece in split_text(text, TEXT_LIMIT, utf16_length))
        self._open = not closes

    def add_photo(self, url: str) -> None:
        self.items.append(Photo(url))
        self._open = False


def plan(replies: Iterable[dict[str, Any]], language: str, public_base_url: str) -> Plan:
    """The Zalo messages for the assistant's replies, and the choices they offer."""
    built = _Messages()
    choices: list[Button] = []
    for part in read_replies(replies):
        if isinstance(part, protocol.Said):
            if part.buttons:
                text = part.text or message("choose_option", language)
                built.add_text(text, numbered(part.buttons, len(choices) + 1, language), closes=True)
                choices.extend(part.buttons)
            else:
                built.add_text(part.text)
        elif isinstance(part, protocol.LocationRequest):
            built.add_text(message("location_by_name", language))
        elif isinstance(part, protocol.Image):
            built.add_photo(absolute_url(public_base_url, part.url))
        elif isinstance(part, protocol.Place):
            address = part.address if part.address != part.title else ""
            link = message("map_link", language, url=part.map_url) if part.map_url else ""
            built.add_text("\n".join(line for line in (part.title, address, link) if line))
        elif isinstance(part, protocol.Card):
            if part.image:
                built.add_photo(absolute_url(public_base_url, part.image))
            link = message("map_link", language, url=part.url) if part.url else ""
            built.add_text("\n".join(line for line in (part.title, part.text, link) if line))
        elif isinstance(part, protocol.File):
            url = absolute_url(public_base_url, part.url)
            kind = "calendar_link" if part.filename.lower().endswith(".ics") else "file_link"
            built.add_text(message(kind, language, url=url, filename=part.filename))
    return Plan(tuple(built.items), tuple(choices))
