"""One entry point: a question in, a reply out. Follow-ups ('inform') re-ask the previous question."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from actions.answering.common import Knowledge, button, name, no_data
from actions.answering.digital import answer_dt_info
from actions.answering.events import answer_event, list_events
from actions.answering.heritage import answer_site, list_sites
from actions.answering.model import SLOT_TOPICS, Question, Reply
from actions.answering.retrieval import rank
from actions.answering.services import answer_service
from actions.answering.statistics import answer_dti, answer_stat
from actions.text import detect_language

Answer = Callable[[Knowledge, Question], Reply]

ANSWERS: dict[str, Answer] = {
    "ask_site_info": lambda k, q: answer_site(k, q, "info"),
    "ask_site_location": lambda k, q: answer_site(k, q, "location"),
    "ask_site_recognition": lambda k, q: answer_site(k, q, "recognition"),
    "ask_site_visiting": lambda k, q: answer_site(k, q, "visiting"),
    "list_sites": list_sites,
    "ask_tourism_stat": answer_stat,
    "ask_service_howto": lambda k, q: answer_service(k, q, "howto"),
    "ask_service_documents": lambda k, q: answer_service(k, q, "documents"),
    "ask_service_fee": lambda k, q: answer_service(k, q, "fee"),
    "ask_service_time": lambda k, q: answer_service(k, q, "time"),
    "ask_service_help": lambda k, q: answer_service(k, q, "help"),
    "ask_event_date": lambda k, q: answer_event(k, q, "date"),
    "ask_event_theme": lambda k, q: answer_event(k, q, "theme"),
    "ask_event_organiser": lambda k, q: answer_event(k, q, "organiser"),
    "ask_event_figures": lambda k, q: answer_event(k, q, "figures"),
    "ask_event_info": lambda k, q: answer_event(k, q, "info"),
    "list_events": list_events,
    "ask_dti_rank": answer_dti,
    "ask_dt_info": answer_dt_info,
}
QUESTION_INTENTS = frozenset(ANSWERS)
# Topics whose names are looked for in every message; provinces on their own, so that a province inside a
# longer name ("DTI Quảng Ngãi 2022") still counts as named.
MENTION_TOPICS = (
    ("provinces",),
    ("heritage_sites", "public_services", "events", "digital_transformation", "portals"),
)
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
# Which intent a suggested entry opens, by topic (fallback "did you mean" buttons).
SUGGEST_INTENT = {
    "heritage_sites": ("ask_site_info", "site"),
    "public_services": ("ask_service_howto", "service"),
    "events": ("ask_event_info", "event"),
    "digital_transformation": ("ask_dt_info", "dt_entry"),
    "portals": ("ask_dt_info", "dt_entry"),
}


def build_question(
    knowledge: Knowledge,
    intent: str,
    text: str,
    entities: Iterable[dict[str, Any]],
    slots: dict[str, Any],
    today: date,
) -> Question:
    """The question of one user message: what it names (by the NLU and by name lookup) and its context."""
    text = unicodedata.normalize("NFC", text or "")
    mentioned: dict[str, list[str]] = {}
    for topics in MENTION_TOPICS:
        for match in knowledge.kb.find_in_text(text, topics):
            ids = mentioned.setdefault(match.topic, [])
            if match.entry_id not in ids:
                ids.append(match.entry_id)
    values: dict[str, str] = {}
    years = [int(y) for y in _YEAR.findall(text)]
    for entity in entities:
        kind, value = entity.get("entity"), entity.get("value")
        if not kind or value is None:
            continue
        if kind in ("metric", "pillar"):
            if str(value) in knowledge.vocabulary.values(kind):
                values.setdefault(kind, str(value))
        elif kind == "year" and str(value).isdigit():
            if int(value) not in years:
                years.append(int(value))
        elif kind in SLOT_TOPICS:
            topic = SLOT_TOPICS[kind]
            entry = knowledge.entry(topic, str(value))
            matches = [] if entry else knowledge.kb.resolve(str(value), topic)
            entry_id = entry.id if entry else (matches[0].entry_id if matches else None)
            if entry_id and entry_id not in mentioned.setdefault(topic, []):
                mentioned[topic].append(entry_id)
    for kind, value in knowledge.vocabulary.find(text).items():
        values.setdefault(kind, value)
    # "national" is a level, not a place one can ask figures for
    mentioned["provinces"] = [p for p in mentioned.get("provinces", []) if p != "national"]
    language = slots.get("language") or detect_language(text) or "vi"
    unknown = _unknown_place(knowledge, text, mentioned)
    context = {k: v for k, v in slots.items() if v is not None}
    return Question(intent, text, language, today, mentioned, years, values, context, unknown)


def _unknown_place(knowledge: Knowledge, text: str, mentioned: dict[str, list[str]]) -> str | None:
    """A place the user names that the knowledge does not cover (from provinces marked covered: false)."""
    for province_id in mentioned.get("provinces", []):
        entry = knowledge.entry("provinces", province_id)
        if entry is not None and entry.get("covered") is False:
            mentioned["provinces"] = [p for p in mentioned["provinces"] if p != province_id]
            return name(entry, "vi")
    return None


def answer(knowledge: Knowledge, question: Question) -> Reply:
    """The reply to a question intent, to a follow-up ('inform'), or to a message not understood."""
    intent = question.intent
    if intent == "inform":
        previous = question.context.get("last_intent")
        if previous in ANSWERS:
            return _with_intent(ANSWERS[previous](knowledge, replace(question, intent=previous)), previous)
        return fallback(knowledge, question)
    if intent in ANSWERS:
        return _with_intent(ANSWERS[intent](knowledge, question), intent)
    return fallback(knowledge, question)


def _with_intent(reply: Reply, intent: str) -> Reply:
    reply.slots.setdefault("last_intent", intent)
    return reply


def fallback(knowledge: Knowledge, question: Question) -> Reply:
    """The entry the message names, else 'did you mean ...' buttons, else an honest 'I don't have that'."""
    language = question.language
    named = [(t, ids[0]) for t, ids in question.mentioned.items() if t in SUGGEST_INTENT and len(ids) == 1]
    if len(named) == 1:
        intent = SUGGEST_INTENT[named[0][0]][0]
        return _with_intent(ANSWERS[intent](knowledge, replace(question, intent=intent)), intent)
    suggestions = [
        (entry, score)
        for entry, score in rank(knowledge.kb, question.text, SUGGEST_INTENT, limit=3)
        if score >= 0.25
    ]
    if not suggestions:
        return no_data(knowledge, question)
    buttons = []
    for entry, _ in suggestions:
        intent, slot = SUGGEST_INTENT[entry.topic]
        buttons.append(button(name(entry, language), intent, **{slot: entry.id}))
    reply = Reply(answered=False)
    reply.say(knowledge.wording.say("did_you_mean", language), buttons)
    return reply


__all__ = ["QUESTION_INTENTS", "answer", "build_question", "fallback"]
