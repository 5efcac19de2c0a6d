"""What every answer uses: the knowledge in force, names in the user's language, source lines, choices."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.answering.model import Question, Reply
from assistant.answering.vocabulary import Vocabulary
from assistant.answering.wording import Wording, format_date, format_number
from assistant.kb.documents import Document
from assistant.kb.entry import Entry
from assistant.kb.index import RetrievalIndex
from assistant.kb.provenance import entry_changes, is_due, source_for
from assistant.kb.search import KnowledgeBase
from assistant.language import Language

# The provinces the knowledge covers, in the order choices are offered.
COVERED_PROVINCES = ("thua-thien-hue", "quang-ngai", "quang-nam")


@dataclass(frozen=True)
class Knowledge:
    """The knowledge in force for one answer: entries, the frame sentences, the metric vocabulary, the source
    documents, how people type (knowledge/language/) and one retrieval index over entries and passages."""

    kb: KnowledgeBase
    wording: Wording
    vocabulary: Vocabulary
    documents: tuple[Document, ...] = ()
    language: Language = field(default_factory=Language)
    index: RetrievalIndex = field(default_factory=lambda: RetrievalIndex(()))

    def document(self, document_id: str) -> Document | None:
        """The source document `document_id`, or None."""
        return next((d for d in self.documents if d.id == document_id), None)

    def entry(self, topic: str, entry_id: str | None) -> Entry | None:
        """The entry, or None when the id is empty or unknown."""
        return self.kb.get(topic, entry_id) if entry_id else None


def text_of(value: Any, language: str) -> str:
    """The `language` text of a {vi, en} mapping ('' when absent)."""
    if isinstance(value, Mapping):
        return str(value.get(language) or value.get("vi") or "")
    return str(value or "")


def list_of(value: Any, language: str) -> list[str]:
    """The `language` list of a {vi: [...], en: [...]} mapping."""
    if isinstance(value, Mapping):
        items = value.get(language) or value.get("vi") or []
        return [str(item) for item in items]
    return []


def name(entry: Entry, language: str) -> str:
    """The entry's name in `language`."""
    return entry.name_en if language == "en" and entry.name_en else entry.name_vi


def province_name(knowledge: Knowledge, province_id: str | None, language: str) -> str:
    """'Quảng Ngãi' for 'quang-ngai' (the id itself when unknown)."""
    entry = knowledge.entry("provinces", province_id)
    return name(entry, language) if entry else str(province_id or "")


def source_line(
    knowledge: Knowledge, source: Mapping[str, Any], as_of: str, language: str, due: bool = False
) -> str:
    """'Nguồn: <title> (số liệu đến dd/mm/yyyy).' — with the URL when the source has one; a fact due for review
    adds that it may have changed."""
    date = format_date(as_of, language)
    key = "source_due" if due else "source"
    if source.get("url"):
        return knowledge.wording.say(
            f"{key}_url", language, title=source["title"], url=source["url"], date=date
        )
    return knowledge.wording.say(key, language, title=source["title"], date=date)


def entry_source(knowledge: Knowledge, entry: Entry, language: str, field_name: str | None = None) -> str:
    """The source line of an entry: of the source behind `field_name` when one is named for it."""
    source, as_of = source_for(entry, field_name) if field_name else (entry["source"], entry["as_of"])
    return source_line(knowledge, source, as_of, language, due=is_due(entry.data, entry_changes(entry)))


def with_source(knowledge: Knowledge, lines: Iterable[str], entry: Entry, language: str) -> str:
    """Answer lines followed by the entry's source line."""
    return "\n".join([*[line for line in lines if line], entry_source(knowledge, entry, language)])


def number(value: float | int, language: str) -> str:
    """A number in the user's language."""
    return format_number(value, language)


def quantity(knowledge: Knowledge, entry: Entry, language: str) -> str:
    """The entry's value with its unit and qualifier: 'hơn 7.512', '700 tỷ đồng', '650,000 visits'."""
    value = number(entry["value"], language)
    unit = entry.get("unit")
    if unit and knowledge.wording.has(f"units.{unit}"):
        value = knowledge.wording.say(f"units.{unit}", language, value=value)
    elif unit:
        value = f"{value} {unit}"
    qualifier = entry.get("qualifier") or "exact"
    return knowledge.wording.say(f"qualifiers.{qualifier}", language, value=value)


def payload(intent: str, **entities: Any) -> str:
    """A button payload that asks the assistant `intent` with `entities` set."""
    values = {k: str(v) for k, v in entities.items() if v is not None}
    return f"/{intent}{json.dumps(values, ensure_ascii=False)}" if values else f"/{intent}"


def button(title: str, intent: str, **entities: Any) -> dict[str, str]:
    """One quick-reply button."""
    return {"title": title, "payload": payload(intent, **entities)}


def ask(knowledge: Knowledge, key: str, question: Question, buttons: list[dict[str, str]]) -> Reply:
    """A reply that asks for what is missing, with buttons for the choices the knowledge has."""
    reply = Reply(answered=True, asks=key)
    reply.say(knowledge.wording.say(key, question.language), buttons)
    return reply


def no_data(knowledge: Knowledge, question: Question, text: str | None = None) -> Reply:
    """The honest 'I don't have that' reply, with the four topics as buttons."""
    reply = Reply(answered=False)
    reply.say(text or knowledge.wording.say("no_data", question.language), topic_buttons(knowledge, question))
    return reply


def topic_buttons(knowledge: Knowledge, question: Question) -> list[dict[str, str]]:
    """The four topics as buttons (titles from the wording file)."""
    titles = knowledge.wording.sentences.get("topics") or {}
    return [
        {"title": text_of(title, question.language), "payload": payload("choose_topic", topic=topic)}
        for topic, title in titles.items()
    ]


def unknown_place_reply(knowledge: Knowledge, question: Question) -> Reply:
    """The reply to a question about a place the knowledge does not cover."""
    text = knowledge.wording.say("not_covered_place", question.language, place=question.unknown_place)
    return no_data(knowledge, question, text)
