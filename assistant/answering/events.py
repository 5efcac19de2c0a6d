"""Answers about digital-transformation events: when, theme, organisers, figures, lists (past or upcoming).

Answers with an event's date carry its calendar file (.ics) as a document message (assistant/answering/ics.py).
"""

from __future__ import annotations

import re
from datetime import date

from assistant.answering.common import (
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
from assistant.answering.ics import document_custom, document_message
from assistant.answering.model import Message, Question, Reply
from assistant.answering.retrieval import phrase_attribute, rank
from assistant.answering.wording import format_date
from assistant.kb.entry import Entry
from assistant.text import fold, words

TOPIC = "events"
MATCH_THRESHOLD = 0.4
# A word match must be this good to move away from the event being talked about.
CONTEXT_THRESHOLD = 0.6
_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for m in names
}
_D_MONTH_Y = re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)? (" + "|".join(_MONTHS) + r"),? (\d{4})(?!\d)")
# Words that name the attribute asked whatever the intent (the NLU may take "on 7/10/2022 ... who chaired"
# for a date question): folded phrases -> attribute.
ATTRIBUTE_PHRASES = (
    ("organiser", ("chu tri", "chaired", "chair")),
    ("end", ("ket thuc", "be mac", "end", "ended", "ends", "closing", "close", "closed")),
    ("figures", ("bao nhieu", "how many", "so luong")),
    ("venue", ("o dau", "tai dau", "dia diem", "where", "venue", "location")),
    ("format", ("hinh thuc", "format", "online or in person", "in person or online")),
)
MAX_CALENDARS = 3  # calendar files sent with a list of upcoming events
# Words too common in figure labels to pick one figure over another.
_COMMON = frozenset("bao nhieu so luong luot co the how many number of at the a".split())


# A month of a year: "tháng 10/2022", "tháng 10 năm 2022", "10/2022", "October 2022" (folded).
_MONTH_Y = re.compile(
    r"(?<![\d/.-])(?:thang )?(\d{1,2})(?:/| nam )(\d{4})(?!\d)|\b(" + "|".join(_MONTHS) + r"),? (\d{4})(?!\d)"
)


def months_in(text: str) -> set[tuple[int, int]]:
    """The (year, month) pairs a question writes as a month of a year, days aside."""
    found = set()
    for month, year, month_name, named_year in _MONTH_Y.findall(fold(text)):
        number = int(month) if month else _MONTHS[month_name]
        if 1 <= number <= 12:
            found.add((int(year or named_year), number))
    return found


def dates_in(text: str) -> set[date]:
    """The calendar dates written in a question: 7/10/2022, 07-10-2022, 2022-10-07, 7 October 2022."""
    found: set[date] = set()
    folded = fold(text)
    candidates = [(int(d), int(m), int(y)) for d, m, y in _DMY.findall(folded)]
    candidates += [(int(d), int(m), int(y)) for y, m, d in _YMD.findall(folded)]
    candidates += [(int(d), _MONTHS[m], int(y)) for d, m, y in _D_MONTH_Y.findall(folded)]
    for day, month, year in candidates:
        try:
            found.add(date(year, month, day))
        except ValueError:
            continue
    return found


def _on_dates(event: Entry, days: set[date]) -> bool:
    start = date.fromisoformat(str(event["start_date"]))
    end = date.fromisoformat(str(event.get("end_date") or event["start_date"]))
    return any(start <= day <= end for day in days)


def events_on(knowledge: Knowledge, days: set[date]) -> list[Entry]:
    """The events held on any of `days`."""
    return [e for e in knowledge.kb.entries(TOPIC) if _on_dates(e, days)] if days else []


def find_event(knowledge: Knowledge, question: Question) -> Entry | None:
    """The event named in the question, else the one held on a date the question gives, else a close word
    match (within the stated province; a stronger one when another event was being talked about), else
    context."""
    entry = knowledge.entry(TOPIC, question.first(TOPIC))
    if entry:
        return entry
    province = question.explicit("province")
    days = dates_in(question.text)
    if days:
        held = events_on(knowledge, days)
        if province:
            held = [e for e in held if e.province == province] or held
        if len(held) == 1:
            return held[0]
        ids = {e.id for e in held}
        best = [e for e, _ in rank(knowledge.kb, question.text, [TOPIC], limit=20) if e.id in ids]
        if best:
            return best[0]
    where = {"province": province} if province else None
    ranked = rank(knowledge.kb, question.text, [TOPIC], where=where)
    year = question.explicit("year")
    if year is not None:
        ranked = [(e, s) for e, s in ranked if str(e["start_date"]).startswith(str(year))]
    context = question.context.get("event")
    threshold = CONTEXT_THRESHOLD if context and province is None and year is None else MATCH_THRESHOLD
    if ranked and ranked[0][1] >= threshold:
        return ranked[0][0]
    if province is None and year is None:
        return knowledge.entry(TOPIC, question.context.get("event"))
    return None


