"""What a question is (the user's words plus context) and what an answer is (messages plus slot updates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.kb.index import is_follow_up

# Slots the answering code reads as context and writes back.
CONTEXT_SLOTS = (
    "site",
    "province",
    "year",
    "metric",
    "pillar",
    "service",
    "event",
    "dt_entry",
    "last_intent",
    "latitude",  # the latest location the user shared (assistant/answering/nearby.py)
    "longitude",
)


@dataclass
class Message:
    """One message of the assistant: text, quick-reply buttons, or a custom payload (see bot/PROTOCOL.md)."""

    text: str = ""
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] | None = None
    image: str | None = None


@dataclass
class Reply:
    """The messages to send, the slots to set, and the knowledge entry the answer came from."""

    messages: list[Message] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    entry: str | None = None  # "topic:id" of the entry the answer came from (for feedback)
    answered: bool = True  # False when the assistant had nothing (recorded as unanswered)
    asks: str | None = None  # the wording key of what it asks for instead of answering ('ask_year', ...)

    def say(self, text: str, buttons: list[dict[str, str]] | None = None) -> Reply:
        """Add a text message (optionally with buttons)."""
        self.messages.append(Message(text=text, buttons=buttons or []))
        return self


@dataclass(frozen=True)
class Question:
    """A user's question as the answering code sees it.

    `text` is the message as the answering code reads it: folded, with the abbreviations people type written
    out (knowledge/language/abbreviations.yml); `original` is what the user typed. `mentioned` holds the
    entries named in this very message (topic -> ids, in the order mentioned), `years` the years written in
    it, `values` entity values from the NLU (metric, pillar), and `context` the slots carried over from
    earlier turns.
    """

    intent: str
    text: str
    language: str
    today: date
    mentioned: dict[str, list[str]] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    unknown_place: str | None = None
    original: str = ""

    def first(self, topic: str) -> str | None:
        """The first entry of `topic` named in this message."""
        ids = self.mentioned.get(topic) or []
        return ids[0] if ids else None

    def follows_up(self) -> bool:
        """True for a follow-up: read as one ('inform'), or marked as one ("Còn …", "And …?", "… thì sao?")."""
        return self.intent == "inform" or is_follow_up(self.text)

    def explicit(self, slot: str) -> Any:
        """The value of `slot` stated in this message, or None."""
        if slot == "year":
            return self.years[0] if self.years else None
        if slot in self.values:
            return self.values[slot]
        topic = SLOT_TOPICS.get(slot)
        return self.first(topic) if topic else None

    def value(self, slot: str) -> Any:
        """The value of `slot` stated in this message, else carried over from the conversation."""
        explicit = self.explicit(slot)
        if explicit is not None:
            return explicit
        value = self.context.get(slot)
        if slot == "year" and value is not None:
            try:
                return int(str(value))
            except ValueError:
                return None
        return value


SLOT_TOPICS = {
    "site": "heritage_sites",
    "province": "provinces",
    "service": "public_services",
    "event": "events",
    "dt_entry": "digital_transformation",
}
