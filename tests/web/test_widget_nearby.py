"""Maps and nearby sites in the widget (Chromium): a site's card with its map link, and "share my location" with
the browser's geolocation, against a gateway whose assistant answers with the real answering code and fixture
coordinates (tests/answering/nearby_support.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Route, expect

from assistant.answering.common import Knowledge
from tests.answering.nearby_support import AnsweringAssistant, nearby_state
from tests.web.conftest import OpenPage
from tests.web.support import FakeAssistant, Replies, ask, gateway, open_widget, web_settings

pytestmark = pytest.mark.browser

MAP_URL = "https://www.openstreetmap.org/?mlat=16.46970&mlon=107.57780#map=16/16.46970/107.57780"
# Where the browser says the user is: more decimals than the widget sends.
WHERE = {"latitude": 16.4637123, "longitude": 107.5909876}


class AnsweringFake(FakeAssistant):
    """The fake assistant of the web tests, answering with the answering code (and each sender's slots)."""

    def __init__(self, knowledge: Knowledge) -> None:
        super().__init__()
        self.assistant = AnsweringAssistant(knowledge)

    async def send(self, sender: str, message: str, metadata: dict[str, Any] | None = None) -> Replies:
        self.calls.append((sender, message, metadata))
        language = (metadata or {}).get("language") or "vi"
        # off the gateway's event loop: the REST output channel runs a loop of its own
        return await asyncio.to_thread(self.assistant, message, sender, language)


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    return nearby_state(tmp_path_factory.mktemp("nearby-web")).current()


@pytest.fixture
def fake(knowledge: Knowledge) -> AnsweringFake:
    return AnsweringFake(knowledge)


@pytest.fixture
def url(tmp_path: Path, fake: AnsweringFake) -> Iterator[str]:
    with gateway(web_settings(tmp_path, web_rate_burst=50), fake) as base:
        yield base


def fake_map(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>map</title><p>map</p>")


def test_site_answer_shows_a_card_with_a_working_map_link(open_page: OpenPage, url: str) -> None:
    watched = open_page()
    page = watched.page
    page.context.route("https://www.openstreetmap.org/**", fake_map)  # never the real map in a test
    page.goto(url)
    open_widget(page)
    expect(page.locator(".msg-bot").first).to_have_text("Trợ lý: greeting-vi")
    ask(page, "Đại Nội là gì?")
    card = page.locator(".msg-card .card")
    expect(card).to_have_count(1)
    expect(card.locator(".card-title")).to_have_text("Hoàng thành Huế")
    expect(card.locator(".card-address")).to_have_text("Thành phố Huế")
    link = card.get_by_role("link", name="Xem bản đồ")
    assert link.get_attribute("href") == MAP_URL
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in (link.get_attribute("rel") or "")
    # the answer's text comes after the card
    expect(page.locator(".msg-bot").last).to_contain_text("Khu cung điện")
    with page.expect_popup() as opened:
        link.click()
    popup = opened.value
    popup.wait_for_load_state()
    assert popup.url == MAP_URL
    assert popup.evaluate("window.opener") is None  # noopener: the map page cannot reach the widget's page
    watched.assert_clean()


def test_share_location_sends_the_rounded_position_and_shows_the_nearest_sites(
    open_page: OpenPage, url: str, fake: AnsweringFake
) -> None:
    watched = open_page(permissions=["geolocation"], geolocation=WHERE)
    page = watched.page
    page.goto(url)
    open_widget(page)
    expect(page.locator(".msg-bot").first).to_have_text("Trợ lý: greeting-vi")
    ask(page, "Gần đây có di tích nào?")
    share = page.get_by_role("button", name="Chia sẻ vị trí của tôi")
    expect(share).to_be_visible()
    assert [m for _, m, _ in fake.calls][-1] == "Gần đây có di tích nào?"  # nothing sent before the tap
    share.click()
    expect(page.locator(".msg-user").last).to_have_text("Bạn: Vị trí của tôi")
    cards = page.locator(".msg-card .card")
    expect(cards).to_have_count(5)
    sent = fake.calls[-1][1]
    assert sent.startswith("/share_location")
    assert json.loads(sent.removeprefix("/share_location")) == {"latitude": 16.46371, "longitude": 107.59099}
    expect(page.get_by_text("Các di tích gần bạn nhất (khoảng cách theo đường chim bay):")).to_be_visible()
    # nearest first, each with its distance and a map link that opens in a new tab
    assert cards.locator(".card-title").all_text_contents() == [
        "1. Hoàng thành Huế",
        "2. Lăng Tự Đức",
        "3. Chùa Thiên Mụ",
        "4. Thánh địa Mỹ Sơn",
        "5. Phố cổ Hội An",
    ]
    expect(cards.first.locator(".card-text")).to_contain_text("Cách 1,")
    expect(cards.first.locator(".card-text")).to_contain_text(" km – Thành phố Huế")
    first_map = cards.first.get_by_role("link", name="Xem bản đồ")
    assert first_map.get_attribute("href") == MAP_URL
    assert first_map.get_attribute("target") == "_blank"
    # the sites are quick replies, nearest first, under the source line
    expect(page.locator(".msg-bot").last).to_contain_text("Nguồn:")
    expect(page.locator(".quick-replies .quick-reply").first).to_have_text("Hoàng thành Huế")
    watched.assert_clean()


def test_refused_geolocation_gets_a_polite_notice(open_page: OpenPage, url: str, fake: AnsweringFake) -> None:
    watched = open_page()
    page = watched.page
    page.context.clear_permissions()  # the browser refuses: no geolocation permission
    page.goto(url)
    open_widget(page)
    ask(page, "Gần đây có di tích nào?")
    page.get_by_role("button", name="Chia sẻ vị trí của tôi").click()
    notice = page.locator(".msg-notice")
    expect(notice).to_contain_text("Trình duyệt chưa cho biết vị trí của bạn")
    assert not any(m.startswith("/share_location") for _, m, _ in fake.calls)
    watched.assert_clean()
