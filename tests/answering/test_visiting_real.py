"""A visitor's first questions on the project's own knowledge: tickets, opening hours and visitor figures are
answered with the figure, its source and its date; a site without sourced prices is answered honestly."""

from __future__ import annotations

import re

from assistant.answering.common import Knowledge, number
from assistant.answering.dispatch import build_question, respond
from assistant.answering.model import Reply
from assistant.kb.provenance import current_visiting
from tests.answering.conftest import TODAY, said

DATE = re.compile(r"\d{2}/\d{2}/\d{4}|\d{1,2} [A-Z][a-z]+ \d{4}")


def ask(knowledge: Knowledge, intent: str, text: str, language: str = "vi") -> Reply:
    return respond(knowledge, build_question(knowledge, intent, text, [], {"language": language}, TODAY))


def test_the_imperial_city_ticket_price_comes_with_its_source_and_date(knowledge: Knowledge) -> None:
    reply = ask(knowledge, "ask_site_visiting", "Giá vé tham quan Đại Nội Huế bao nhiêu?")
    text = said(reply)
    site = knowledge.kb.get("heritage_sites", "hue-imperial-city")
    assert site is not None
    ticket = current_visiting(site["visiting"])["ticket"]
    assert reply.entry == "heritage_sites:hue-imperial-city"
    assert number(ticket["adult_vnd"], "vi") in text
    assert ticket["source"]["url"] in text and DATE.search(text)


def test_the_imperial_city_opening_hours_in_english(knowledge: Knowledge) -> None:
    text = said(ask(knowledge, "ask_site_visiting", "What time does the Imperial City open?", "en"))
    assert "7:00" in text and "17:30" in text
    assert "Source:" in text and DATE.search(text)


def test_hue_visitors_in_2024(knowledge: Knowledge) -> None:
    reply = ask(knowledge, "ask_tourism_stat", "Huế đón bao nhiêu khách năm 2024?")
    text = said(reply)
    entry = next(
        e
        for e in knowledge.kb.entries("tourism_statistics")
        if e.province == "thua-thien-hue"
        and e["metric"] == "visitors"
        and e["year"] == 2024
        and (e.get("period") or "year") == "year"
    )
    assert reply.entry == f"tourism_statistics:{entry.id}"
    assert number(entry["value"], "vi") in text and "2024" in text
    assert "Nguồn:" in text and entry["source"]["url"] in text


def test_a_site_without_sourced_prices_says_so(knowledge: Knowledge) -> None:
    reply = ask(knowledge, "ask_site_visiting", "Vé vào Cù Lao Chàm bao nhiêu tiền?")
    text = said(reply)
    assert text.startswith("Tôi chưa có thông tin") and "đồng" not in text and "«" not in text
