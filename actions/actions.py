"""Rasa custom actions: thin classes that read the tracker, call plain functions and reply."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.answering.dispatch import build_question, respond
from assistant.answering.feedback import FEEDBACK_VALUES, with_feedback_buttons
from assistant.answering.model import CONTEXT_SLOTS, Question, Reply
from assistant.answering.nearby import LOCATION_SLOTS
from assistant.records import record_feedback, record_unanswered
from assistant.settings import get_settings
from assistant.state import KnowledgeState, knowledge_state

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


def channel_of(tracker: Tracker) -> str:
    """The channel the user wrote from (the bridges say so in the message metadata)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return str(metadata.get("channel") or tracker.get_latest_input_channel() or "unknown")


def _record_unanswered(state: KnowledgeState, question: Question, channel: str) -> None:
    tried = {
        "intent": question.intent,
        "mentioned": question.mentioned,
        "years": question.years,
        # a shared location is never recorded
        **{k: v for k, v in question.values.items() if k not in LOCATION_SLOTS},
    }
    with state.sessions().begin() as session:
        record_unanswered(session, question.original, question.language, channel, question.intent, tried)


class ActionAnswer(Action):
    """Answer a question (any topic), a follow-up, or a message the NLU did not understand."""

    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        state = knowledge_state()
        knowledge = state.current()
        message = tracker.latest_message or {}
        text = message.get("original_text") or message.get("text") or ""
        intent = (message.get("intent") or {}).get("name") or "nlu_fallback"
        slots = {slot: tracker.get_slot(slot) for slot in (*CONTEXT_SLOTS, "language")}
        question = build_question(knowledge, intent, text, message.get("entities") or [], slots, today())
        reply = with_feedback_buttons(knowledge, question, respond(knowledge, question))
        send(dispatcher, reply)
        if not reply.answered:
            try:
                await asyncio.get_running_loop().run_in_executor(
                    None, _record_unanswered, state, question, channel_of(tracker)
                )
            except Exception:  # recording must never cost the user their answer
                logger.exception("could not record an unanswered question")
        events = [SlotSet(slot, value) for slot, value in reply.slots.items() if slot in CONTEXT_SLOTS]
        return [*events, SlotSet("last_entry", reply.entry)]


class ActionFeedback(Action):
    """Store a 'helpful / not right' tap with the knowledge entry the answer came from, and thank the user."""

    def name(self) -> str:
        return "action_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        state = knowledge_state()
        knowledge = state.current()
        entities = {
            e.get("entity"): e.get("value") for e in (tracker.latest_message or {}).get("entities") or []
        }
        value = entities.get("feedback_value")
        entry = entities.get("feedback_entry") or tracker.get_slot("last_entry")
        language = tracker.get_slot("language") or "vi"
        if value not in FEEDBACK_VALUES or not entry:
            dispatcher.utter_message(text=knowledge.wording.say("feedback_unclear", language))
            return []

        def store() -> None:
            with state.sessions().begin() as session:
                record_feedback(
                    session, str(entry), str(value), language, channel_of(tracker), tracker.sender_id
                )

        try:
            await asyncio.get_running_loop().run_in_executor(None, store)
        except Exception:
            logger.exception("could not store feedback")
        dispatcher.utter_message(text=knowledge.wording.say(f"feedback_thanks.{value}", language))
        return []