def when(knowledge: Knowledge, event: Entry, language: str) -> str:
    """'từ 28/09/2023 đến 02/10/2023', 'ngày 10/10/2022' or 'ngày 10/10/2022, lúc 08:00'."""
    start = format_date(event["start_date"], language)
    end = event.get("end_date")
    if end and end != event["start_date"]:
        text = knowledge.wording.say("event_range", language, start=start, end=format_date(end, language))
    else:
        text = knowledge.wording.say("event_one_day", language, date=start)
    if event.get("start_time"):
        text = knowledge.wording.say("event_at_time", language, when=text, time=event["start_time"])
    return text


def is_past(event: Entry, today: date) -> bool:
    """True when the event ended before today."""
    return date.fromisoformat(str(event.get("end_date") or event["start_date"])) < today


def is_ongoing(event: Entry, today: date) -> bool:
    """True when today is one of the event's days."""
    return not is_past(event, today) and date.fromisoformat(str(event["start_date"])) <= today


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
        if figure.get("derived"):  # counted or worked out from the source's words: said so wherever shown
            value = knowledge.wording.say("chart_item_derived", language, item=value)
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
    attribute = asked_attribute(question.text, attribute)
    if attribute == "end":
        if not event.get("end_date"):
            return _missing(knowledge, question, reply, "end_date", event_name)
        attribute = "date"
    if attribute == "date":
        lines.append(say(key, language, name=event_name, when=when(knowledge, event, language)))
    elif attribute == "theme":
        theme = text_of(event.get("theme"), language)
        if not theme:
            return _missing(knowledge, question, reply, "theme", event_name)
        lines.append(say("event_theme", language, name=event_name, theme=theme))
    elif attribute == "organiser":
        organisers = list_of(event.get("organisers"), language)
        chairs = list_of(event.get("chairs"), language)
        if not organisers and not chairs:
            return _missing(knowledge, question, reply, "organisers", event_name)
        if organisers:
            lines.append(say("event_organisers", language, name=event_name, organisers=", ".join(organisers)))
        if chairs:
            lines.append(say("event_chairs", language, name=event_name, chairs=", ".join(chairs)))
        patrons = list_of(event.get("patrons"), language)
        if patrons:
            lines.append(say("event_patrons", language, patrons=", ".join(patrons)))
    elif attribute in ("venue", "format"):
        value = text_of(event.get(attribute), language).rstrip(".")
        if not value:
            return _missing(knowledge, question, reply, attribute, event_name)
        lines.append(say(f"event_{attribute}", language, **{attribute: value}))
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
    text = "\n".join([*lines, entry_source(knowledge, event, language)])
    calendar = document_custom(event, language) if attribute in ("date", "info") else None
    reply.messages.append(Message(text=text, custom=calendar))
    return reply


def asked_attribute(text: str, attribute: str) -> str:
    """The attribute the question's own words ask for ('organiser' for "who chaired", 'end' for "when did it
    end"), else the intent's."""
    if attribute not in ("date", "info"):
        return attribute
    return phrase_attribute(text, ATTRIBUTE_PHRASES) or attribute


def _missing(knowledge: Knowledge, question: Question, reply: Reply, field: str, event_name: str) -> Reply:
    what = knowledge.wording.say(f"event_fields.{field}", question.language)
    reply.say(knowledge.wording.say("event_no_field", question.language, what=what, name=event_name))
    reply.answered = False
    return reply


def list_events(knowledge: Knowledge, question: Question) -> Reply:
    """Events relative to today: upcoming first (soonest first, ongoing ones labelled so), then past ones
    labelled as past (newest first); a stated province or year narrows the list.

    The calendar files of the upcoming events (the first MAX_CALENDARS) follow the list as documents; a past
    event's file comes with its own answer (ask_event_date / ask_event_info), not with every list.
    """
    language = question.language
    say = knowledge.wording.say
    province = question.explicit("province")
    events = knowledge.kb.entries(TOPIC, province=province) if province else knowledge.kb.entries(TOPIC)
    year = question.explicit("year")
    if year is not None:
        events = [e for e in events if str(e["start_date"]).startswith(str(year))]
    if not events:
        return no_data(knowledge, question)
    upcoming = sorted((e for e in events if not is_past(e, question.today)), key=lambda e: e["start_date"])
    past = sorted(
        (e for e in events if is_past(e, question.today)), key=lambda e: e["start_date"], reverse=True
    )
    lines = [say("event_list", language, today=format_date(question.today, language))]
    if not upcoming:
        lines.append(say("event_none_upcoming", language))
    labelled = [
        (e, "event_list_item_ongoing" if is_ongoing(e, question.today) else "event_list_item_upcoming")
        for e in upcoming
    ]
    for event, key in labelled + [(e, "event_list_item_past") for e in past]:
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
    reply.messages += [document_message(e, language) for e in upcoming[:MAX_CALENDARS]]
    return reply
