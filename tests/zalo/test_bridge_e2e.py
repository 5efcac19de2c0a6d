"""End to end: `python -m bot.zalo` between the fake Zalo Bot API and the real assistant (trained model, Rasa
server, action server, web gateway), as `make run` starts them; PUBLIC_BASE_URL is the gateway, which relays
the charts the fake Zalo fetches.

This is issue #19's "done when": the UNESCO year of Hội An, the second of the help's choices picked by "2", a
statistics chart as a photo, and never more than 2,000 characters or any markup in a message.
"""

from __future__ import annotations

import io
import json
import sqlite3
import time
from typing import Any

import pytest
from PIL import Image

from bot.messages import message
from tests.bridges import Bridge
from tests.conftest import Assistant
from tests.telegram.test_bridge_e2e import response, tracker_events
from tests.zalo.fake_zalo import FakeZalo

pytestmark = pytest.mark.e2e

MARKUP = ("<b>", "<i>", "</", "<a ", "**", "__", "](", "&lt;", "&amp;")


def answer(fake: FakeZalo, chat: str, text: str, count: int = 1) -> list[str]:
    """Send `text` and return the texts of the messages that answer it (at least `count`)."""
    before = len(fake.texts(chat))
    fake.send_text(chat, text)
    fake.wait_for("sendMessage", chat, count=before + count)
    seen = -1
    while seen != len(fake.texts(chat)):  # the rest of the same answer follows at once
        seen = len(fake.texts(chat))
        time.sleep(0.5)
    return fake.texts(chat)[before:]


def choices_of(text: str) -> list[str]:
    """The titles of the numbered choices that end a message."""
    lines = text.split("\n")
    assert lines[-1] == message("choices_hint", "vi") or lines[-1] == message("choices_hint", "en")
    listed = []
    for line in reversed(lines[:-1]):
        number, dot, title = line.partition(". ")
        if not (dot and number.isdigit()):
            break
        listed.append(title)
    return listed[::-1]


def test_the_unesco_year_of_hoi_an_is_1999(zalo_bridge: Bridge) -> None:
    [text] = answer(zalo_bridge.fake, "e1", "Phố cổ Hội An được UNESCO công nhận năm nào?")
    assert "1999" in text
    assert "Bản đồ: https://www.openstreetmap.org/" in text  # the site's map, as a link


def test_a_fact_in_english(zalo_bridge: Bridge) -> None:
    [text] = answer(zalo_bridge.fake, "e2", "When was Hoi An Ancient Town recognised by UNESCO?")
    assert "1999" in text
    assert text.endswith(message("choices_hint", "en"))


def test_the_second_of_the_helps_choices_is_picked_by_replying_2(zalo_bridge: Bridge) -> None:
    fake = zalo_bridge.fake
    helped = response("utter_help")
    [menu] = answer(fake, "e3", "bạn làm được gì")
    assert menu.startswith(helped["text"])
    assert choices_of(menu) == [b["title"] for b in helped["buttons"]]
    second = json.loads(helped["buttons"][1]["payload"].removeprefix("/choose_topic"))["topic"]
    [picked] = answer(fake, "e3", "2")
    assert picked.startswith(response("utter_topic", topic=second)["text"])


def test_feedback_is_recorded_with_the_channel_zalo(zalo_bridge: Bridge, assistant: Assistant) -> None:
    fake = zalo_bridge.fake
    [text] = answer(fake, "e4", "Phố cổ Hội An được UNESCO công nhận năm nào?")
    listed = choices_of(text)
    helpful = next(i for i, title in enumerate(listed, start=1) if "Hữu ích" in title)
    assert len(listed) >= 2 and any("Chưa đúng" in title for title in listed)
    [thanks] = answer(fake, "e4", f"số {helpful}")
    assert thanks and "1999" not in thanks
    with sqlite3.connect(assistant.data_dir / "knowledge.db") as database:
        rows = database.execute(
            "SELECT entry, value, channel FROM feedback WHERE channel = 'zalo'"
        ).fetchall()
    assert ("heritage_sites:hoi-an-ancient-town", "helpful", "zalo") in rows


def test_a_statistics_chart_is_a_photo_then_its_figures(zalo_bridge: Bridge, assistant: Assistant) -> None:
    fake = zalo_bridge.fake
    [text] = answer(fake, "e5", "so sánh lượt khách 2021 và 2022 Quảng Ngãi")
    [photo] = fake.recorded("sendPhoto", "e5")
    assert photo.params["photo"].startswith(f"{assistant.web_url}/charts/")
    assert Image.open(io.BytesIO(photo.files["photo"])).format == "PNG"
    methods = [c.method for c in fake.recorded(chat_id="e5") if c.method != "sendChatAction"]
    assert methods == ["sendPhoto", "sendMessage"]
    assert text.startswith("Biểu đồ:") and "650.000" in text


def test_nearby_asks_for_a_place_and_answers_a_named_one(zalo_bridge: Bridge) -> None:
    fake = zalo_bridge.fake
    [asked] = answer(fake, "e6", "Gần đây có di tích nào?")
    assert asked.endswith(message("location_by_name", "vi"))
    for place in ("Phố cổ Hội An", "di tích gần Đại Nội Huế"):  # the name alone, as a reply to the question
        sites = answer(fake, "e6", place)
        assert sites[0].startswith("Các di tích gần")
        assert "Bản đồ: https://www.openstreetmap.org/" in sites[0]


def test_the_assistant_is_told_the_channel_and_the_language(
    zalo_bridge: Bridge, assistant: Assistant
) -> None:
    answer(zalo_bridge.fake, "e7", "What can you do?")
    users: list[dict[str, Any]] = [e for e in tracker_events(assistant, "zl:e7") if e["event"] == "user"]
    assert users[0]["metadata"]["channel"] == "zalo"
    assert users[0]["metadata"]["language"] == "en"


def test_no_message_is_longer_than_zalo_allows_or_has_markup(zalo_bridge: Bridge) -> None:
    sent = zalo_bridge.fake.recorded("sendMessage", ok_only=False)
    assert sent and all(c.status == 200 for c in sent)
    for call in sent:
        assert 0 < len(call.text) <= 2000
        assert not any(mark in call.text for mark in MARKUP), call.text
        assert set(call.params) == {"chat_id", "text"}  # no parse mode, no keyboard
