"""Answers about online public services: how to do it, documents, fee, processing time, who helps."""

from __future__ import annotations

from collections.abc import Iterable

from assistant.answering.common import (
    COVERED_PROVINCES,
    Knowledge,
    ask,
    button,
    entry_source,
    list_of,
    name,
    province_name,
    text_of,
    unknown_place_reply,
)
from assistant.answering.model import Question, Reply
from assistant.answering.retrieval import find_subject, phrase_attribute, rank
from assistant.answering.wording import format_date
from assistant.kb.entry import Entry
from assistant.text import fold

TOPIC = "public_services"
MATCH_THRESHOLD = 0.45
FIELDS = {"documents": "documents", "fee": "fee", "time": "processing_time", "help": "helpers"}
# Who helps: portals of these kinds, and any with a phone number.
HELPER_KINDS = frozenset({"hotline", "team", "office"})
# Phrases (without diacritics) of a question that asks for a number to call.
PHONE_PHRASES = (
    "tong dai",
    "hotline",
    "goi so",
    "so nao",
    "so dien thoai",
    "dien thoai",
    "duong day nong",
    "phone",
    "call",
    "number",
)
MAX_HELPERS = 4
# Words that say which attribute a "how do I ..." question really asks (folded).
ATTRIBUTE_PHRASES = (
    ("fee", ("phi", "le phi", "mat phi", "mien phi", "bao nhieu tien", "fee", "fees", "free", "cost")),
    ("time", ("bao lau", "may ngay", "bao nhieu ngay", "how long", "how many days")),
    ("documents", ("giay to", "ho so", "documents", "papers")),
)
NAMED_SCORE = 0.3


def find_service(knowledge: Knowledge, question: Question) -> Entry | None:
    """The procedure named in the question, else a close word match, else the one talked about before."""
    context = question.context.get("service")
    return find_subject(knowledge.kb, question.text, question.first(TOPIC), context, TOPIC, MATCH_THRESHOLD)


def _portal_names(knowledge: Knowledge, ids: Iterable[object] | None, language: str) -> str:
    parts = []
    for portal_id in ids or ():
        portal = knowledge.entry("portals", str(portal_id))
        if portal is None:
            continue
        label = name(portal, language)
        if portal.get("url"):
            label = f"{label} ({portal['url']})"
        elif portal.get("phone"):
            label = f"{label} ({portal['phone']})"
        parts.append(label)
    return "; ".join(parts)


def answer_service(knowledge: Knowledge, question: Question, attribute: str) -> Reply:
    """Answer `attribute` ('howto', 'documents', 'fee', 'time', 'help') of the procedure in the question."""
    language = question.language
    say = knowledge.wording.say
    service = find_service(knowledge, question)
    if service is None and attribute == "help":
        return answer_helpers(knowledge, question)
    if service is None:
        # the closest procedures first (a partial match), else the first ones of the knowledge
        examples = [e for e, _ in rank(knowledge.kb, question.text, [TOPIC], limit=6)]
        examples = examples or knowledge.kb.entries(TOPIC)[:6]
        buttons = [button(name(s, language), question.intent, service=s.id) for s in examples]
        return ask(knowledge, "ask_service", question, buttons)
    if attribute == "howto":
        attribute = phrase_attribute(question.text, ATTRIBUTE_PHRASES) or attribute
    service_name = name(service, language)
    reply = Reply(
        slots={"service": service.id, "last_intent": question.intent}, entry=f"{TOPIC}:{service.id}"
    )
    lines: list[str] = []
    if attribute == "howto":
        level = say(f"service_levels.{service['online_level']}", language)
        lines.append(say("service_howto", language, name=service_name, level=level))
        portals = _portal_names(knowledge, service.get("portals"), language)
        if portals:
            lines.append(say("service_portals", language, portals=portals))
        steps = list_of(service.get("steps"), language)
        if steps:
            lines.append(say("service_steps", language))
            lines += [f"{i}. {step}" for i, step in enumerate(steps, 1)]
    else:
        field = FIELDS[attribute]
        value = service.get(field)
        if not value:
            what = say(f"service_fields.{field}", language)
            reply.say(say("service_no_field", language, what=what, name=service_name))
            portals = _portal_names(knowledge, service.get("portals"), language)
            if portals:
                reply.say(say("service_portals", language, portals=portals))
            reply.answered = False
            return reply
        if field == "documents":
            lines.append(say("service_documents", language, name=service_name))
            lines += [f"• {doc}" for doc in list_of(value, language)]
        elif field == "fee":
            lines.append(say("service_fee", language, name=service_name, fee=text_of(value, language)))
        elif field == "processing_time":
            lines.append(say("service_time", language, name=service_name, time=text_of(value, language)))
        else:
            lines.append(say("service_helpers", language, helpers=_portal_names(knowledge, value, language)))
    follow = [
        button(say(f"buttons.{key}", language), intent, service=service.id)
        for key, intent in (("documents", "ask_service_documents"), ("help", "ask_service_help"))
        if intent != question.intent
    ]
    # the source behind the field given (steps, a fee, a time may each come from a source of their own)
    shown = "steps" if attribute == "howto" else FIELDS[attribute]
    reply.say("\n".join([*lines, entry_source(knowledge, service, language, shown)]), follow)
    return reply


