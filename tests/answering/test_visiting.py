"""Visiting information (dated facts, the newest answers, a due fact says it may have changed) and figures over
the years (partial periods labelled, never shown as a whole year), on fixture knowledge: the project's
knowledge/ with fixtures/visiting/ over it."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.charts import ChartSpec, describe, render_chart
from assistant.answering.common import Knowledge
from assistant.answering.dispatch import answer, build_question
from assistant.answering.model import Reply
from assistant.kb.provenance import is_due, review_by, reviews
from assistant.settings import Settings
from assistant.state import KnowledgeState
from tests.answering.conftest import buttons, said

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "visiting"
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    tmp = tmp_path_factory.mktemp("visiting")
    folder = tmp / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    for path in FIXTURES.iterdir():
        shutil.copyfile(path, folder / path.name)
    settings = dataclasses.replace(
        Settings.from_env(), knowledge_dir=folder, database_url=f"sqlite:///{tmp / 'kb.db'}"
    )
    return KnowledgeState(settings).current()


def ask(knowledge: Knowledge, intent: str, text: str, language: str = "vi", **slots: Any) -> Reply:
    question = build_question(knowledge, intent, text, [], {"language": language, **slots}, TODAY)
    return answer(knowledge, question)


# ---- visiting information


def test_the_newest_ticket_price_answers_with_its_own_source_and_date(knowledge: Knowledge) -> None:
    text = said(ask(knowledge, "ask_site_visiting", "Giá vé tham quan Đại Nội Huế bao nhiêu?"))
    assert "200.000 đồng" in text and "40.000 đồng" in text
    assert "150.000" not in text  # the older price is kept in the knowledge, not given as current
    assert "New price article – https://example.org/new-price (tính đến 15/08/2025)" in text
    assert "Mở cửa" not in text  # a ticket question gets tickets, not hours


def test_hours_in_english_with_the_date_as_english_readers_write_it(knowledge: Knowledge) -> None:
    text = said(ask(knowledge, "ask_site_visiting", "What time does the Imperial City open?", "en"))
    assert "Open 7:00 - 17:30" in text
    assert "200,000" not in text
    # as of May 2023 and more than a year old: the reply says it may have changed
    assert (
        "Hours article – https://example.org/hours (information as of 10 May 2023; it may have changed)"
        in text
    )


def test_free_entry_days(knowledge: Knowledge) -> None:
    text = said(ask(knowledge, "ask_site_visiting", "Ngày nào được miễn phí vào Đại Nội?"))
    assert "miễn vé" in text
    assert "(thông tin tính đến 12/2024, có thể đã thay đổi)" in text  # a month-only date stays a month


def test_a_site_without_sourced_prices_says_so(knowledge: Knowledge) -> None:
    reply = ask(knowledge, "ask_site_visiting", "Vé vào chùa Thiên Mụ bao nhiêu?")
    assert "Tôi chưa có thông tin giờ mở cửa, giá vé" in said(reply)
    assert reply.answered is False


def test_review_dates() -> None:
    fact = {"kind": "ticket", "as_of": "2025-08"}
    assert review_by(fact, changes=True) == date(2026, 8, 1)
    assert review_by(fact, changes=False) is None
    assert review_by({**fact, "review_by": "2027-06-30"}, changes=True) == date(2027, 6, 30)
    assert is_due(fact, True, today=date(2026, 8, 1)) and not is_due(fact, True, today=date(2026, 7, 31))


# ---- figures over the years


def test_a_year_answers_with_the_whole_year_not_a_part_of_it(knowledge: Knowledge) -> None:
    text = said(
        ask(knowledge, "ask_tourism_stat", "Huế đón bao nhiêu khách năm 2024?", province="thua-thien-hue")
    )
    assert "3.900.000" in text and "1.900.000" not in text
    assert "Figures 2024 – https://example.org/2024 (tính đến 01/2025)" in text


def test_a_part_of_a_year_is_given_when_asked(knowledge: Knowledge) -> None:
    text = said(
        ask(
            knowledge,
            "ask_tourism_stat",
            "6 tháng đầu năm 2024 Huế đón bao nhiêu lượt khách?",
            province="thua-thien-hue",
        )
    )
    assert "ước 1.900.000" in text and "6 tháng đầu năm 2024" in text and "3.900.000" not in text


def test_without_a_year_the_latest_period_says_what_it_covers(knowledge: Knowledge) -> None:
    reply = ask(knowledge, "ask_tourism_stat", "Huế đón bao nhiêu lượt khách?", province="thua-thien-hue")
    text = said(reply)
    assert "10 tháng đầu năm 2025" in text and "5.400.000" in text
    assert "Phạm vi số liệu: Thành phố Huế (mẫu)." in text
    assert {"2022", "2023", "2024"} <= set(buttons(reply))


def test_the_chart_shows_every_period_and_marks_the_partial_one(knowledge: Knowledge) -> None:
    chart = describe(knowledge, ChartSpec("visitors", "thua-thien-hue", (), "vi"))
    assert chart is not None
    assert [int(e["year"]) for e in chart.entries] == [2022, 2023, 2024, 2025]
    assert [e.id for e in chart.entries if int(e["year"]) == 2024] == ["hue-2024-visitors"]  # never both
    assert chart.tick_labels == ("2022", "2023", "2024", "2025\n(10 tháng)")
    assert chart.partial_label
    assert render_chart(knowledge, chart).startswith(b"\x89PNG")


def test_only_current_visiting_facts_are_listed_for_review(knowledge: Knowledge) -> None:
    topics = {t: list(knowledge.kb.entries(t)) for t in knowledge.kb.topics()}
    listed = [(r.entry, r.what, r.as_of) for r in reviews(topics, "knowledge")]
    tickets = [r for r in listed if r[:2] == ("hue-imperial-city", "visiting.ticket")]
    # the 2025 price, not the 2023 price it replaced
    assert tickets == [("hue-imperial-city", "visiting.ticket", "2025-08-15")]
