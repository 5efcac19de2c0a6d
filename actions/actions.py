"""Rasa custom actions: thin classes that read the tracker, call plain functions and reply."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.answering.common import Knowledge
from assistant.answering.dispatch import QUESTION_INTENTS, build_question, respond
from assistant.answering.feedback import FEEDBACK_VALUES, with_feedback_buttons
from assistant.answering.model import CONTEXT_SLOTS, Question, Reply
from assistant.answering.nearby import LOCATION_SLOTS
from assistant.answering.parts import Parsed, respond_parts, split_parts
from assistant.records import (
    attach_feedback,
    load_sender_key,
    record_feedback,
    record_turn,
    record_unanswered,
    turn_outcome,
)
from assistant.settings import get_settings
from assistant.state import KnowledgeState, knowledge_state

logger = logging.getLogger(__name__)
TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
PARSE_TIMEOUT = 10.0  # seconds the Rasa server may take to read one part of a message


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


async def parse_parts(parts: list[str], whole: Parsed) -> list[Parsed]:
    """The intent and entities of each part of a message, read by the Rasa server's NLU (POST /model/parse);
    a part it cannot read takes the whole message's intent (the first part) or none (the others)."""
    settings = get_settings()
    url = f"{settings.rasa_url}/model/parse"
    params = {"token": settings.rasa_token} if settings.rasa_token else None
    timeout = aiohttp.ClientTimeout(total=PARSE_TIMEOUT)

    async def parse(session: aiohttp.ClientSession, text: str, fallback: Parsed) -> Parsed:
        try:
            async with session.post(url, json={"text": text}, params=params) as response:
                body = await response.json() if response.status == 200 else {}
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            logger.warning("could not parse a part of a message; answering it without its own intent")
            return fallback
        intent = (body.get("intent") or {}).get("name") or fallback[0]
        return str(intent), list(body.get("entities") or [])

    async with aiohttp.ClientSession(timeout=timeout) as session:
        fallbacks = [whole, *(("nlu_fallback", []) for _ in parts[1:])]
        return list(
            await asyncio.gather(*(parse(session, p, f) for p, f in zip(parts, fallbacks, strict=True)))
        )


def channel_of(tracker: Tracker) -> str:
    """The channel the user wrote from (the bridges say so in the message metadata)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return str(metadata.get("channel") or tracker.get_latest_input_channel() or "unknown")


def _record(
    state: KnowledgeState, knowledge: Knowledge, question: Question, reply: Reply, channel: str, sender: str
) -> None:
    """Record the turn, and the question again among the unanswered when the assistant had nothing."""
    text = "\n".join(m.text for m in reply.messages if m.text)
    with state.sessions().begin() as session:
        record_turn(
            session,
            text=question.original,
            reply_text=text,
            outcome=turn_outcome(knowledge, question, reply),
            entry=reply.entry,
            channel=channel,
            language=question.language,
            intent=question.intent,
            sender=sender,
            key=load_sender_key(get_settings()),
        )
        if not reply.answered:
            tried = {
                "intent": question.intent,
                "mentioned": question.mentioned,
                "years": question.years,
                # a shared location is never recorded
                **{k: v for k, v in question.values.items() if k not in LOCATION_SLOTS},
            }
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
        parts = split_parts(text) if intent in QUESTION_INTENTS or intent == "nlu_fallback" else [text]
        if len(parts) > 1:
            parsed = await parse_parts(parts, (intent, message.get("entities") or []))
            reply = respond_parts(knowledge, zip(parts, parsed, strict=True), slots, today())
        else:
            reply = respond(knowledge, question)
        reply = with_feedback_buttons(knowledge, question, reply)
        send(dispatcher, reply)
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, _record, state, knowledge, question, reply, channel_of(tracker), tracker.sender_id
            )
        except Exception:  # recording must never cost the user their answer
            logger.exception("could not record the turn")
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
                key = load_sender_key(get_settings())
                attach_feedback(session, tracker.sender_id, key, str(entry), str(value))

        try:
            await asyncio.get_running_loop().run_in_executor(None, store)
        except Exception:
            logger.exception("could not store feedback")
        dispatcher.utter_message(text=knowledge.wording.say(f"feedback_thanks.{value}", language))
        return []
