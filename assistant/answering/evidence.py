"""Evidence answers: the passages of the source documents that best answer a question, quoted as written.

When no modelled attribute of an entry answers the question (who spoke at an event, what a report said, a
detail that only the source holds), the answer is the one or two passages that hold most of the question,
quoted exactly, with their document's source and date. A question whose words the knowledge does not hold
gets nothing here: the caller then says honestly that it does not know. A quoted sentence is evidence, not a
figure of ours.

`choose` decides between the structured answer (picked by intent, as before) and the evidence answer, on one
measure: how much of the question each holds (RetrievalIndex.coverage).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from assistant.answering.common import Knowledge
from assistant.answering.digital import dt_entry
from assistant.answering.events import dates_in, months_in
from assistant.answering.model import Question, Reply
from assistant.kb.documents import Document, Passage, document_date_text
from assistant.kb.entry import Entry
from assistant.kb.index import Hit, Query, is_follow_up
from assistant.text import fold

# How much of a question (weighted share of its content terms) a passage must hold to answer it ...
ANSWER_COVERAGE = 0.6
# ... to replace a structured answer that holds much less of it (by at least MARGIN) ...
OVERRIDE_COVERAGE = 0.7
MARGIN = 0.3
# ... or to replace one that holds less than this of what is asked (an answer to another question) ...
UNRELATED = 0.2
# ... and for a second passage to be quoted beside the first (it must also hold terms the first lacks).
SECOND_COVERAGE = 0.4
# A question about what a thing is, asked without the province the structured path wants, is answered by a
# passage that holds this much of what it asks, when it asks in this many words at least (one that says little
# more than a name, "chỉ số DTI là gì", would get any passage that names it, about any province).
CONCEPT_COVERAGE = 0.8
CONCEPT_WORDS = 4
# A question of fewer content words than this ("How much does it cost?", asked of nothing) says too little for
# a passage to answer it.
MIN_CONTENT_WORDS = 2
MAX_QUOTED_CHARS = 600


@dataclass(frozen=True)
class Evidence:
    """The passages that answer a question best, how much of it they hold, and the query they were found for."""

    passages: tuple[Passage, ...]
    coverage: float
    query: Query


# The slots that name what a conversation is about, and their topics.
SUBJECT_SLOTS = {
    "event": "events",
    "site": "heritage_sites",
    "service": "public_services",
    "dt_entry": "digital_transformation",
}


# The subject slot of the last question's intent: a follow-up is about what the last question was about, not a
# site talked about two questions earlier (after a statistic there is no subject entry at all).
_INTENT_SLOTS = (
    ("ask_site", "site"),
    ("ask_service", "service"),
    ("ask_event", "event"),
    ("list_events", "event"),
    ("ask_dt", "dt_entry"),
)


def context_subject(knowledge: Knowledge, question: Question) -> Entry | None:
    """What the conversation was about, when this message names nothing itself ("Có bao nhiêu diễn giả?")."""
    if any(ids for topic, ids in question.mentioned.items() if topic != "provinces"):
        return None
    last = str(question.context.get("last_intent") or "")
    slots = (
        [slot for prefix, slot in _INTENT_SLOTS if last.startswith(prefix)] if last else list(SUBJECT_SLOTS)
    )
    for slot, topic in SUBJECT_SLOTS.items():
        if slot not in slots:
            continue
        value = question.context.get(slot)
        entry = dt_entry(knowledge, value) if slot == "dt_entry" else knowledge.entry(topic, str(value or ""))
        if entry is not None:
            return entry
    return None


def question_query(knowledge: Knowledge, question: Question) -> Query:
    """The retrieval query of a question (its words, and their glossary equivalents); a follow-up that names
    nothing is read with the name of what the conversation was about."""
    text = question.text
    subject = context_subject(knowledge, question)
    if subject is not None:
        text = f"{subject.name_vi} {text}"
    tokens = text.split()
    return knowledge.index.query(text, knowledge.language.equivalents(tokens), question.language)


def _places(knowledge: Knowledge, question: Question) -> list[str]:
    """The provinces the question is about: named in it, else those of the conversation's subject (or, for a
    follow-up, of the conversation)."""
    named = [p for p in question.mentioned.get("provinces", []) if p != "national"]
    if named:
        return named
    subject = context_subject(knowledge, question)
    if subject is not None:
        return [subject.province] if subject.province != "national" else []
    # A follow-up ("And in 2020?") is about the province the conversation was about.
    province = question.context.get("province")
    return [str(province)] if question.follows_up() and province and province != "national" else []


def _date_only_years(text: str) -> set[str]:
    """The years a question writes only inside a day's or a month's date ("hội thảo 07/10/2022", "the workshop
    in October 2022"), not on their own."""
    alone = Counter(_YEAR.findall(text))
    in_dates = Counter(str(day.year) for day in dates_in(text))
    in_dates += Counter(str(year) for year, _ in months_in(text))
    return {year for year, count in in_dates.items() if alone[year] <= count}


def _fits(
    knowledge: Knowledge, question: Question, passage: Passage, places: list[str], dated: set[str]
) -> bool:
    """A passage may answer only about the province and year asked: its document covers the province (or it
    names it) and it states the year asked (or, naming no year, its document is of that year)."""
    document = knowledge.document(passage.document)
    if document is None:
        return False
    folded = f" {fold(passage.text)} "
    for place in places:
        entry = knowledge.entry("provinces", place)
        names = [fold(n) for _, n in entry.names()] if entry is not None else []
        if place not in document.provinces and not any(f" {n} " in folded for n in names):
            return False
    # A passage that names years is of those years; one that names none, of its document's. A year the question
    # only writes in a day's date ("hội thảo 07/10/2022") names what happened that day: any passage of a
    # document of that year may tell about it (a list of its talks names the years the talks are about).
    stated = set(_YEAR.findall(passage.text)) or _paragraph_years(document, passage)
    return all(
        str(year) in stated or ((not stated or str(year) in dated) and document.date.startswith(str(year)))
        for year in question.years
    )


def _paragraph_years(document: Document, passage: Passage) -> set[str]:
    """The years the sentences before a passage in its paragraph name ("Năm 2021, … Quảng Nam xếp vị thứ 25/63.
    Ông Hồ Quang Bửu cho rằng kết quả này …": the second sentence is of 2021 too)."""
    for before in reversed(document.passages[: passage.number]):
        if before.line != passage.line:
            break
        years = set(_YEAR.findall(before.text))
        if years:
            return years
    return set()


def find_evidence(knowledge: Knowledge, question: Question, query: Query) -> Evidence | None:
    """The best passage for `query` (and a second that adds to it), or None when no passage holds enough.
    Only passages about the province and year the question asks are taken; none for a place not covered."""
    if question.unknown_place:
        return None
    if query.words < MIN_CONTENT_WORDS:
        return None
    places = _places(knowledge, question)
    dated = _date_only_years(question.text)
    # A question that asks for a time or a count is answered by a passage that states a number.
    number = bool(_ASKS_NUMBER.search(question.text))
    hits = [
        h
        for h in knowledge.index.search(query, limit=8, passages=True)
        if isinstance(h.item, Passage)
        and _fits(knowledge, question, h.item, places, dated)
        and (not number or any(c.isdigit() for c in h.item.text))
    ]
    if not hits:
        return None
    own = _replacing_subject(knowledge, question)
    # "Còn chữ ký số thì cấp được bao nhiêu?": the follow-up's own words name what it now asks about. "Công ty
    # SAVIS trình bày tham luận gì tại Hội thảo X?": every passage about X holds X's name, so the words asked
    # of it tell them apart. Either way the whole question counts as much as those words.
    telling = own if own is not None else asked_query(knowledge, question, query, Reply())
    if own is not None or 0 < len(telling.content) < len(query.content):
        hits.sort(
            key=lambda h: -(knowledge.index.coverage(telling, h.terms) + (h.coverage if own else h.rank)) / 2
        )
    best = hits[0]
    chosen = [best]
    asked = own or query
    first_terms = knowledge.index.terms_of(_passage(best).text)
    for other in hits[1:]:
        passage = _passage(other)
        adds = any(
            t in knowledge.index.terms_of(passage.text) and t not in first_terms for t in asked.content
        )
        second = knowledge.index.coverage(asked, other.terms)
        if second >= SECOND_COVERAGE and adds and passage.document == _passage(best).document:
            chosen.append(other)
            break
    chosen.sort(key=lambda h: _passage(h).number)
    held = set().union(*(_passage_terms(knowledge, _passage(h)) for h in chosen))
    coverage = knowledge.index.coverage(query, held)
    if own is not None:
        coverage = max(coverage, knowledge.index.coverage(own, held))
    return Evidence(tuple(_passage(h) for h in chosen), coverage, query)


def _replacing_subject(knowledge: Knowledge, question: Question) -> Query | None:
    """The query of a follow-up's own words when it names a new subject in place of the conversation's ("Còn X
    …?", "And X?"), None otherwise ("Có bao nhiêu diễn giả?" asks about the subject talked about)."""
    if context_subject(knowledge, question) is None or not is_follow_up(question.text):
        return None
    own = knowledge.index.query(
        question.text, knowledge.language.equivalents(question.text.split()), question.language
    )
    return own if own.words >= MIN_CONTENT_WORDS else None


def _passage_terms(knowledge: Knowledge, passage: Passage) -> frozenset[str]:
    """The terms a passage holds, read in its place: its text, its heading, who says it, its document's title and year."""
    document = knowledge.document(passage.document)
    place = f"{document.title} {document.date[:4]}" if document is not None else ""
    return knowledge.index.terms_of(f"{passage.text} {passage.heading} {passage.speaker} {place}")


def _passage(hit: Hit) -> Passage:
    assert isinstance(hit.item, Passage)
    return hit.item


def evidence_reply(knowledge: Knowledge, question: Question, evidence: Evidence) -> Reply:
    """The quoted passages with their source and date (an English lead-in when the source is Vietnamese)."""
    language = question.language
    lines = []
    documents = []
    for passage in evidence.passages:
        document = knowledge.document(passage.document)
        if document is None:
            continue
        if document not in documents:
            documents.append(document)
        text = _excerpt(knowledge, evidence.query, passage.text)
        lines.append(knowledge.wording.say("evidence.quote", language, text=text))
    if language == "en" and any(d.language != "en" for d in documents):
        lines.insert(0, knowledge.wording.say("evidence.lead_in_vi_source", language))
    for document in documents:
        date = document_date_text(document.date, language)
        url = document.source.get("url")
        key = "evidence.source_url" if url else "evidence.source"
        lines.append(
            knowledge.wording.say(
                key, language, title=document.source.get("title", document.title), url=url, date=date
            )
        )
    reply = Reply(entry=f"documents:{evidence.passages[0].document}" if evidence.passages else None)
    reply.say("\n".join(lines))
    return reply


# Where a long passage may be cut for a quote: after a semicolon or a colon, before a numbered item "(4)".
_CLAUSE_END = re.compile(r"(?<=[;:])\s+|\s+(?=\(\d{1,2}\)\s)")


def _excerpt(knowledge: Knowledge, query: Query, text: str) -> str:
    """`text`, or when too long to quote whole, its clauses around the one that holds most of the question
    (the fourth talk of a list of six is quoted, not the first three): whole clauses, "…" where cut. A list's
    introduction ("Các tham luận trình bày tại Hội thảo:") is kept before the items quoted."""
    if len(text) <= MAX_QUOTED_CHARS:
        return text
    clauses = [c for c in _CLAUSE_END.split(text) if c]
    held = [knowledge.index.held(query, knowledge.index.terms_of(c)) for c in clauses]
    intro = ""
    if len(clauses) > 2 and clauses[0].endswith(":") and len(clauses[0]) <= MAX_QUOTED_CHARS // 3:
        # The words the question shares with a list's introduction found the list; the item is told by the rest.
        intro = clauses[0]
        clauses = clauses[1:]
        held = [terms - held[0] for terms in held[1:]]
    budget = MAX_QUOTED_CHARS - len(intro) - 2
    # A word most clauses hold ("trình bày tham luận" in a list of talks) tells them apart less than one that
    # only a few hold ("nông nghiệp"): each term weighs by how few of the passage's clauses hold it.
    holding = Counter(term for terms in held for term in terms)
    scores = [
        sum(query.content[t] * math.log(1 + len(clauses) / holding[t]) for t in terms) for terms in held
    ]
    best = max(range(len(clauses)), key=lambda i: (scores[i], -i))
    first = last = best
    size = len(clauses[best])
    while True:
        grown = False
        for candidate in (first - 1, last + 1):
            if 0 <= candidate < len(clauses) and size + len(clauses[candidate]) + 1 <= budget:
                size += len(clauses[candidate]) + 1
                first, last = min(first, candidate), max(last, candidate)
                grown = True
        if not grown:
            break
    quoted = " ".join(clauses[first : last + 1])
    if len(quoted) > budget:  # one clause longer than a quote
        quoted = quoted[:budget]
        last = -1
    opening = f"{intro} " if intro else ""
    return (
        ("…" if first > 0 and not intro else "")
        + opening
        + ("… " if first > 0 and intro else "")
        + quoted
        + ("…" if last < len(clauses) - 1 else "")
    )


def reply_coverage(knowledge: Knowledge, query: Query, reply: Reply) -> float:
    """How much of the question a reply's texts hold."""
    found = knowledge.index.terms_of(" ".join(m.text for m in reply.messages if m.text))
    return knowledge.index.coverage(query, found)


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


# Phrases (folded) of a question that asks for a place or a time itself: then the province or the year is the
# answer, not a missing part of the question.
_ASKS_PLACE = re.compile(r"\b(?:tinh nao|dia phuong nao|noi nao|o dau|which province|where)\b")
_ASKS_NUMBER = re.compile(
    r"\b(?:nam nao|ngay nao|khi nao|bao gio|bao nhieu|so luong|which year|what year|when|how many)\b"
)
_ASKS_COUNT = re.compile(r"\b(?:bao nhieu|may|so luong|how many|how much|number of)\b")
# ... or a rank, a place in a ranking.
_ASKS_RANK = re.compile(r"\b(?:xep hang|hang|xep thu|dung thu|thu may|vi tri|vi thu|rank\w*|position)\b")


def asks_count(text: str) -> bool:
    """True when a (folded) question asks how many or how much."""
    return bool(_ASKS_COUNT.search(text))


# Intents whose answer is a count.
COUNT_INTENTS = frozenset({"ask_event_figures"})
_ASKS_TIME = re.compile(r"\b(?:nam nao|khi nao|luc nao|bao gio|which year|when)\b")


def _states_what_is_asked(
    knowledge: Knowledge, question: Question, structured: Reply, evidence: Evidence, query: Query
) -> bool:
    """True when a passage may answer a question the structured path would ask about: for a missing province
    or year, only when the question asks for that place or time itself and the passage names it; for the
    other questions (which site, procedure, event?) the passage's own words are enough."""
    text = " ".join(p.text for p in evidence.passages)
    asked = structured.asks
    if asked == "ask_year":
        return bool(_ASKS_TIME.search(question.text)) and bool(_YEAR.search(text))
    if asked == "ask_province":
        named = knowledge.kb.find_in_text(text, "provinces")
        if bool(_ASKS_PLACE.search(question.text)) and any(m.entry_id != "national" for m in named):
            return True
        # A question about what a thing is, not a figure of a place ("DTI cấp tỉnh gồm những trụ cột nào?"),
        # needs no province: the passage must hold what is asked nearly whole.
        if question.values or _ASKS_NUMBER.search(question.text) or _ASKS_RANK.search(question.text):
            return False
        what = asked_query(knowledge, question, query, structured)
        passage_terms = set().union(*(_passage_terms(knowledge, p) for p in evidence.passages))
        return (
            what.words >= CONCEPT_WORDS and knowledge.index.coverage(what, passage_terms) >= CONCEPT_COVERAGE
        )
    return True


def subject_terms(knowledge: Knowledge, question: Question, reply: Reply) -> frozenset[str]:
    """The terms of the names of what the question is about (the entries it names, the entry the structured
    reply answers from): what the question asks is the rest."""
    named = [(topic, entry_id) for topic, ids in question.mentioned.items() for entry_id in ids]
    if reply.entry and ":" in reply.entry:
        topic, _, entry_id = reply.entry.partition(":")
        named.append((topic, entry_id))
    found: set[str] = set()
    for topic, entry_id in named:
        entry = knowledge.kb.get(topic, entry_id) if topic in knowledge.kb.topics() else None
        if entry is not None:
            found |= knowledge.index.name_terms(entry)
    return frozenset(found)


def asked_query(knowledge: Knowledge, question: Question, query: Query, structured: Reply) -> Query:
    """What a question asks: its query without the names of its subject (the entries it names or talks about,
    the entry the structured reply answers from)."""
    subject = subject_terms(knowledge, question, structured)
    talked_about = context_subject(knowledge, question)
    if talked_about is not None:
        subject |= knowledge.index.name_terms(talked_about)
    # A follow-up is read with the conversation's subject, but asks only in its own words: the subject's words
    # it replaced ("cấp tỉnh" when it asks "còn cấp huyện?") are not asked.
    own = (
        set(knowledge.index.query(question.text, (), question.language).content)
        if talked_about is not None
        else set(query.content)
    )
    # What is asked is a few words; two of them side by side are one ("kết thúc", not "kết quả … thực chất"),
    # so a pair weighs its full rarity here.
    return Query(
        {
            t: knowledge.index.idf(t) if "_" in t else w
            for t, w in query.content.items()
            if t in own and not any(part in subject for part in (t, *t.split("_")))
        },
        query.terms,
        query.alternatives,
    )


def _quoted(knowledge: Knowledge, question: Question, evidence: Evidence, structured: Reply) -> Reply:
    """The evidence answer in place of `structured`. A quote that answers a question about an entry it names
    keeps that entry as what the conversation is about ("When was the workshop … held?" quoted, then "And who
    chaired it?")."""
    reply = evidence_reply(knowledge, question, evidence)
    topic, _, entry_id = (structured.entry or "").partition(":")
    if entry_id and entry_id in question.mentioned.get(topic, []):
        reply.slots.update(structured.slots)
    return reply


def choose(knowledge: Knowledge, question: Question, structured: Reply) -> Reply:
    """The structured answer, or the evidence answer when it holds what is asked clearly better.

    What is asked is the question without the names of its subject: "who spoke at the opening of Huế's Digital
    Transformation Week" asks "who spoke at the opening". A structured reply about the event holds the event's
    name but not that; a passage that says who spoke holds both.
    """
    query = question_query(knowledge, question)
    if not query.content:
        return structured
    evidence = find_evidence(knowledge, question, query)
    if evidence is None:
        return structured
    if structured.asks:
        # The structured path asks for what the question lacks. A passage answers instead only when it holds
        # the question and says what was lacking itself: a quote about an unnamed province or year would guess.
        if evidence.coverage >= ANSWER_COVERAGE and _states_what_is_asked(
            knowledge, question, structured, evidence, query
        ):
            return _quoted(knowledge, question, evidence, structured)
        return structured
    asked = asked_query(knowledge, question, query, structured)
    passages_terms = set().union(*(_passage_terms(knowledge, p) for p in evidence.passages))
    # An event's figures answer "how many"; to "which cities / what activities" they answer something else.
    counts = structured.slots.get("last_intent") in COUNT_INTENTS
    if not structured.answered or (counts and not asks_count(question.text)):
        # The structured path knew the subject but not what is asked of it ("tickets to Cù Lao Chàm"): a
        # passage about the subject that does not hold what is asked would answer another question.
        if evidence.coverage >= ANSWER_COVERAGE and not (
            structured.entry
            and asked.content
            and knowledge.index.coverage(asked, passages_terms) < ANSWER_COVERAGE
        ):
            return _quoted(knowledge, question, evidence, structured)
        if not structured.answered:
            return structured
    if not asked.content:
        return structured
    held_by_passages = knowledge.index.coverage(asked, passages_terms)
    held_by_structured = reply_coverage(knowledge, asked, structured)
    if (
        held_by_structured < UNRELATED
        and evidence.coverage >= ANSWER_COVERAGE
        and held_by_passages >= ANSWER_COVERAGE
    ):
        # The structured reply says nothing of what is asked (Quảng Ngãi's tourism figures to "what share of
        # Quảng Ngãi's people live from farming?"): a passage that holds it answers, as to a question the
        # structured path could not answer.
        return _quoted(knowledge, question, evidence, structured)
    if evidence.coverage < OVERRIDE_COVERAGE:
        return structured
    if held_by_passages >= held_by_structured + MARGIN:
        return _quoted(knowledge, question, evidence, structured)
    return structured
