"""Try it: a question asked as a user asks it, the NLU's reading (POST /model/parse) and the assistant's reply
(the REST channel), with the entry or passage that answered (named by the reply's feedback buttons)."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from assistant.settings import Settings
from bot.rasa_client import AssistantUnavailable, RasaClient

CHANNEL = "console"  # the turns of tries are recorded under this channel, and left out of the overview
PARSE_TIMEOUT = 10.0
_FEEDBACK = re.compile(r"^/feedback(\{.*\})$", re.S)


@dataclass
class Tried:
    """What the assistant made of a question."""

    question: str
    intent: str | None = None
    confidence: float | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)
    entry: str | None = None
    error: str | None = None  # a wording key: the assistant could not be reached


def answered_entry(replies: list[dict[str, Any]]) -> str | None:
    """The entry ("topic:id") or passage ("documents:<id>") the reply's feedback buttons name."""
    for reply in replies:
        for button in reply.get("buttons") or []:
            match = _FEEDBACK.match(str(button.get("payload", "")))
            if match:
                try:
                    entry = json.loads(match[1]).get("feedback_entry")
                except ValueError:
                    continue
                if entry:
                    return str(entry)
    return None


async def parse(http: aiohttp.ClientSession, settings: Settings, text: str) -> dict[str, Any]:
    """The NLU's reading of `text` (Rasa's POST /model/parse)."""
    params = {"token": settings.rasa_token} if settings.rasa_token else None
    async with http.post(
        f"{settings.rasa_url}/model/parse",
        json={"text": text},
        params=params,
        timeout=aiohttp.ClientTimeout(total=PARSE_TIMEOUT),
    ) as response:
        response.raise_for_status()
        body = await response.json()
        return body if isinstance(body, dict) else {}


async def try_question(
    http: aiohttp.ClientSession, client: RasaClient, settings: Settings, sender: str, text: str
) -> Tried:
    """Ask the running assistant `text` as `sender` (one conversation per console session)."""
    tried = Tried(text)
    try:
        reading = await parse(http, settings, text)
        intent = reading.get("intent") or {}
        tried.intent = intent.get("name")
        tried.confidence = float(intent.get("confidence") or 0.0)
        tried.entities = [e for e in reading.get("entities") or [] if isinstance(e, dict)]
        tried.replies = await client.send(sender, text, {"channel": CHANNEL})
    except (aiohttp.ClientError, AssistantUnavailable, asyncio.TimeoutError, ValueError):
        tried.error = "try_unavailable"
        return tried
    tried.entry = answered_entry(tried.replies)
    return tried
