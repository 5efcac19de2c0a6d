"""Knowledge with site coordinates for the map and nearby-sites tests, and a small stand-in assistant.

The knowledge is the project's knowledge/ with heritage_sites.yml replaced by fixtures/nearby/heritage_sites.yml
(sites with placeholder coordinates), so the tests do not depend on which real sites have coordinates yet.
`AnsweringAssistant` answers a channel's messages with the real answering code (no NLU: a few fixed phrases
and `/intent{...}` payloads) through Rasa's REST output channel (tests/rest_replies.py), for the Telegram and
browser tests.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import threading
from datetime import date
from pathlib import Path
from typing import Any

from assistant.answering.common import Knowledge
from assistant.answering.dispatch import answer, build_question
from assistant.answering.model import CONTEXT_SLOTS
from assistant.settings import Settings
from assistant.state import KnowledgeState
from tests.rest_replies import rest_replies

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "nearby" / "heritage_sites.yml"
TODAY = date(2026, 11, 23)
# A point in Huế (near the Imperial City), one in Hà Nội (far from every site).
HUE = (16.4637, 107.5909)
HANOI = (21.0285, 105.8542)


def nearby_knowledge_dir(target: Path) -> Path:
    """A knowledge folder: knowledge/ with the fixture heritage sites."""
    shutil.copytree(ROOT / "knowledge", target, ignore=shutil.ignore_patterns("heritage_sites.yml", "*.md"))
    shutil.copyfile(FIXTURE, target / "heritage_sites.yml")
    return target


def nearby_state(tmp: Path) -> KnowledgeState:
    """A knowledge state over the fixture folder, with its own SQLite database (loaded)."""
    settings = dataclasses.replace(
        Settings.from_env(),
        knowledge_dir=nearby_knowledge_dir(tmp / "knowledge"),
        database_url=f"sqlite:///{tmp / 'knowledge.db'}",
        today=TODAY.isoformat(),
    )
    state = KnowledgeState(settings)
    state.current()
    return state


_PAYLOAD = re.compile(r"/(\w+)(\{.*\})?\Z", re.DOTALL)
# The phrases this stand-in understands (the trained assistant's NLU is tested elsewhere).
PHRASES = {
    "gần đây có di tích nào?": "ask_nearby",
    "what's near me?": "ask_nearby",
    "đại nội là gì?": "ask_site_info",
}


class AnsweringAssistant:
    """Answers like action_answer does, keeping each sender's slots between messages."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.slots: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def __call__(self, text: str, sender: str = "user", language: str = "vi") -> list[dict[str, Any]]:
        match = _PAYLOAD.match(text.strip())
        if match:
            intent = match.group(1)
            values = json.loads(match.group(2) or "{}")
            entities = [{"entity": k, "value": v} for k, v in values.items()]
        else:
            intent = PHRASES.get(text.strip().lower(), "nlu_fallback")
            entities = []
        if intent == "greet":
            return [{"text": f"greeting-{language}"}]
        with self._lock:
            slots = self.slots.setdefault(sender, {"language": language})
            question = build_question(self.knowledge, intent, text, entities, dict(slots), TODAY)
            reply = answer(self.knowledge, question)
            slots.update({k: v for k, v in reply.slots.items() if k in CONTEXT_SLOTS})
        return rest_replies(reply)