def answer_helpers(knowledge: Knowledge, question: Question) -> Reply:
    """'Who helps / which number do I call' without a procedure: the hotlines, community digital-technology
    teams and service offices of the province (those with a phone first when a number is asked), best word
    match first; asks for the province when neither the question nor the context says which."""
    language = question.language
    if question.unknown_place:
        return unknown_place_reply(knowledge, question)
    folded = fold(question.text)
    wants_phone = any(phrase in folded for phrase in PHONE_PHRASES)
    pool = [p for p in knowledge.kb.entries("portals") if p.get("kind") in HELPER_KINDS or p.get("phone")]
    if wants_phone:
        pool = [p for p in pool if p.get("phone")] or pool
    scores = {e.id: s for e, s in rank(knowledge.kb, question.text, ["portals"], limit=50)}
    pool.sort(key=lambda p: (-scores.get(p.id, 0.0), p.province == "national"))
    named = bool(pool) and scores.get(pool[0].id, 0.0) > NAMED_SCORE
    # A helper named by the question wins over the province talked about before.
    province = question.explicit("province") or (None if named else question.value("province"))
    if province:
        pool = [p for p in pool if p.province in (province, "national")]
    if province is None and not named:
        buttons = [
            button(province_name(knowledge, p, language), "ask_service_help", province=p)
            for p in COVERED_PROVINCES
        ]
        return ask(knowledge, "ask_province", question, buttons)
    chosen = pool[:MAX_HELPERS]
    if not chosen:
        return Reply(answered=False).say(knowledge.wording.say("no_data", language))
    say = knowledge.wording.say
    header = (
        say("helpers_list", language, place=province_name(knowledge, province, language))
        if province
        else say("helpers_list_any", language)
    )
    lines = [header]
    for portal in chosen:
        contact = " · ".join(str(v) for v in (portal.get("phone"), portal.get("url")) if v)
        label = f"{name(portal, language)} ({contact})" if contact else name(portal, language)
        lines.append(f"• {label}: {text_of(portal.get('description'), language)}")
    if len(chosen) == 1:
        lines.append(entry_source(knowledge, chosen[0], language))
    else:
        newest = max(p["as_of"] for p in chosen)
        lines.append(say("source_list", language, date=format_date(newest, language)))
    reply = Reply(slots={"province": province} if province else {}, entry=f"portals:{chosen[0].id}")
    reply.say("\n".join(lines), [button(name(p, language), "ask_dt_info", dt_entry=p.id) for p in chosen[1:]])
    return reply
