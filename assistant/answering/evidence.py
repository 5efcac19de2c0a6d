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

from dataclasses import dataclass

from assistant.answering.common import Knowledge
from assistant.answering.model import Question, Reply
from assistant.kb.documents import Passage, document_date_text
from assistant.kb.entry import Entry
from assistant.kb.index import Hit, Query, text_terms
from assistant.text import fold

# How much of a question (weighted share of its content terms) a passage must hold to answer it ...
ANSWER_COVERAGE = 0.6
# ... to replace a structured answer that holds much less of it (by at least MARGIN) ...
OVERRIDE_COVERAGE = 0.8
MARGIN = 0.3
# ... and for a second passage to be quoted beside the first (it must also hold terms the first lacks).
SECOND_COVERAGE = 0.4
MAX_QUOTED_CHARS = 600


@dataclass(frozen=True)
class Evidence:
    """The passages that answer a question best, and how much of it they hold."""

    passages: tuple[Passage, ...]
    coverage: float


# The slots that name what a conversation is about, and their topics.
SUBJECT_SLOTS = {
    "event": "events",
    "site": "heritage_sites",
    "service": "public_services",
    "dt_entry": "digital_transformation",
}


def context_subject(knowledge: Knowledge, question: Question) -> Entry | None:
    """What the conversation was about, when this message names nothing itself ("Có bao nhiêu diễn giả?")."""
    if any(ids for topic, ids in question.mentioned.items() if topic != "provinces"):
        return None
    for slot, topic in SUBJECT_SLOTS.items():
        value = question.context.get(slot)
        if value:
            entry = knowledge.entry(topic, str(value))
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
    return knowledge.index.query(text, knowledge.language.equivalents(tokens))


def _places(knowledge: Knowledge, question: Question) -> list[str]:
    """The provinces the question is about: named in it, else those of the conversation's subject."""
    named = [p for p in question.mentioned.get("provinces", []) if p != "national"]
    if named:
        return named
    subject = context_subject(knowledge, question)
    return [subject.province] if subject is not None and subject.province != "national" else []


def _fits(knowledge: Knowledge, question: Question, passage: Passage, places: list[str]) -> bool:
    """A passage may answer only about the province and year asked: its document covers the province (or it
    names it) and it states the year asked (or its document is of that year)."""
    document = knowledge.document(passage.document)
    if document is None:
        return False
    folded = f" {fold(passage.text)} "
    for place in places:
        entry = knowledge.entry("provinces", place)
        names = [fold(n) for _, n in entry.names()] if entry is not None else []
        if place not in document.provinces and not any(f" {n} " in folded for n in names):
            return False
    return all(str(year) in passage.text or document.date.startswith(str(year)) for year in question.years)


def find_evidence(knowledge: Knowledge, question: Question, query: Query) -> Evidence | None:
    """The best passage for `query` (and a second that adds to it), or None when no passage holds enough.
    Only passages about the province and year the question asks are taken; none for a place not covered."""
    if question.unknown_place:
        return None
    places = _places(knowledge, question)
    hits = [
        h
        for h in knowledge.index.search(query, limit=8, passages=True)
        if isinstance(h.item, Passage) and _fits(knowledge, question, h.item, places)
    ]
    if not hits:
        return None
    best = hits[0]
    chosen = [best]
    first_terms = text_terms(_passage(best).text)
    for other in hits[1:]:
        passage = _passage(other)
        adds = any(t in text_terms(passage.text) and t not in first_terms for t in query.content)
        if other.coverage >= SECOND_COVERAGE and adds and passage.document == _passage(best).document:
            chosen.append(other)
            break
    chosen.sort(key=lambda h: _passage(h).number)
    coverage = knowledge.index.coverage(
        query, set().union(*(_passage_terms(knowledge, _passage(h)) for h in chosen))
    )
    return Evidence(tuple(_passage(h) for h in chosen), coverage)


def _passage_terms(knowledge: Knowledge, passage: Passage) -> frozenset[str]:
    """The terms a passage holds, read in its place: its text, its heading and its document's title."""
    document = knowledge.document(passage.document)
    title = document.title if document is not None else ""
    return text_terms(f"{passage.text} {passage.heading} {title}")


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
        text = (
            passage.text
            if len(passage.text) <= MAX_QUOTED_CHARS
            else passage.text[: MAX_QUOTED_CHARS - 1] + "…"
        )
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


def reply_coverage(knowledge: Knowledge, query: Query, reply: Reply) -> float:
    """How much of the question a reply's texts hold."""
    found = text_terms(" ".join(m.text for m in reply.messages if m.text))
    return knowledge.index.coverage(query, found)


def choose(knowledge: Knowledge, question: Question, structured: Reply) -> Reply:
    """The structured answer, or the evidence answer when it holds the question clearly better."""
    query = question_query(knowledge, question)
    if not query.content:
        return structured
    evidence = find_evidence(knowledge, question, query)
    if (
        evidence is None or structured.asks
    ):  # a question that lacks its province or year is asked, not guessed
        return structured
    if not structured.answered and evidence.coverage >= ANSWER_COVERAGE:
        return evidence_reply(knowledge, question, evidence)
    if (
        evidence.coverage >= OVERRIDE_COVERAGE
        and evidence.coverage >= reply_coverage(knowledge, query, structured) + MARGIN
    ):
        return evidence_reply(knowledge, question, evidence)
    return structured
