"""Answers about digital transformation beyond DTI ranks: teams, targets, plans, e-government figures."""

from __future__ import annotations

from assistant.answering.common import (
    Knowledge,
    button,
    entry_source,
    name,
    no_data,
    quantity,
    text_of,
    unknown_place_reply,
)
from assistant.answering.model import Question, Reply
from assistant.answering.retrieval import name_coverage, rank
from assistant.kb.entry import Entry
from assistant.kb.index import is_follow_up
from assistant.text import fold

# Changes of administrative units (mergers, a new city) are told as the other entries of this kind are.
ADMINISTRATIVE = "administrative_changes"
TOPICS = ("digital_transformation", "portals", ADMINISTRATIVE)
MATCH_THRESHOLD = 0.3
RELATED = 3


# Folded phrases of a question that asks for a web address: entries with a URL come first.
WEBSITE_PHRASES = ("trang web", "website", "web site", "trang thong tin", "cong thong tin", "dia chi web")
# Folded phrases after which a question names the unit it counts ("bao nhiêu thành viên").
COUNT_PHRASES = ("bao nhieu ", "how many ", "so luong ")
UNIT_BONUS = 0.3
# A question of fewer words than this that ask something names nothing of its own.
MIN_ASKING_WORDS = 2
# Among close matches, the entry whose own name the question covers best wins ("... bao nhiêu thành viên" is
# the members' count, not the count of members trained).
COVERAGE_WEIGHT = 0.5


def _asked_units(knowledge: Knowledge, text: str) -> set[str]:
    """The units a 'how many <unit>' question counts, among those the wording file names."""
    folded = fold(text)
    units = set()
    for key in knowledge.wording.keys("units"):
        for language in ("vi", "en"):
            label = fold(knowledge.wording.say(f"units.{key}", language, value="")).strip()
            if label and any(f"{phrase}{label}" in folded for phrase in COUNT_PHRASES):
                units.add(key)
    return units


def _says_little(knowledge: Knowledge, question: Question) -> bool:
    """True when a question asks in fewer words than MIN_ASKING_WORDS: any entry that holds one of them would
    match it as well as the one the conversation is about."""
    query = knowledge.index.query(question.text, (), question.language)
    return query.words < MIN_ASKING_WORDS


def dt_entry(knowledge: Knowledge, entry_id: object) -> Entry | None:
    """The entry a `dt_entry` slot or button names, whichever of this answer's topics holds it."""
    if not entry_id:
        return None
    return next((e for t in TOPICS if (e := knowledge.entry(t, str(entry_id)))), None)


def _topics(knowledge: Knowledge, question: Question) -> tuple[str, ...]:
    """The topics a question may be answered from: a follow-up ("Còn cấp huyện?") stays with the kind of entry
    talked about; an administrative change is not a digital-transformation figure's sibling."""
    current = dt_entry(knowledge, question.context.get("dt_entry")) if is_follow_up(question.text) else None
    if current is None or current.topic == ADMINISTRATIVE:
        return TOPICS
    return tuple(t for t in TOPICS if t != ADMINISTRATIVE)


def _candidates(knowledge: Knowledge, question: Question, units: set[str]) -> list[tuple[Entry, float]]:
    province = question.explicit("province")
    where = {"province": province} if province else None
    ranked = rank(knowledge.kb, question.text, _topics(knowledge, question), where=where, limit=12)
    if units:
        ranked = [(e, s + UNIT_BONUS if e.get("unit") in units else s) for e, s in ranked]
    folded = fold(question.text)
    if any(phrase in folded for phrase in WEBSITE_PHRASES):
        ranked = [(e, s + UNIT_BONUS if e.get("url") else s) for e, s in ranked]
    ranked = [(e, s + COVERAGE_WEIGHT * name_coverage(knowledge.kb, e, question.text)) for e, s in ranked]
    ranked.sort(key=lambda pair: -pair[1])
    year = question.explicit("year")
    if year is not None:
        dated = [
            (e, s)
            for e, s in ranked
            if e.get("year") in (None, year) or str(e.get("as_of", "")).startswith(str(year))
        ]
        ranked = dated or ranked
    return ranked


def describe(knowledge: Knowledge, entry: Entry, language: str) -> list[str]:
    """The lines that state one digital-transformation entry (its figure, then its description)."""
    lines = []
    if entry.get("value") is not None:
        lines.append(
            knowledge.wording.say(
                "dt_value", language, name=name(entry, language), value=quantity(knowledge, entry, language)
            )
        )
    elif entry.get("rank") is not None:
        out_of = (
            knowledge.wording.say("dti_out_of", language, out_of=entry["out_of"])
            if entry.get("out_of")
            else ""
        )
        lines.append(
            knowledge.wording.say(
                "dti_rank", language, name=name(entry, language), rank=entry["rank"], out_of=out_of
            )
        )
    else:
        lines.append(name(entry, language) + ":")
    lines.append(text_of(entry.get("description"), language))
    if entry.get("url"):
        lines.append(str(entry["url"]))
    note = text_of(entry.get("note"), language)
    if note:
        lines.append(note)
    return lines


def answer_dt_info(knowledge: Knowledge, question: Question) -> Reply:
    """The best-matching digital-transformation entry, with related ones as buttons."""
    language = question.language
    if question.unknown_place:
        return unknown_place_reply(knowledge, question)
    entry = None
    for topic in TOPICS:
        entry = entry or knowledge.entry(topic, question.first(topic))
    units = _asked_units(knowledge, question.text)
    current = dt_entry(knowledge, question.context.get("dt_entry"))
    if not units and current is not None and current.get("unit") and is_follow_up(question.text):
        # "Còn cấp huyện?" after the commune level's members: the level changes, what is counted stays.
        units = {str(current["unit"])}
    ranked = _candidates(knowledge, question, units)
    if entry is not None and units and entry.get("unit") not in units:
        # "Tổ công nghệ số ... có bao nhiêu thành viên": the name is the teams', the count asked the members'
        counted = [e for e, score in ranked if e.get("unit") in units and score >= MATCH_THRESHOLD]
        entry = counted[0] if counted else entry
    if entry is None and current is not None and _says_little(knowledge, question):
        entry = current  # "Who issued it?": one word asked of what the conversation is about
    if entry is None and ranked and ranked[0][1] >= MATCH_THRESHOLD:
        entry = ranked[0][0]
    if entry is None:
        entry = current
        if entry is None or question.intent != "inform":
            return no_data(knowledge, question)
    reply = Reply(
        slots={"dt_entry": entry.id, "last_intent": "ask_dt_info"}, entry=f"{entry.topic}:{entry.id}"
    )
    if entry.province != "national":
        reply.slots["province"] = entry.province
    related = [e for e, score in ranked if e.id != entry.id and score >= MATCH_THRESHOLD][:RELATED]
    buttons = [button(name(e, language), "ask_dt_info", dt_entry=e.id) for e in related]
    if buttons:
        reply.say(
            "\n".join([*describe(knowledge, entry, language), entry_source(knowledge, entry, language)])
        )
        reply.say(knowledge.wording.say("related", language), buttons)
    else:
        reply.say(
            "\n".join([*describe(knowledge, entry, language), entry_source(knowledge, entry, language)])
        )
    return reply
