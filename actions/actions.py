"""Rasa custom actions: thin classes that read the tracker, call plain functions and reply."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answering.dispatch import answer, build_question
from actions.answering.model import CONTEXT_SLOTS, Reply
from actions.settings import get_settings
from actions.state import knowledge_state

logger = logging.getLogger(__name__)
TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> date:
    """Today in Vietnam (or the TODAY setting, for reproducible tests)."""
    override = get_settings().today
    return date.fromisoformat(override) if override else datetime.now(TIME_ZONE).date()


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Utter every message of a reply."""
    for message in reply.messages:
        dispatcher.utter_message(
            text=message.text or None,
            buttons=message.buttons or None,
            json_message=message.custom,
            image=message.image,
        )


class ActionAnswer(Action):
    """Answer a question (any topic), a follow-up, or a message the NLU did not understand."""

    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        knowledge = knowledge_state().current()
        message = tracker.latest_message or {}
        text = message.get("original_text") or message.get("text") or ""
        intent = (message.get("intent") or {}).get("name") or "nlu_fallback"
        slots = {slot: tracker.get_slot(slot) for slot in (*CONTEXT_SLOTS, "language")}
        question = build_question(knowledge, intent, text, message.get("entities") or [], slots, today())
        reply = answer(knowledge, question)
        send(dispatcher, reply)
        return [SlotSet(slot, value) for slot, value in reply.slots.items() if slot in CONTEXT_SLOTS]
