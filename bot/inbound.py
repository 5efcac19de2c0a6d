"""What the channels pass on from users: cleaned text within the limits, and the forced-intent policy.

Rasa reads a message that starts with `/` as a forced intent (`/intent{"entity": value}`) and skips the NLU.
Users of the web widget and of Telegram may force only what our own buttons send: the intents and entity keys
below, with short string or number values. Anything else that starts with `/` loses its leading slashes and
goes through the NLU as ordinary text ("/no_such_intent" -> "no_such_intent"). The REST channel itself is for
trusted integrators (the channels send their own forced intents through it) and is not filtered; see
bot/PROTOCOL.md.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata

# Longest message a user may send, in characters (after cleaning); longer ones are refused as too_long.
MAX_MESSAGE_CHARS = 1000
# Longest string value of a forced intent's entity (our payloads carry ids, codes and years).
MAX_VALUE_CHARS = 100
# Largest number a forced entity may carry (latitudes, longitudes, years).
MAX_NUMBER = 1e6

# Intents our buttons and channels send as payloads: every question intent (assistant/answering/dispatch.py
# ANSWERS), the topic buttons, feedback, the greeting the widget sends, /help, and a shared location.
FORCEABLE_INTENTS = frozenset(
    {
        "greet",
        "help",
        "choose_topic",
        "feedback",
        "share_location",
        "ask_nearby",
        "ask_site_info",
        "ask_site_location",
        "ask_site_recognition",
        "ask_site_visiting",
        "list_sites",
        "ask_tourism_stat",
        "ask_stat_chart",
        "ask_service_howto",
        "ask_service_documents",
        "ask_service_fee",
        "ask_service_time",
        "ask_service_help",
        "ask_event_date",
        "ask_event_theme",
        "ask_event_organiser",
        "ask_event_figures",
        "ask_event_info",
        "list_events",
        "ask_dti_rank",
        "ask_dt_info",
    }
)
# Entity keys of those payloads.
FORCEABLE_ENTITIES = frozenset(
    {
        "language",
        "topic",
        "province",
        "year",
        "site",
        "service",
        "event",
        "metric",
        "pillar",
        "dt_entry",
        "feedback_value",
        "feedback_entry",
        "latitude",
        "longitude",
    }
)

_FORCED = re.compile(r"/(?P<intent>[a-z_]+)(?P<entities>\{.*\})?", re.DOTALL)
_LEADING_SLASHES = re.compile(r"^[\s/]+")
# Zero-width (non-)joiners are kept: emoji sequences and some scripts need them. Tag characters build flags.
_KEPT_FORMAT = frozenset("\u200c\u200d")
_LINE_BREAKS = str.maketrans(
    {"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\t": " ", "\x0b": " ", "\x0c": " "}
)


class Refused(Exception):
    """A message the channel answers itself; `key` names its wording in bot/messages.yml."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _kept(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cc":
        return char == "\n"
    if category == "Cf":
        return char in _KEPT_FORMAT or "\U000e0020" <= char <= "\U000e007f"
    return category != "Cs"


def clean_text(text: str) -> str:
    """`text` in NFC without control characters, invisible format characters (zero-width space, BOM,
    direction marks and overrides) and lone surrogates, trimmed; tabs become spaces, line breaks `\\n`."""
    text = text.replace("\r\n", "\n").translate(_LINE_BREAKS)
    return unicodedata.normalize("NFC", "".join(c for c in text if _kept(c))).strip()


def _valid_value(value: object) -> bool:
    if isinstance(value, str):
        return 0 < len(value) <= MAX_VALUE_CHARS and all(_kept(c) and c != "\n" for c in value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value) and abs(value) <= MAX_NUMBER


def forced_intent(text: str) -> str | None:
    """The payload `text` forces, written as our buttons write it, when users may force it; else None."""
    match = _FORCED.fullmatch(text)
    if match is None or match["intent"] not in FORCEABLE_INTENTS:
        return None
    intent, raw = match["intent"], match["entities"]
    if raw is None:
        return f"/{intent}"
    try:
        entities = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(entities, dict) or not all(
        key in FORCEABLE_ENTITIES and _valid_value(value) for key, value in entities.items()
    ):
        return None
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


def user_text(text: str) -> str:
    """What the assistant receives for `text` a user typed or a button sent.

    Raises Refused('empty') when nothing is left and Refused('too_long') beyond MAX_MESSAGE_CHARS.
    """
    text = clean_text(text)
    if len(text) > MAX_MESSAGE_CHARS:
        raise Refused("too_long")
    if text.startswith("/"):
        text = forced_intent(text) or _LEADING_SLASHES.sub("", text)
    if not text:
        raise Refused("empty")
    return text
