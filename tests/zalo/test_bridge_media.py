"""Charts, calendars, maps and nearby sites on Zalo: the bridge process against the fake Zalo, a stand-in assistant
that says what the answering code says (passed through Rasa's own REST output channel), and the real action
server, which makes the charts and calendar files and serves them: PUBLIC_BASE_URL points at it, and the fake
Zalo fetches each photo from there as Zalo does."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import icalendar
import pytest
import requests
from PIL import Image

from assistant.answering.common import Knowledge
from bot.messages import message
from tests.action_server import ActionServer, action_server
from tests.bridges import Bridge
from tests.rest_replies import project_knowledge, replies_to
from tests.telegram.stub_rasa import StubRasa
from tests.zalo.conftest import start_bridge
from tests.zalo.fake_zalo import FakeZalo

ROOT = Path(__file__).resolve().parents[2]
CHART_QUESTION = "so sánh lượt khách 2021 và 2022 Quảng Ngãi"
EVENT_QUESTION = "Tuần lễ chuyển đổi số Quảng Ngãi 2023 diễn ra khi nào"
SITE_QUESTION = "Phố cổ Hội An được UNESCO công nhận năm nào?"
NEARBY_QUESTION = "Gần đây có di tích nào?"
NEARBY_NAMED = "di tích gần Phố cổ Hội An"
MISSING_CHART = "biểu đồ đã bị xóa"


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    return project_knowledge(tmp_path_factory.mktemp("zalo-media"))


@pytest.fixture(scope="module")
def actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    with action_server(tmp_path_factory.mktemp("zalo-media-actions"), ROOT / "knowledge") as server:
        yield server


@pytest.fixture(scope="module")
def bridge(
    knowledge: Knowledge, actions: ActionServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Bridge]:
    replies: dict[str, list[dict[str, Any]]] = {
        CHART_QUESTION: replies_to(knowledge, "ask_stat_chart", CHART_QUESTION),
        EVENT_QUESTION: replies_to(knowledge, "ask_event_date", EVENT_QUESTION),
        SITE_QUESTION: replies_to(knowledge, "ask_site_recognition", SITE_QUESTION),
        NEARBY_QUESTION: replies_to(knowledge, "ask_nearby", NEARBY_QUESTION),
        NEARBY_NAMED: replies_to(knowledge, "ask_nearby", NEARBY_NAMED),
        MISSING_CHART: [{"image": "/charts/no-such-chart.png"}, {"text": "Biểu đồ: không còn"}],
    }
    log = tmp_path_factory.mktemp("zalo-media-log") / "bridge.log"
    with StubRasa(replies) as stub, FakeZalo() as fake:
        running = start_bridge(fake, stub.url, log, PUBLIC_BASE_URL=actions.base_url)
        try:
            yield running
        finally:
            running.stop()


def test_a_chart_is_a_photo_from_the_public_url_then_its_figures(
    bridge: Bridge, actions: ActionServer
) -> None:
    fake = bridge.fake
    fake.send_text("m1", CHART_QUESTION)
    fake.wait_for("sendMessage", "m1")
    photo, text = [c for c in fake.recorded(chat_id="m1") if c.method != "sendChatAction"]
    assert (photo.method, text.method) == ("sendPhoto", "sendMessage")
    assert photo.params["photo"] == f"{actions.base_url}/charts/visitors-quang-ngai-2021-2022-vi.png"
    image = Image.open(io.BytesIO(photo.files["photo"]))  # fetched by the fake Zalo from PUBLIC_BASE_URL
    assert image.format == "PNG" and image.width >= 600 and image.height >= 400
    assert text.text.startswith("Biểu đồ: Lượt khách du lịch – Quảng Ngãi, 2021–2022")
    assert "650.000 lượt" in text.text and "(số liệu suy ra)" in text.text


def test_an_event_date_comes_with_its_calendar_link(bridge: Bridge, actions: ActionServer) -> None:
    fake = bridge.fake
    fake.send_text("m2", EVENT_QUESTION)
    [sent] = fake.wait_for("sendMessage", "m2")
    url = f"{actions.base_url}/events/qng-2023-dx-week.ics"
    assert "đã diễn ra từ 28/09/2023 đến 02/10/2023" in sent.text
    assert sent.text.endswith(message("calendar_link", "vi", url=url))
    calendar = icalendar.Calendar.from_ical(requests.get(url, timeout=10).content)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == date(2023, 9, 28)


def test_a_site_comes_with_its_map_link_and_numbered_choices(bridge: Bridge) -> None:
    fake = bridge.fake
    fake.send_text("m3", SITE_QUESTION)
    [sent] = fake.wait_for("sendMessage", "m3")
    lines = sent.text.split("\n")
    assert lines[0] == "Đô thị cổ Hội An"
    assert lines[2] == message(
        "map_link",
        "vi",
        url="https://www.openstreetmap.org/?mlat=15.88330&mlon=108.33330#map=16/15.88330/108.33330",
    )
    assert "được UNESCO công nhận năm 1999" in sent.text
    assert lines[-2:] == ["1. Ở đâu?", message("choices_hint", "vi")]


def test_nearby_asks_for_a_place_name_since_zalo_sends_no_location(
    bridge: Bridge, knowledge: Knowledge
) -> None:
    fake = bridge.fake
    fake.send_text("m4", NEARBY_QUESTION)
    [sent] = fake.wait_for("sendMessage", "m4")
    assert sent.text == f"{knowledge.wording.say('nearby_ask', 'vi')}\n\n{message('location_by_name', 'vi')}"


def test_sites_near_a_named_place_are_numbered_with_their_map_links(bridge: Bridge) -> None:
    fake = bridge.fake
    fake.send_text("m5", NEARBY_NAMED)
    sent = fake.wait_for("sendMessage", "m5")
    text = "\n\n".join(c.text for c in sent)
    assert text.startswith("Các di tích gần Đô thị cổ Hội An nhất")
    assert message("map_link", "vi", url="https://www.openstreetmap.org/?mlat=").split("?")[0] in text
    assert all(len(c.text) <= 2000 for c in sent)
    assert sent[-1].text.endswith(message("choices_hint", "vi"))


def test_an_image_zalo_cannot_fetch_is_sent_as_its_link(bridge: Bridge, actions: ActionServer) -> None:
    fake = bridge.fake
    fake.send_text("m6", MISSING_CHART)
    first, second = fake.wait_for("sendMessage", "m6", count=2)
    [refused] = fake.recorded("sendPhoto", "m6", ok_only=False)
    assert refused.status == 400
    assert first.text == message("image_link", "vi", url=f"{actions.base_url}/charts/no-such-chart.png")
    assert second.text == "Biểu đồ: không còn"
