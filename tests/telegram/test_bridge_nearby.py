"""Maps and nearby sites through the bridge: the fake Telegram, the bridge process, and a stand-in assistant that
answers with the real answering code (tests/answering/nearby_support.py) in the REST channel's shape."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from assistant.answering.common import Knowledge
from bot.messages import message
from bot.telegram.render import Button, Text, escape, plan
from tests.answering.nearby_support import HUE, AnsweringAssistant, nearby_state
from tests.telegram.conftest import Bridge, start_bridge
from tests.telegram.fake_telegram import FakeTelegram
from tests.telegram.stub_rasa import StubRasa


class AnsweringRasa(StubRasa):
    """The stub REST channel, answering with the answering code (and each sender's slots)."""

    def __init__(self, knowledge: Knowledge) -> None:
        super().__init__()
        self.assistant = AnsweringAssistant(knowledge)

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            self.received.append(body)
        language = (body.get("metadata") or {}).get("language") or "vi"
        # off the server's event loop: the REST output channel runs a loop of its own
        replies = await asyncio.to_thread(self.assistant, body["message"], body["sender"], language)
        return web.json_response(replies)


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    return nearby_state(tmp_path_factory.mktemp("nearby-telegram")).current()


@pytest.fixture(scope="module")
def rasa(knowledge: Knowledge) -> Iterator[AnsweringRasa]:
    with AnsweringRasa(knowledge) as server:
        yield server


@pytest.fixture(scope="module")
def bridge(rasa: AnsweringRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    log: Path = tmp_path_factory.mktemp("telegram-nearby") / "bridge.log"
    with FakeTelegram() as fake:
        running = start_bridge(fake, rasa.url, log)
        try:
            yield running
        finally:
            running.stop()


def test_nearby_asks_for_the_location_with_a_location_keyboard(bridge: Bridge, knowledge: Knowledge) -> None:
    fake = bridge.fake
    fake.send_text(301, "Gần đây có di tích nào?")
    [asked] = fake.wait_for("sendMessage", 301)
    # one message: the question, with the reply keyboard whose button shares the location
    assert asked.text == knowledge.wording.say("nearby_ask", "vi")
    assert asked.reply_markup == {
        "keyboard": [[{"text": message("share_location_button", "vi"), "request_location": True}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


def test_shared_location_gets_the_nearest_sites(bridge: Bridge, rasa: AnsweringRasa) -> None:
    fake = bridge.fake
    fake.send_text(302, "Gần đây có di tích nào?")
    fake.wait_for("sendMessage", 302)
    fake.send_location(302, *HUE)
    sent = fake.wait_for("sendMessage", 302, count=8)
    assert rasa.messages("tg:302")[-1] == '/share_location{"latitude": 16.4637, "longitude": 107.5909}'
    header, *cards, last = sent[1:]
    assert header.text == "Các di tích gần bạn nhất (khoảng cách theo đường chim bay):"
    # one message per site, nearest first: name, distance, address, and an "open map" link button
    assert [c.text.split("\n")[0] for c in cards] == [
        "<b>1. Hoàng thành Huế</b>",
        "<b>2. Lăng Tự Đức</b>",
        "<b>3. Chùa Thiên Mụ</b>",
        "<b>4. Thánh địa Mỹ Sơn</b>",
        "<b>5. Phố cổ Hội An</b>",
    ]
    assert cards[0].text.startswith("<b>1. Hoàng thành Huế</b>\n\nCách 1,")
    assert cards[0].text.endswith(" km – Thành phố Huế")
    assert cards[0].reply_markup == {
        "inline_keyboard": [
            [
                {
                    "text": message("open_map", "vi"),
                    "url": "https://www.openstreetmap.org/?mlat=16.46970&mlon=107.57780#map=16/16.46970/107.57780",
                }
            ]
        ]
    }
    assert last.text.startswith("Nguồn:")
    assert [title for title, _ in last.buttons()][:2] == ["Hoàng thành Huế", "Lăng Tự Đức"]
    # asked again later: the latest location is remembered
    fake.send_text(302, "Gần đây có di tích nào?")
    again = fake.wait_for("sendMessage", 302, count=15)[8:]
    assert [c.text for c in again] == [c.text for c in sent[1:]]


def test_site_answer_sends_a_venue_with_a_map_button(bridge: Bridge) -> None:
    fake = bridge.fake
    fake.send_text(303, "Đại Nội là gì?")
    [text] = fake.wait_for("sendMessage", 303)
    [venue] = fake.recorded("sendVenue", 303)
    assert [c.method for c in fake.recorded(chat_id=303)] == ["sendVenue", "sendMessage"]
    assert (venue.json("latitude"), venue.json("longitude")) == (16.4697, 107.5778)
    assert (venue.params["title"], venue.params["address"]) == ("Hoàng thành Huế", "Thành phố Huế")
    [[button]] = venue.reply_markup["inline_keyboard"]
    assert button == {
        "text": message("open_map", "vi"),
        "url": "https://www.openstreetmap.org/?mlat=16.46970&mlon=107.57780#map=16/16.46970/107.57780",
    }
    assert text.text.startswith("Khu cung điện")


def test_a_bare_location_request_goes_on_the_text_before() -> None:
    # The REST channel sends the text and the custom part of one message as two replies.
    request = {"custom": {"type": "location_request"}}
    assert plan([{"text": "Bạn ở đâu?"}, request]) == [Text("Bạn ở đâu?", request_location=True)]
    # a text that has buttons keeps them: the location keyboard gets a prompt of its own
    with_buttons = {"text": "Chọn", "buttons": [{"title": "A", "payload": "/a"}]}
    assert plan([with_buttons, request], "en") == [
        Text("Chọn", (Button("A", "/a"),)),
        Text(escape(message("share_location_prompt", "en")), request_location=True),
    ]
    assert plan([request]) == [Text(escape(message("share_location_prompt", "vi")), request_location=True)]
