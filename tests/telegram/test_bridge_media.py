"""Charts and calendar files on Telegram: the bridge process against the fake Telegram, a stand-in assistant that
says what the answering code says (passed through Rasa's own REST output channel), and the real action server,
from which the bridge fetches the chart and the .ics file to upload them (no web gateway involved)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import icalendar
import pytest
from PIL import Image

from assistant.answering.common import Knowledge
from tests.action_server import action_server
from tests.rest_replies import project_knowledge, replies_to
from tests.telegram.conftest import Bridge, start_bridge
from tests.telegram.fake_telegram import FakeTelegram
from tests.telegram.stub_rasa import StubRasa

ROOT = Path(__file__).resolve().parents[2]
CHART_QUESTION = "so sánh lượt khách 2021 và 2022 Quảng Ngãi"
EVENT_QUESTION = "Tuần lễ chuyển đổi số Quảng Ngãi 2023 diễn ra khi nào"


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    return project_knowledge(tmp_path_factory.mktemp("telegram-media"))


@pytest.fixture(scope="module")
def bridge(knowledge: Knowledge, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    replies = {
        CHART_QUESTION: replies_to(knowledge, "ask_stat_chart", CHART_QUESTION),
        EVENT_QUESTION: replies_to(knowledge, "ask_event_date", EVENT_QUESTION),
    }
    log = tmp_path_factory.mktemp("telegram-media-log") / "bridge.log"
    root = tmp_path_factory.mktemp("telegram-media-actions")
    with (
        action_server(root, ROOT / "knowledge") as actions,
        StubRasa(replies) as stub,
        FakeTelegram() as fake,
    ):
        running = start_bridge(fake, stub.url, log, MEDIA_URL=actions.base_url)
        try:
            yield running
        finally:
            running.stop()


def test_the_answer_replies_are_an_image_path_then_the_text(knowledge: Knowledge) -> None:
    replies = replies_to(knowledge, "ask_stat_chart", CHART_QUESTION)
    assert replies[0] == {"image": "/charts/visitors-quang-ngai-2021-2022-vi.png"}
    assert replies[1]["text"].startswith("Biểu đồ: Lượt khách du lịch – Quảng Ngãi, 2021–2022")


def test_a_chart_is_sent_as_a_photo_before_its_text(bridge: Bridge) -> None:
    fake = bridge.fake
    fake.send_text(301, CHART_QUESTION)
    fake.wait_for("sendMessage", 301)
    methods = [c.method for c in fake.recorded(chat_id=301)]
    assert methods == ["sendPhoto", "sendMessage"]
    photo, text = fake.recorded(chat_id=301)
    image = Image.open(io.BytesIO(photo.files["photo"]))  # uploaded: fetched from the action server
    assert image.format == "PNG" and image.width >= 600 and image.height >= 400
    assert text.text.startswith("Biểu đồ: Lượt khách du lịch – Quảng Ngãi, 2021–2022")
    assert "(số liệu suy ra)" in text.text


def test_an_event_date_comes_with_its_calendar_file(bridge: Bridge) -> None:
    fake = bridge.fake
    fake.send_text(302, EVENT_QUESTION)
    [document] = fake.wait_for("sendDocument", 302)
    assert [c.method for c in fake.recorded(chat_id=302)] == ["sendMessage", "sendDocument"]
    assert "đã diễn ra từ 28/09/2023 đến 02/10/2023" in fake.recorded("sendMessage", 302)[0].text
    assert document.filenames["document"] == "qng-2023-dx-week.ics"
    calendar = icalendar.Calendar.from_ical(document.files["document"])
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == date(2023, 9, 28)
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"
