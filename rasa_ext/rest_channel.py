"""The assistant's REST channel (credentials.yml): Rasa's own, with the checks every way in needs.

Rasa's RestInput answers 500 to a body that is not a JSON object, quietly answers nothing when the message is
not a string, and hands the NLU a message of any length. This subclass keeps Rasa's URL
(`/webhooks/rest/webhook`) and protocol, refuses such requests with a 4xx whose body is
`{"error": key, "message": text}` (the wording of bot/messages.yml, in the message's language), and hands Rasa
the message cleaned by bot/inbound.py (no control or invisible characters, NFC). Forced intents are not
filtered here: the channels send their own through it, and Rasa's port is for trusted integrators only
(bound to 127.0.0.1 unless RASA_TOKEN is set, see runtime/supervisor.py).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.text import LANGUAGES, detect_language
from bot.inbound import MAX_MESSAGE_CHARS, clean_text
from bot.messages import message

# Largest request body read, in bytes (a message of MAX_MESSAGE_CHARS characters and metadata fit easily).
MAX_BODY_BYTES = 64 * 1024
# Longest sender id: the SQL tracker store keeps it in a column of 255 characters.
MAX_SENDER_CHARS = 255
_dumps = functools.partial(json.dumps, ensure_ascii=False)


class RestRefusal(Exception):
    """A request the channel refuses: HTTP `status`, wording `key` (bot/messages.yml) in `language`."""

    def __init__(self, status: int, key: str, language: str = "vi") -> None:
        super().__init__(f"{status} {key}")
        self.status = status
        self.key = key
        self.language = language

    def body(self) -> dict[str, str]:
        """The JSON body of the refusal."""
        return {"error": self.key, "message": message(self.key, self.language, limit=MAX_MESSAGE_CHARS)}


def _language(data: dict[str, Any], accept_language: str = "") -> str:
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and metadata.get("language") in LANGUAGES:
        return str(metadata["language"])
    text = data.get("message")
    detected = detect_language(text) if isinstance(text, str) else None
    if detected:
        return detected
    return "en" if accept_language.strip().lower().startswith("en") else "vi"


def _valid_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_SENDER_CHARS and clean_text(value) == value


def read_body(body: bytes, accept_language: str = "") -> dict[str, Any]:
    """The request body as Rasa's REST channel reads it, with the message cleaned; raises RestRefusal."""
    fallback = "en" if accept_language.strip().lower().startswith("en") else "vi"
    if len(body) > MAX_BODY_BYTES:
        raise RestRefusal(413, "too_long", fallback)
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested too deep
        raise RestRefusal(400, "invalid", fallback) from None
    if not isinstance(data, dict):
        raise RestRefusal(400, "invalid", fallback)
    language = _language(data, accept_language)
    text = data.get("message")
    if text is None:
        raise RestRefusal(400, "empty", language)
    if not isinstance(text, str):
        raise RestRefusal(400, "invalid", language)
    if "sender" in data and data["sender"] is not None and not _valid_id(data["sender"]):
        raise RestRefusal(400, "invalid", language)
    if data.get("input_channel") is not None and not _valid_id(data["input_channel"]):
        raise RestRefusal(400, "invalid", language)
    if data.get("metadata") is not None and not isinstance(data["metadata"], dict):
        raise RestRefusal(400, "invalid", language)
    cleaned = clean_text(text)
    if not cleaned:
        raise RestRefusal(400, "empty", language)
    if len(cleaned) > MAX_MESSAGE_CHARS:
        raise RestRefusal(413, "too_long", language)
    return {**data, "message": cleaned}


class CheckedRestInput(RestInput):
    """Rasa's REST channel, under the same name and URL, with its requests checked and messages cleaned."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """Rasa's blueprint, with a check before each POST."""
        blueprint = super().blueprint(on_new_message)
        blueprint.middleware(_check_request, attach_to="request")
        return blueprint


async def _check_request(request: Request) -> HTTPResponse | None:
    if request.method != "POST":
        return None
    try:
        request.parsed_json = read_body(  # type: ignore[assignment]  # Sanic declares it None until parsed
            request.body, request.headers.get("accept-language", "")
        )
    except RestRefusal as refusal:
        return response.json(refusal.body(), status=refusal.status, dumps=_dumps)
    return None
