"""Answers about online public services: how to do it, documents, fee, processing time, who helps."""

from __future__ import annotations

from actions.answering.common import (
    Knowledge,
    ask,
    button,
    entry_source,
    list_of,
    name,
    text_of,
)
from actions.answering.digital import answer_dt_info
from actions.answering.model import Question, Reply
from actions.answering.retrieval import find_subject
from actions.kb.entry import Entry

TOPIC = "public_services"
MATCH_THRESHOLD = 0.45
FIELDS = {"documents": "documents", "fee": "fee", "time": "processing_time", "help": "helpers"}


def find_service(knowledge: Knowledge, question: Question) -> Entry | None:
    """The procedure named in the question, else a close word match, else the one talked about before."""
    context = question.context.get("service")
    return find_subject(knowledge.kb, question.text, question.first(TOPIC), context, TOPIC, MATCH_THRESHOLD)


def _portal_names(knowledge: Knowledge, ids: object, language: str) -> str:
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
        # "who helps / which hotline" without a procedure: the portals, hotlines and teams of the province
        return answer_dt_info(knowledge, question)
    if service is None:
        examples = knowledge.kb.entries(TOPIC)[:6]
        buttons = [button(name(s, language), question.intent, service=s.id) for s in examples]
        return ask(knowledge, "ask_service", question, buttons)
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
    reply.say("\n".join([*lines, entry_source(knowledge, service, language)]), follow)
    return reply
