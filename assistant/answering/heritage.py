"""Answers about heritage sites: what, where, recognition, visiting information, lists by province."""

from __future__ import annotations

from assistant.answering.common import (
    COVERED_PROVINCES,
    Knowledge,
    ask,
    button,
    entry_source,
    name,
    no_data,
    province_name,
    source_line,
    text_of,
    unknown_place_reply,
    with_source,
)
from assistant.answering.model import Message, Question, Reply
from assistant.answering.retrieval import find_subject, phrase_attribute
from assistant.answering.wording import format_date
from assistant.kb.entry import Entry
from assistant.kb.provenance import current_visiting, is_due
from assistant.kb.schema import REVIEWED_VISITING, VISITING_KINDS
from assistant.text import words

TOPIC = "heritage_sites"
MATCH_THRESHOLD = 0.5
# "Lăng này được xây dựng năm nào?" is not a recognition question even when the NLU reads the year so.
RECOGNITION_PHRASES = (
    "cong nhan",
    "unesco",
    "xep hang",
    "ghi danh",
    "di san the gioi",
    "recognised",
    "recognized",
    "inscribed",
    "ranked",
    "listed",
)
BUILT_PHRASES = ("xay dung", "xay", "khoi cong", "hoan thanh", "built", "build", "founded", "constructed")
# What a visiting question asks (folded words), and the kinds of fact that answer each.
VISITING_PHRASES = (
    (
        "ticket",
        ("ve", "gia ve", "bao nhieu tien", "phi", "ticket", "tickets", "price", "prices", "fee", "cost"),
    ),
    ("ticket", ("entrance", "admission", "entry fee")),
    ("hours", ("gio", "mo cua", "dong cua", "may gio", "open", "opens", "close", "closes", "hours", "time")),
    ("free", ("mien phi", "mien ve", "free", "giam gia", "uu dai", "discount")),
    ("contact", ("hotline", "lien he", "dien thoai", "website", "quan ly", "contact", "phone", "managed")),
)
VISITING_GROUPS = {
    "ticket": ("ticket", "combined_ticket", "reduction"),
    "hours": ("hours",),
    "free": ("free_entry", "reduction"),
    "contact": ("contact",),
}


def osm_url(lat: float, lon: float) -> str:
    """An OpenStreetMap link centred on the coordinates."""
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=16/{lat:.5f}/{lon:.5f}"


def find_site(knowledge: Knowledge, question: Question) -> Entry | None:
    """The site named in the question, else a close word match, else the site talked about before."""
    context = question.context.get("site")
    return find_subject(knowledge.kb, question.text, question.first(TOPIC), context, TOPIC, MATCH_THRESHOLD)


def _ask_site(knowledge: Knowledge, question: Question) -> Reply:
    province = question.value("province")
    sites = knowledge.kb.entries(TOPIC, province=province) if province else knowledge.kb.entries(TOPIC)
    buttons = [button(name(s, question.language), question.intent, site=s.id) for s in sites[:6]]
    return ask(knowledge, "ask_site", question, buttons)


def _follow_ups(knowledge: Knowledge, question: Question, site: Entry) -> list[dict[str, str]]:
    language = question.language
    say = knowledge.wording.say
    options = [("location", "ask_site_location"), ("recognition", "ask_site_recognition")]
    return [
        button(say(f"buttons.{k}", language), intent, site=site.id)
        for k, intent in options
        if intent != question.intent
    ]


def _recognition_lines(knowledge: Knowledge, site: Entry, language: str) -> list[str]:
    lines = []
    for recognition in site.get("recognitions") or ():
        title = text_of(recognition.get("title"), language)
        decision = recognition.get("decision")
        key = "site_recognition" if title else "site_recognition_untitled"
        lines.append(
            knowledge.wording.say(
                f"{key}_by_decision" if decision else key,
                language,
                name=name(site, language),
                level=knowledge.wording.say(f"site_recognition_level.{recognition['level']}", language),
                recognition=title,
                year=recognition["year"],
                decision=decision,
            )
        )
    return lines


def answer_site(knowledge: Knowledge, question: Question, attribute: str) -> Reply:
    """Answer `attribute` ('info', 'location', 'recognition', 'visiting') of the site in the question."""
    site = find_site(knowledge, question)
    if site is None:
        return _ask_site(knowledge, question)
    language = question.language
    say = knowledge.wording.say
    site_name = name(site, language)
    reply = Reply(slots={"site": site.id}, entry=f"{TOPIC}:{site.id}")
    if (
        attribute == "recognition"
        and phrase_attribute(question.text, (("recognition", RECOGNITION_PHRASES), ("info", BUILT_PHRASES)))
        == "info"
    ):
        attribute = "info"
    if attribute == "recognition":
        lines = _recognition_lines(knowledge, site, language)
        if not lines:
            reply.say(say("site_no_recognition", language, name=site_name))
            reply.answered = False
            return reply
        sources: dict[str, dict[str, str]] = {}
        for recognition in site["recognitions"]:
            sources.setdefault(recognition["source"]["title"], dict(recognition["source"]))
        # One source keeps its URL; several are named by their titles on one line.
        source = next(iter(sources.values())) if len(sources) == 1 else {"title": "; ".join(sources)}
        source_text = source_line(knowledge, source, site["as_of"], language)
        reply.say("\n".join([*lines, source_text]), _follow_ups(knowledge, question, site))
        return _with_venue(reply, site, language)
    if attribute == "visiting":
        return _with_venue(_visiting(knowledge, question, site, reply), site, language)
    if attribute == "location":
        lines = [say("site_location", language, name=site_name, location=text_of(site["location"], language))]
        coordinates = site.get("coordinates")
        if coordinates:
            lines.append(say("site_map", language, url=osm_url(coordinates["lat"], coordinates["lon"])))
        source_text = entry_source(knowledge, site, language, "location")
        reply.say("\n".join([*lines, source_text]), _follow_ups(knowledge, question, site))
        return _with_venue(reply, site, language)
    lines = [text_of(site["description"], language)]
    parent = knowledge.entry(TOPIC, site.get("part_of"))
    if parent:
        lines.append(say("site_part_of", language, name=site_name, parent=name(parent, language)))
    lines += _recognition_lines(knowledge, site, language)
    reply.say(with_source(knowledge, lines, site, language), _follow_ups(knowledge, question, site))
    return _with_venue(reply, site, language)


