"""Charts and calendar files in the widget (Chromium): the real action server makes them, the gateway relays
them, a stand-in assistant says what the answering code says (through Rasa's REST output channel), no trained
model needed."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import icalendar
import pytest
from playwright.sync_api import expect

from assistant.state import KnowledgeState
from tests.action_server import action_server
from tests.rest_replies import replies_to
from tests.web.conftest import OpenPage
from tests.web.support import FakeAssistant, ask, gateway, open_widget, web_settings

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHART_QUESTION = "so sánh lượt khách 2021 và 2022 Quảng Ngãi"
EVENT_QUESTION = "Tuần lễ chuyển đổi số Quảng Ngãi 2023 diễn ra khi nào"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("widget-media")
    settings = web_settings(
        tmp,
        knowledge_dir=ROOT / "knowledge",
        database_url=f"sqlite:///{tmp / 'knowledge.db'}",
        web_rate_burst=50,
    )
    knowledge = KnowledgeState(settings).current()
    canned = {
        CHART_QUESTION: replies_to(knowledge, "ask_stat_chart", CHART_QUESTION),
        EVENT_QUESTION: replies_to(knowledge, "ask_event_date", EVENT_QUESTION, today=date(2026, 1, 1)),
    }

    def answer(text: str) -> list[dict[str, Any]]:
        return canned.get(text, [{"text": "xin chào"}])

    with action_server(tmp, ROOT / "knowledge") as actions:
        relaying = dataclasses.replace(settings, media_url=actions.base_url)
        with gateway(relaying, FakeAssistant(answer)) as base:
            yield base


def test_a_chart_is_shown_as_an_image_that_loads(open_page: OpenPage, url: str) -> None:
    watched = open_page()
    page = watched.page
    page.goto(url)
    open_widget(page)
    ask(page, CHART_QUESTION)
    chart = page.locator("img.reply-image")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("alt", "Biểu đồ: Lượt khách du lịch – Quảng Ngãi, 2021–2022")
    assert chart.get_attribute("src") == url + "/charts/visitors-quang-ngai-2021-2022-vi.png"
    page.wait_for_function(
        "() => { const i = document.querySelector('#mien-trung-chat').shadowRoot.querySelector('img.reply-image');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    width, height = chart.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert width >= 600 and height >= 400
    expect(page.locator(".msg-bot").last).to_contain_text("khoảng 3.438 lượt (số liệu suy ra)")
    watched.assert_clean()


def test_an_event_answer_offers_its_calendar_file(open_page: OpenPage, url: str, tmp_path: Path) -> None:
    watched = open_page(accept_downloads=True)
    page = watched.page
    page.goto(url)
    open_widget(page)
    ask(page, EVENT_QUESTION)
    link = page.locator("a.document-link")
    expect(link).to_have_text("Tải về: qng-2023-dx-week.ics")
    assert link.get_attribute("href") == url + "/events/qng-2023-dx-week.ics"
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "qng-2023-dx-week.ics"
    saved = tmp_path / "event.ics"
    download.save_as(saved)
    calendar = icalendar.Calendar.from_ical(saved.read_bytes())
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Tuần lễ Chuyển đổi số Quảng Ngãi 2023"
    assert event.decoded("DTSTART") == date(2023, 9, 28)
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"
    watched.assert_clean()
