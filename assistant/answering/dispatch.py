"""One entry point: a question in, a reply out. Follow-ups ('inform') re-ask the previous question."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from assistant.answering.charts import answer_chart
from assistant.answering.common import Knowledge, button, name, no_data, topic_buttons
from assistant.answering.digital import answer_dt_info, dt_entry
from assistant.answering.events import answer_event, dates_in, events_on, list_events
from assistant.answering.evidence import (
    ANSWER_COVERAGE,
    asks_count,
    choose,
    context_subject,
    find_evidence,
    question_query,
    reply_coverage,
    subject_terms,
)
from assistant.answering.heritage import answer_site, list_sites
from assistant.answering.model import SLOT_TOPICS, Question, Reply
from assistant.answering.nearby import LOCATION_SLOTS, nearby_sites
from assistant.answering.retrieval import CLEAR_FLOOR, CLEAR_LEAD, name_coverage, rank
from assistant.answering.services import answer_service
from assistant.answering.statistics import answer_dti, answer_stat
from assistant.kb.entry import Entry
from assistant.kb.index import Query, is_follow_up
from assistant.reading import read_message
from assistant.text import detect_language, fold

Answer = Callable[[Knowledge, Question], Reply]

ANSWERS: dict[str, Answer] = {
    "ask_site_info": lambda k, q: answer_site(k, q, "info"),
    "ask_site_location": lambda k, q: answer_site(k, q, "location"),
    "ask_site_recognition": lambda k, q: answer_site(k, q, "recognition"),
    "ask_site_visiting": lambda k, q: answer_site(k, q, "visiting"),
    "list_sites": list_sites,
    "ask_nearby": nearby_sites,
    "share_location": nearby_sites,
    "ask_tourism_stat": answer_stat,
    "ask_stat_chart": answer_chart,
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
# Intents about one entry of a topic: when the question and the conversation name none, a clear match in
# another topic answers instead ("năng lực khai thác dữ liệu của Huế" read as a site question).
SUBJECT_TOPIC = {
    **{i: "heritage_sites" for i in ANSWERS if i.startswith("ask_site")},
    **{i: "public_services" for i in ANSWERS if i.startswith("ask_service") and i != "ask_service_help"},
    **{i: "events" for i in ANSWERS if i.startswith("ask_event")},
}
# An entry the retrieval index finds must hold this much of the question, and that much more than the next.
ENTRY_COVERAGE = 0.8
# ... and of the question read with the conversation's subject, whose name holds words the follow-up replaces
# ("cấp tỉnh" of the subject when the follow-up asks "cấp huyện"), this much.
CONTEXT_COVERAGE = 0.7
ENTRY_MARGIN = 0.1
# Entries the index is asked for (siblings of one subject hold its words alike: enough to see them all).
RETRIEVED_ENTRIES = 10
STRONG_SCORE = 0.6
STRONG_MARGIN = 2.0
# Words that refer back to what was just talked about (folded).
PRONOUNS = ("no", "nay", "it", "this", "they")
# Topics whose names are looked for in every message; provinces on their own, so that a province inside a
# longer name ("DTI Quảng Ngãi 2022") still counts as named.
MENTION_TOPICS = (
    ("provinces",),
    (
        "heritage_sites",
        "public_services",
        "events",
        "digital_transformation",
        "portals",
        "administrative_changes",
    ),
)
_DOCUMENT = re.compile(
    r"\b(?:ke hoach|quyet dinh|nghi quyet|chi thi|huong dan|cong van|plan|decision|resolution|directive)"
    r"\s*(?:so|no\.?|number)?\s*(\d{1,5})\b"
)
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
# Which intent a suggested entry opens, by topic (fallback "did you mean" buttons).
SUGGEST_INTENT = {
    "heritage_sites": ("ask_site_info", "site"),
    "public_services": ("ask_service_howto", "service"),
    "events": ("ask_event_info", "event"),
    "digital_transformation": ("ask_dt_info", "dt_entry"),
    "portals": ("ask_dt_info", "dt_entry"),
    "administrative_changes": ("ask_dt_info", "dt_entry"),
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
    original = unicodedata.normalize("NFC", text or "")
    text = read_message(knowledge.language, knowledge.index, original)
    mentioned: dict[str, list[str]] = {}
    for topics in MENTION_TOPICS:
        for match in knowledge.kb.find_in_text(text, topics):
            ids = mentioned.setdefault(match.topic, [])
            if match.entry_id not in ids:
                ids.append(match.entry_id)
    # A metric or pillar the message says in full ("national-level relics") comes before the NLU's, which may
    # have taken a part of the phrase ("relics").
    values: dict[str, str] = dict(knowledge.vocabulary.find(text))
    years = [int(y) for y in _YEAR.findall(text)]
    for entity in entities:
        kind, value = entity.get("entity"), entity.get("value")
        if not kind or value is None:
            continue
        if kind in ("metric", "pillar"):
            if str(value) in knowledge.vocabulary.values(kind):
                values.setdefault(kind, str(value))
        elif kind in LOCATION_SLOTS:  # a shared location (checked by the nearby answer)
            values[kind] = str(value)
        elif kind == "year" and _YEAR.fullmatch(str(value)):  # not "5" of "yếu tố thứ 5"
            if int(value) not in years:
                years.append(int(value))
        elif kind in SLOT_TOPICS:
            topic = SLOT_TOPICS[kind]
            if kind == "dt_entry":  # buttons name portals and administrative changes as dt_entry too
                topic = getattr(dt_entry(knowledge, value), "topic", topic)
            entry = knowledge.entry(topic, str(value))
            matches = [] if entry else knowledge.kb.resolve(str(value), topic)
            entry_id = entry.id if entry else (matches[0].entry_id if matches else None)
            if entry_id and entry_id not in mentioned.setdefault(topic, []):
                mentioned[topic].append(entry_id)
    for entry_id in _documents_named(knowledge, text):
        ids = mentioned.setdefault("digital_transformation", [])
        if entry_id not in ids:
            ids.insert(0, entry_id)
    # "national" is a level, not a place one can ask figures for
    mentioned["provinces"] = [p for p in mentioned.get("provinces", []) if p != "national"]
    language = slots.get("language") or detect_language(original) or "vi"
    unknown = _unknown_place(knowledge, text, mentioned)
    context = {k: v for k, v in slots.items() if v is not None}
    return Question(intent, text, language, today, mentioned, years, values, context, unknown, original)


def _documents_named(knowledge: Knowledge, text: str) -> list[str]:
    """Plans and decisions named by their number ("Kế hoạch 119", "Quyết định 505", "plan no. 119")."""
    numbers = set(_DOCUMENT.findall(fold(text)))
    if not numbers:
        return []
    return [
        e.id
        for e in knowledge.kb.entries("digital_transformation")
        if e.get("number") and str(e["number"]).split("/")[0].strip() in numbers
    ]


def _covered(knowledge: Knowledge, province_id: str) -> bool:
    entry = knowledge.entry("provinces", province_id)
    return entry is not None and entry.get("covered") is not False


def _unknown_place(knowledge: Knowledge, text: str, mentioned: dict[str, list[str]]) -> str | None:
    """A place the user names that the knowledge does not cover (from provinces marked covered: false), when
    it names no place the knowledge covers ("Quảng Nam sáp nhập vào Đà Nẵng khi nào?" asks about Quảng Nam)."""
    covered = [p for p in mentioned.get("provinces", []) if _covered(knowledge, p)]
    if covered:
        mentioned["provinces"] = covered
        return None
    for province_id in mentioned.get("provinces", []):
        entry = knowledge.entry("provinces", province_id)
        if entry is not None:  # (not covered: the covered ones were seen above)
            mentioned["provinces"] = [p for p in mentioned["provinces"] if p != province_id]
            return name(entry, "vi")
    return None


# A question with words of a domain the assistant does not serve (health, law...) is declined unless the
# reply holds at least this much of it (the knowledge then clearly has what it asks).
DECLINE_BELOW = 0.5


def respond(knowledge: Knowledge, question: Question) -> Reply:
    """The reply to one message: the structured answer or the quoted evidence, whichever holds the question
    better (assistant/answering/evidence.py); declined politely when it belongs to a domain the assistant does
    not serve and the knowledge does not hold it."""
    structured = answer(knowledge, question)
    # Only at a conversation's start (later messages are read with its subject); checked first, since the word
    # ranking scans every entry.
    said = None if question.context.get("last_intent") else _entry_said(knowledge, question)
    if said is not None and structured.entry != f"{said.topic}:{said.id}":
        # The message says an entry's name nearly whole ("Thừa Thiên Huế trở thành thành phố trực thuộc trung
        # ương khi nào?") while the intent answered something else (where to get help in Huế).
        structured = _about(knowledge, question, said)
    if not structured.answered or structured.asks in (*WHICH_ENTRY, "ask_province"):
        structured = (
            _retrieved_entry_answer(knowledge, question)
            or _named_entry_answer(knowledge, question)
            or _figure_answer(knowledge, question)
            or _subject_answer(knowledge, question)
            or structured
        )
    reply = choose(knowledge, question, structured)
    domain = knowledge.language.out_of_scope_domain(question.text)
    if domain is not None and knowledge.wording.has(f"out_of_scope.{domain}"):
        query = question_query(knowledge, question)
        if not reply.answered or reply.asks or reply_coverage(knowledge, query, reply) < DECLINE_BELOW:
            declined = Reply(answered=True)
            text = knowledge.wording.say(f"out_of_scope.{domain}", question.language)
            declined.say(text, topic_buttons(knowledge, question))
            return declined
    return reply


def _retrieved_entry_answer(knowledge: Knowledge, question: Question) -> Reply | None:
    """When the intent's answer found nothing to answer from: the entry the question's words clearly point to,
    answered as its topic answers. A follow-up that names nothing is searched with the conversation's subject
    ("Cấp huyện có bao nhiêu thành viên?" after the province's teams), and the entries found are told apart by
    the user's own words. None when no entry holds them well, or two hold them alike."""
    query = question_query(knowledge, question)
    own = knowledge.index.query(
        question.text, knowledge.language.equivalents(question.text.split()), question.language
    )
    if not query.content or not own.content:
        return None
    # For each entry found: how much of the user's own words it holds, in all and in its names (a sibling of
    # the subject names the word that replaced the subject's; an overview only mentions it), and how much of
    # the question read with the conversation's subject; ordered by the first two alike (an overview that holds
    # every word of "Cấp thôn, tổ dân phố thì bao nhiêu?" in its text is not the village level named so), then
    # by the third.
    found = sorted(
        (
            (
                knowledge.index.coverage(own, h.terms),
                knowledge.index.coverage(own, knowledge.index.name_terms(h.item)),
                h.coverage,
                h.item,
            )
            for h in knowledge.index.search(query, limit=RETRIEVED_ENTRIES, passages=False)
            if isinstance(h.item, Entry)
        ),
        key=lambda f: (-(f[0] + f[1]) / 2, -f[2]),
    )
    if not found or found[0][0] < ENTRY_COVERAGE or found[0][2] < CONTEXT_COVERAGE:
        return None
    if found[0][3].topic not in SUGGEST_INTENT:
        # The words point to a figure, which the intent's own answer asks about ("which province?").
        return None
    evidence = find_evidence(knowledge, question, query)
    if evidence is not None and (
        evidence.coverage > found[0][2]
        or (
            evidence.coverage >= max(ANSWER_COVERAGE, found[0][2] - ENTRY_MARGIN)
            and not knowledge.index.identifies(query, found[0][3])
        )
    ):
        # A sentence of the sources holds the question better than any entry, or nearly as well while the
        # question says nothing that names the entry (a long description holds many words of any question):
        # the entry was a guess ("Quảng Ngãi hiện có bao nhiêu doanh nghiệp?" is not about the one business
        # an entry describes).
        return None
    if len(found) > 1 and all(
        second >= first - ENTRY_MARGIN for first, second in zip(found[0][:3], found[1][:3], strict=True)
    ):
        # Two entries hold the user's words and the conversation's subject alike: the one whose names say the
        # words as the user wrote them, not through a translation, is meant ("hợp nhất" in one name, "merger" in
        # the other's English name); else a follow-up stays with the kind of entry talked about, if one of the two
        # is of that kind; else neither is taken.
        as_written = Query(own.content, own.terms, {})
        said = [knowledge.index.coverage(as_written, knowledge.index.name_terms(f[3])) for f in found[:2]]
        subject = context_subject(knowledge, question)
        same = [f for f in found[:2] if subject is not None and f[3].topic == subject.topic]
        if abs(said[0] - said[1]) > ENTRY_MARGIN:
            same = [found[0] if said[0] > said[1] else found[1]]
        elif len(same) == 2 and subject is not None:
            # Both are of that kind: the follow-up changed one thing of the subject ("Còn cấp huyện?" after the
            # commune level's members), so the one whose name keeps the rest of the subject's is meant.
            named = knowledge.index.name_terms(subject)
            kept = [len(named & knowledge.index.name_terms(f[3])) for f in same]
            same = [same[0]] if kept[0] > kept[1] else [same[1]] if kept[1] > kept[0] else []
        if len(same) != 1:
            return None
        found = same
    best = found[0][3]
    if question.unknown_place or not _same_places(question, best):
        return None
    if question.years and best.get("year") is not None and int(best["year"]) not in question.years:
        return None  # never another year's figure
    return _about(knowledge, question, best)


def _same_places(question: Question, entry: Entry) -> bool:
    """True when the entry is about the province the question names (or it names none)."""
    named = [p for p in question.mentioned.get("provinces", []) if p != "national"]
    return not named or entry.province in named or entry.province == "national"


def answer(knowledge: Knowledge, question: Question) -> Reply:
    """The structured reply to a question intent, to a follow-up ('inform'), or to a message not understood."""
    intent = question.intent
    if question.first("digital_transformation") in _documents_named(knowledge, question.text):
        intent = "ask_dt_info"  # "Quyết định 505 ... do ai ban hành": the decision, not the event it set up
        return _with_intent(answer_dt_info(knowledge, replace(question, intent=intent)), intent)
    if (
        not intent.startswith(("ask_event", "list_events"))
        and not any(question.mentioned.get(t) for t in ("heritage_sites", "public_services"))
        and events_on(knowledge, dates_in(question.text))
    ):
        intent = "ask_event_info"  # "hội thảo ... ngày 7/10/2022 ...": the event held that day
        return _as_intent(knowledge, question, intent)
    if intent in SUBJECT_TOPIC and _names_nothing(question, SUBJECT_TOPIC[intent]):
        other = _strong_match(knowledge, question, exclude=SUBJECT_TOPIC[intent])
        if other is not None:
            intent = SUGGEST_INTENT[other.topic][0]
            return _as_intent(knowledge, question, intent)
    if (
        intent != "inform"
        and question.context.get("last_intent") in ANSWERS
        and _only_changes_context(knowledge, question)
    ):
        intent = "inform"  # "… what was its rank in 2021, and what was it in 2022?": the last question again
    if intent == "inform":
        previous = question.context.get("last_intent")
        if previous in ANSWERS:
            return _as_intent(knowledge, question, previous)
        return fallback(knowledge, question)
    if intent in ANSWERS:
        return _as_intent(knowledge, question, intent)
    return fallback(knowledge, question)


def _only_changes_context(knowledge: Knowledge, question: Question) -> bool:
    """True when a message says nothing but a new year or province ("What was it in 2022?", "Còn Quảng Nam?"),
    or, marked as a follow-up, a new subject of the kind talked about ("And the Nam Giao Esplanade?"): whatever
    the NLU made of it, it asks the last question again of them."""
    others = [topic for topic, ids in question.mentioned.items() if ids and topic != "provinces"]
    if others:
        subject = context_subject(knowledge, replace(question, mentioned={}))  # what was talked about
        if not is_follow_up(question.text) or subject is None or others != [subject.topic]:
            return False
    elif not question.years and not question.mentioned.get("provinces"):
        return False
    places = subject_terms(knowledge, question, Reply())  # the names of what is named
    said = knowledge.index.query(question.text, (), question.language).content
    return all(t in places or _YEAR.fullmatch(t) or any(p in places for p in t.split("_")) for t in said)


def _with_intent(reply: Reply, intent: str) -> Reply:
    reply.slots.setdefault("last_intent", intent)
    return reply


def _as_intent(knowledge: Knowledge, question: Question, intent: str) -> Reply:
    """The answer to the question asked as `intent`."""
    return _with_intent(ANSWERS[intent](knowledge, replace(question, intent=intent)), intent)


def _about(knowledge: Knowledge, question: Question, entry: Entry) -> Reply:
    """The answer about one entry, asked as its topic's entries are, the entry taken as named."""
    intent = SUGGEST_INTENT[entry.topic][0]
    named = replace(question, mentioned={**question.mentioned, entry.topic: [entry.id]})
    return _as_intent(knowledge, named, intent)


def _if_answered(reply: Reply) -> Reply | None:
    """The reply when it answers (neither "I don't have that" nor a question back)."""
    return reply if reply.answered and not reply.asks else None


def fallback(knowledge: Knowledge, question: Question) -> Reply:
    """The entry the message names, else 'did you mean ...' buttons, else an honest 'I don't have that'."""
    language = question.language
    named = [(t, ids[0]) for t, ids in question.mentioned.items() if t in SUGGEST_INTENT and len(ids) == 1]
    if len(named) == 1:
        # A message that only names a new subject of the topic just asked about ("Còn Mộc bản triều Nguyễn?"
        # after a recognition question) asks the same of it.
        previous = str(question.context.get("last_intent") or "")
        same_topic = previous in ANSWERS and SUBJECT_TOPIC.get(previous) == named[0][0]
        intent = previous if same_topic else SUGGEST_INTENT[named[0][0]][0]
        return _as_intent(knowledge, question, intent)
    strong = _strong_match(knowledge, question)
    if (
        strong is not None
        and context_subject(knowledge, question) is not None
        and name_coverage(knowledge.kb, strong, question.text) < SAID_PART
    ):
        # In a conversation about something, a word of another entry's name ("theo hình thức gì?" and "đổi
        # hình thức nhận lương hưu") is no new subject: the message asks about the one talked about.
        strong = None
    if strong is not None:
        intent = SUGGEST_INTENT[strong.topic][0]
        return _as_intent(knowledge, question, intent)
    follow_up = _follow_up_intent(question) if not named else None
    previous = str(question.context.get("last_intent") or "")
    if follow_up is None and not named and question.mentioned.get("provinces") and previous in ANSWERS:
        follow_up = previous  # "Còn Quảng Nam …?": the last question, asked of the province it names
    if follow_up is not None:
        return _as_intent(knowledge, question, follow_up)
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


def _names_nothing(question: Question, topic: str) -> bool:
    """True when the question names no entry of `topic` and the conversation has none either."""
    slot = next(slot for slot, t in SLOT_TOPICS.items() if t == topic)
    return not question.mentioned.get(topic) and not question.context.get(slot)


# Share of an entry's name (by word weight) a message must say for the name to decide what it is about.
SAID_NAME = 0.9
# ... and, in a conversation about something, for a message to name another entry.
SAID_PART = 0.5


def _entry_said(knowledge: Knowledge, question: Question) -> Entry | None:
    """The one entry whose name the message says nearly whole, well ahead of any other."""
    best = _strong_match(knowledge, question)
    if best is None or name_coverage(knowledge.kb, best, question.text) < SAID_NAME:
        return None
    return best


# What a reply asks when the question names no entry of its intent's topic.
WHICH_ENTRY = ("ask_site", "ask_service", "ask_event")


def _named_entry_answer(knowledge: Knowledge, question: Question) -> Reply | None:
    """The answer about the one entry a question names by name, when the intent's answer has no such entry
    and no entry holds its words clearly ("Hue-S dùng để làm gì?" read as a procedure question names an app)."""
    named = [t for t, ids in question.mentioned.items() if t in SUGGEST_INTENT for _ in ids]
    # (Or the intent's answer asks for a province, and the entry named has one: "Châu bản triều Nguyễn gồm bao
    # nhiêu văn bản?" read as a statistic.)
    if len(named) != 1 or SUBJECT_TOPIC.get(question.intent) == named[0]:
        return None
    intent = SUGGEST_INTENT[named[0]][0]
    return _as_intent(knowledge, question, intent)


def _subject_answer(knowledge: Knowledge, question: Question) -> Reply | None:
    """The answer about what the conversation was about, when a message that names nothing was read as a
    question about another kind of entry ("Who runs it?" after an app, read as an event's organiser)."""
    subject = context_subject(knowledge, question)
    if (
        subject is None
        or subject.topic not in SUGGEST_INTENT
        or SUBJECT_TOPIC.get(question.intent) == subject.topic
    ):
        return None
    return _if_answered(_about(knowledge, question, subject))


def _figure_answer(knowledge: Knowledge, question: Question) -> Reply | None:
    """The figure a question names ("bao nhiêu di sản được UNESCO công nhận" names the UNESCO count) when its
    intent's answer found no entry to answer from; None when the figure is not known for the place and year."""
    if not question.values.get("metric") or question.intent == "ask_tourism_stat":
        return None
    return _if_answered(_as_intent(knowledge, question, "ask_tourism_stat"))


def _strong_match(knowledge: Knowledge, question: Question, exclude: str | None = None) -> Entry | None:
    """The one entry the words of the question clearly point to (a high score, well ahead of the next)."""
    topics = [t for t in SUGGEST_INTENT if t != exclude]
    ranked = rank(knowledge.kb, question.text, topics, limit=2)
    if not ranked:
        return None
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    # Below STRONG_SCORE (down to CLEAR_FLOOR of it) a match must lead the next by CLEAR_LEAD times more.
    margin = STRONG_MARGIN if ranked[0][1] >= STRONG_SCORE else STRONG_MARGIN * CLEAR_LEAD
    if ranked[0][1] < CLEAR_FLOOR * STRONG_SCORE or second * margin > ranked[0][1]:
        return None
    return ranked[0][0]


def _follow_up_intent(question: Question) -> str | None:
    """A question about "it / this one" (no name) right after an answer about a site or an event: asked of that
    subject ("Nó được xây dựng khi nào?", "Có bao nhiêu diễn giả?")."""
    previous = str(question.context.get("last_intent") or "")
    folded = f" {fold(question.text)} "
    if previous.startswith(("ask_event", "list_events")) and question.context.get("event"):
        if asks_count(folded):
            return "ask_event_figures"
        if any(f" {word} " in folded for word in PRONOUNS):
            return "ask_event_info"
    if previous.startswith("ask_site") and question.context.get("site"):
        if any(f" {word} " in folded for word in PRONOUNS):
            return "ask_site_info"
    return None


__all__ = ["QUESTION_INTENTS", "answer", "build_question", "fallback", "respond"]