def _asked_kinds(text: str) -> list[str]:
    """The kinds of visiting fact a question asks for, in VISITING_PHRASES order (none named: every kind)."""
    padded = f" {' '.join(words(text))} "
    return [kind for kind, phrases in VISITING_PHRASES if any(f" {p} " in padded for p in phrases)]


def _visiting(knowledge: Knowledge, question: Question, site: Entry, reply: Reply) -> Reply:
    """The newest dated fact of each kind asked (tickets, hours, free days...), each with its own source."""
    language = question.language
    say = knowledge.wording.say
    site_name = name(site, language)
    facts = list(site.get("visiting") or ())
    if not facts:
        reply.say(say("site_no_visiting", language, name=site_name))
        reply.answered = False
        return reply
    newest = current_visiting(facts)
    asked = [kind for group in _asked_kinds(question.text) for kind in VISITING_GROUPS[group]]
    shown = [newest[k] for k in VISITING_KINDS if k in newest and (not asked or k in asked)]
    lines = [say("site_visiting_header", language, name=site_name)]
    if not shown:
        missing = ", ".join(dict.fromkeys(say(f"visiting_kinds.{k}", language) for k in asked))
        lines = [say("site_no_visiting_kind", language, name=site_name, what=missing), lines[0]]
        shown = [newest[k] for k in VISITING_KINDS if k in newest]
    for fact in shown:
        changes = fact["kind"] in REVIEWED_VISITING
        source = source_line(knowledge, fact["source"], fact["as_of"], language, due=is_due(fact, changes))
        lines.append(f"• {text_of(fact['text'], language)}\n  {source}")
    reply.say("\n".join(lines), _follow_ups(knowledge, question, site))
    return reply


def _with_venue(reply: Reply, site: Entry, language: str) -> Reply:
    """Put the site's place (a `venue`: a map pin on Telegram, a card with a map link in the widget) first.

    First, so that the answer's text, with its buttons, stays the last message on every channel.
    """
    if site.get("coordinates"):
        reply.messages.insert(0, venue_message(site, language))
    return reply


def venue_message(site: Entry, language: str) -> Message:
    """The custom `venue` message of a site with coordinates (bot/PROTOCOL.md)."""
    coordinates = site["coordinates"]
    return Message(
        custom={
            "type": "venue",
            "latitude": coordinates["lat"],
            "longitude": coordinates["lon"],
            "title": name(site, language),
            "address": text_of(site.get("location"), language),
            "map_url": osm_url(coordinates["lat"], coordinates["lon"]),
        }
    )


def list_sites(knowledge: Knowledge, question: Question) -> Reply:
    """The sites of a province (or the UNESCO-recognised ones)."""
    if question.unknown_place:
        return unknown_place_reply(knowledge, question)
    language = question.language
    unesco_only = "unesco" in words(question.text)
    province = question.value("province")
    if province is None and not unesco_only:
        buttons = [
            button(province_name(knowledge, p, language), "list_sites", province=p) for p in COVERED_PROVINCES
        ]
        return ask(knowledge, "ask_province", question, buttons)
    sites = knowledge.kb.entries(TOPIC, province=province) if province else knowledge.kb.entries(TOPIC)
    if unesco_only:
        sites = [s for s in sites if any(r["level"] == "unesco" for r in s.get("recognitions") or ())]
    if not sites:
        return no_data(knowledge, question)
    if unesco_only and province is None:
        header = knowledge.wording.say("site_list_all_unesco", language)
    else:
        key = "site_list_unesco" if unesco_only else "site_list"
        header = knowledge.wording.say(key, language, province=province_name(knowledge, province, language))
    lines = [header]
    for site in sites:
        years = sorted(
            {r["year"] for r in site.get("recognitions") or () if not unesco_only or r["level"] == "unesco"}
        )
        suffix = f" ({', '.join(map(str, years))})" if years else ""
        lines.append(f"• {name(site, language)}{suffix}")
    newest = max(s["as_of"] for s in sites)
    lines.append(knowledge.wording.say("source_list", language, date=format_date(newest, language)))
    reply = Reply(slots={"province": province} if province else {})
    reply.say("\n".join(lines), [button(name(s, language), "ask_site_info", site=s.id) for s in sites[:5]])
    return reply
