"""Answers about digital-transformation events: when, theme, organisers, figures, lists (past or upcoming)."""

from __future__ import annotations

from datetime import date

from actions.answering.common import (
    Knowledge,
    ask,
    button,
    entry_source,
    list_of,
    name,
    no_data,
    number,
    text_of,
    unknown_place_reply,
)
from actions.answering.model import Question, Reply
from actions.answering.retrieval import rank
from actions.answering.wording import format_date
from actions.kb.entry import Entry
from actions.text import words

TOPIC = "events"
MATCH_THRESHOLD = 0.4
# Words too common in figure labels to pick one figure over another.
_COMMON = frozenset("bao nhieu so luong luot co the how many number of at the a".split())


def find_event(knowledge: Knowledge, question: Question) -> Entry | None:
    """The event named in the question, else a close word match (within the stated province), else context."""
    entry = knowledge.entry(TOPIC, question.first(TOPIC))
    if entry:
        return entry
    province = question.explicit("province")
    where = {"province": province} if province else None
    ranked = rank(knowledge.kb, question.text, [TOPIC], where=where)
    year = question.explicit("year")
    if year is not None:
        ranked = [(e, s) for e, s in ranked if str(e["start_date"]).startswith(str(year))]
    if ranked and ranked[0][1] >= MATCH_THRESHOLD:
        return ranked[0][0]
    if province is None and year is None:
        return knowledge.entry(TOPIC, question.context.get("event"))
    return None


def when(knowledge: Knowledge, event: Entry, language: str) -> str:
    """'từ 28/09/2023 đến 02/10/2023' or 'ngày 10/10/2022'."""
    start = format_date(event["start_date"], language)
    end = event.get("end_date")
    if end and end != event["start_date"]:
        return knowledge.wording.say("event_range", language, start=start, end=format_date(end, language))
    return knowledge.wording.say("event_one_day", language, date=start)


def is_past(event: Entry, today: date) -> bool:
    """True when the event ended before today."""
    return date.fromisoformat(str(event.get("end_date") or event["start_date"])) < today


def _figures(knowledge: Knowledge, event: Entry, question: Question) -> list[str]:
    language = question.language
    figures = list(event.get("figures") or ())
    asked = set(words(question.text)) - _COMMON
    chosen = [
        f
        for f in figures
        if asked & (set(words(text_of(f["label"], "vi"))) | set(words(text_of(f["label"], "en"))))
    ]
    lines = []
    for figure in chosen or figures:
        value = number(figure["value"], language)
        qualifier = figure.get("qualifier") or "exact"
        value = knowledge.wording.say(f"qualifiers.{qualifier}", language, value=value)
        lines.append(f"• {text_of(figure['label'], language)}: {value}")
    return lines


def answer_event(knowledge: Knowledge, question: Question, attribute: str) -> Reply:
    """Answer `attribute` ('date', 'theme', 'organiser', 'figures', 'info') of the event in the question."""
    language = question.language
    say = knowledge.wording.say
    if question.unknown_place:
        return unknown_place_reply(knowledge, question)
    event = find_event(knowledge, question)
    if event is None and (question.explicit("province") or question.explicit("year")):
        return no_data(knowledge, question)
    if event is None:
        buttons = [
            button(name(e, language), question.intent, event=e.id) for e in knowledge.kb.entries(TOPIC)
        ]
        return ask(knowledge, "ask_event", question, buttons)
    event_name = name(event, language)
    reply = Reply(slots={"event": event.id, "last_intent": question.intent}, entry=f"{TOPIC}:{event.id}")
    lines: list[str] = []
    key = "event_date_past" if is_past(event, question.today) else "event_date"
    if attribute == "date":
        lines.append(say(key, language, name=event_name, when=when(knowledge, event, language)))
    elif attribute == "theme":
        theme = text_of(event.get("theme"), language)
        if not theme:
            return _missing(knowledge, question, reply, "theme", event_name)
        lines.append(say("event_theme", language, name=event_name, theme=theme))
    elif attribute == "organiser":
        organisers = list_of(event.get("organisers"), language)
        if not organisers:
            return _missing(knowledge, question, reply, "organisers", event_name)
        lines.append(say("event_organisers", language, name=event_name, organisers=", ".join(organisers)))
        patrons = list_of(event.get("patrons"), language)
        if patrons:
            lines.append(say("event_patrons", language, patrons=", ".join(patrons)))
    elif attribute == "figures":
        figures = _figures(knowledge, event, question)
        if not figures:
            return _missing(knowledge, question, reply, "figures", event_name)
        lines += [say("event_figures", language, name=event_name), *figures]
    else:
        lines.append(say(key, language, name=event_name, when=when(knowledge, event, language)))
        theme = text_of(event.get("theme"), language)
        if theme:
            lines.append(say("event_theme", language, name=event_name, theme=theme))
        lines.append(text_of(event["description"], language))
        for field, sentence in (("format", "event_format"), ("venue", "event_venue")):
            value = text_of(event.get(field), language)
            if value:
                lines.append(say(sentence, language, **{field: value}))
    reply.say("\n".join([*lines, entry_source(knowledge, event, language)]))
    return reply


def _missing(knowledge: Knowledge, question: Question, reply: Reply, field: str, event_name: str) -> Reply:
    what = knowledge.wording.say(f"event_fields.{field}", question.language)
    reply.say(knowledge.wording.say("event_no_field", question.language, what=what, name=event_name))
    reply.answered = False
    return reply


def list_events(knowledge: Knowledge, question: Question) -> Reply:
    """Events relative to today: upcoming first, past ones labelled as past (newest first)."""
    language = question.language
    say = knowledge.wording.say
    province = question.explicit("province")
    events = knowledge.kb.entries(TOPIC, province=province) if province else knowledge.kb.entries(TOPIC)
    if not events:
        return no_data(knowledge, question)
    upcoming = sorted((e for e in events if not is_past(e, question.today)), key=lambda e: e["start_date"])
    past = sorted(
        (e for e in events if is_past(e, question.today)), key=lambda e: e["start_date"], reverse=True
    )
    lines = [say("event_list", language, today=format_date(question.today, language))]
    if not upcoming:
        lines.append(say("event_none_upcoming", language))
    for event, key in [(e, "event_list_item_upcoming") for e in upcoming] + [
        (e, "event_list_item_past") for e in past
    ]:
        lines.append(
            "• " + say(key, language, name=name(event, language), when=when(knowledge, event, language))
        )
    newest = max(events, key=lambda e: e["as_of"])
    lines.append(say("source_list", language, date=format_date(newest["as_of"], language)))
    reply = Reply()
    reply.say(
        "\n".join(lines),
        [button(name(e, language), "ask_event_info", event=e.id) for e in (upcoming + past)[:5]],
    )
    return reply
