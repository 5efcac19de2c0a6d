"""The bridge process against the fake Telegram and a stand-in assistant with canned replies: what it sends the
assistant (bot/PROTOCOL.md) and how it renders what the trained assistant does not say yet (media, places, files).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.messages import message
from bot.telegram.render import TEXT_LIMIT, telegram_length
from tests.conftest import free_port
from tests.telegram.conftest import Bridge, launch, start_bridge
from tests.telegram.fake_telegram import FakeTelegram
from tests.telegram.stub_rasa import ICS, PNG, StubRasa

# A payload as our buttons write it (bot/inbound.py lets users force it), longer than Telegram's 64 bytes.
LONG_PAYLOAD = '/ask_site_visiting{"site": "quan-the-di-tich-co-do-hue", "province": "Thừa Thiên Huế"}'
VENUE = {
    "type": "venue",
    "latitude": 16.4698,
    "longitude": 107.5786,
    "title": "Đại Nội Huế",
    "address": "Thành phố Huế",
    "map_url": "https://www.openstreetmap.org/?mlat=16.4698&mlon=107.5786",
}
PARAGRAPH = "Thánh địa Mỹ Sơn là quần thể đền tháp Chăm. " * 60  # about 2,700 characters
REPLIES = {
    "media": [
        {"text": "Giá vé *50.000 đồng* <b>người lớn</b> & trẻ em"},
        {"image": "https://example.org/hue.jpg"},
        {"image": "/charts/visitors.png"},
        {"custom": VENUE},
        {
            "custom": {
                "type": "card",
                "title": "Hội An",
                "text": "Phố cổ <1999>",
                "url": "https://example.org/m",
            }
        },
        {"custom": {"type": "document", "url": "/files/event.ics", "filename": "le-hoi.ics"}},
        {"text": "Bạn đang ở đâu?", "custom": {"type": "location_request"}},
    ],
    "dài": [
        {
            "text": "\n\n".join([PARAGRAPH.strip()] * 3),
            "buttons": [{"title": "Di sản", "payload": '/choose_topic{"topic": "heritage"}'}],
        }
    ],
    "nút dài": [{"text": "Chọn", "buttons": [{"title": "Lịch sử", "payload": LONG_PAYLOAD}]}],
}
TIMEOUT = 1.0
STICKER = {
    "file_id": "s",
    "file_unique_id": "s",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
}


@pytest.fixture(scope="module")
def stub() -> Iterator[StubRasa]:
    with StubRasa(REPLIES) as server:
        yield server


@pytest.fixture(scope="module")
def bridge(stub: StubRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    log = tmp_path_factory.mktemp("telegram-protocol") / "bridge.log"
    with FakeTelegram() as fake:
        running = start_bridge(fake, stub.url, log, MEDIA_URL=stub.url, RASA_TIMEOUT=str(TIMEOUT))
        try:
            yield running
        finally:
            running.stop()


def methods(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [c.method for c in fake.recorded(chat_id=chat_id)]


def test_text_is_forwarded_with_the_chat_as_sender(bridge: Bridge, stub: StubRasa) -> None:
    bridge.fake.send_text(101, "Đại Nội ở đâu?")
    deadline = time.monotonic() + 20
    while not stub.bodies("tg:101") and time.monotonic() < deadline:
        time.sleep(0.05)
    [body] = stub.bodies("tg:101")
    key = body["metadata"].pop("message_key")  # bot/rasa_client.py's id of the message (bot/PROTOCOL.md)
    assert len(key) == 32 and int(key, 16) >= 0
    assert body == {"sender": "tg:101", "message": "Đại Nội ở đâu?", "metadata": {"channel": "telegram"}}


def test_media_places_and_files_become_telegram_messages(bridge: Bridge) -> None:
    fake = bridge.fake
    fake.send_text(102, "media")
    fake.wait_for("sendMessage", 102, count=3)
    assert methods(fake, 102) == [
        "sendMessage",
        "sendPhoto",
        "sendPhoto",
        "sendVenue",
        "sendMessage",
        "sendDocument",
        "sendMessage",
    ]
    text, photo_url, photo_upload, venue, card, document, location = fake.recorded(chat_id=102)
    assert text.text == "Giá vé *50.000 đồng* &lt;b&gt;người lớn&lt;/b&gt; &amp; trẻ em"
    assert text.params["parse_mode"] == "HTML"
    assert photo_url.params["photo"] == "https://example.org/hue.jpg"
    assert photo_upload.files["photo"] == PNG  # fetched from the web gateway, uploaded
    assert (venue.json("latitude"), venue.json("longitude")) == (16.4698, 107.5786)
    assert (venue.params["title"], venue.params["address"]) == ("Đại Nội Huế", "Thành phố Huế")
    assert venue.reply_markup == {
        "inline_keyboard": [[{"text": message("open_map", "vi"), "url": VENUE["map_url"]}]]
    }
    assert card.text == "<b>Hội An</b>\n\nPhố cổ &lt;1999&gt;"
    assert card.reply_markup["inline_keyboard"][0][0]["url"] == "https://example.org/m"
    assert document.files["document"] == ICS
    assert document.filenames["document"] == "le-hoi.ics"
    assert location.text == "Bạn đang ở đâu?"
    [[button]] = location.reply_markup["keyboard"]
    assert button == {"text": message("share_location_button", "vi"), "request_location": True}


def test_long_answer_is_split_and_keeps_its_buttons_last(bridge: Bridge) -> None:
    bridge.fake.send_text(103, "dài")
    sent = bridge.fake.wait_for("sendMessage", 103, count=3)
    assert len(sent) == 3
    assert all(telegram_length(c.text) <= TEXT_LIMIT for c in sent)
    assert [c.text for c in sent] == [PARAGRAPH.strip()] * 3
    assert [bool(c.reply_markup) for c in sent] == [False, False, True]


def test_button_with_a_long_payload_round_trips(bridge: Bridge, stub: StubRasa) -> None:
    fake = bridge.fake
    fake.send_text(104, "nút dài")
    [sent] = fake.wait_for("sendMessage", 104)
    [(title, data)] = sent.buttons()
    assert title == "Lịch sử"
    assert len(data.encode()) <= 64
    fake.tap(104, sent, data)
    fake.wait_for("answerCallbackQuery")
    fake.wait_for("editMessageReplyMarkup", 104)
    deadline = time.monotonic() + 20
    while LONG_PAYLOAD not in stub.messages("tg:104") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stub.messages("tg:104") == ["nút dài", LONG_PAYLOAD]


def test_unknown_button_is_answered_as_expired(bridge: Bridge, stub: StubRasa) -> None:
    fake = bridge.fake
    fake.send_text(105, "nút dài")
    [sent] = fake.wait_for("sendMessage", 105)
    answers = len(fake.recorded("answerCallbackQuery"))
    fake.tap(105, sent, "#0123456789abcdef")
    answer = fake.wait_for("answerCallbackQuery", count=answers + 1)[-1]
    assert answer.params["text"] == message("button_expired", "vi")
    time.sleep(0.5)
    assert stub.messages("tg:105") == ["nút dài"]


def test_commands_send_forced_intents(bridge: Bridge, stub: StubRasa) -> None:
    fake = bridge.fake
    for command in ("/start", "/help", "/lang en", "/reset", "hello", "/lang vi"):
        fake.send_text(106, command)
    expected = [
        "/greet",
        "/help",
        '/greet{"language": "en"}',
        "/restart",
        '/greet{"language": "en"}',
        "hello",
    ]
    expected.append('/greet{"language": "vi"}')
    deadline = time.monotonic() + 20
    while len(stub.messages("tg:106")) < len(expected) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stub.messages("tg:106") == expected
    languages = [b["metadata"].get("language") for b in stub.bodies("tg:106")]
    assert languages == [None, None, "en", "en", "en", "en", "vi"]


def test_lang_without_a_language_explains_itself(bridge: Bridge) -> None:
    bridge.fake.send_text(107, "/lang fr")
    [sent] = bridge.fake.wait_for("sendMessage", 107)
    assert sent.text == message("lang_usage", "vi")


def test_unknown_command_lists_the_commands(bridge: Bridge, stub: StubRasa) -> None:
    bridge.fake.send_text(108, '/greet{"language": "en"}', language_code="en")
    [sent] = bridge.fake.wait_for("sendMessage", 108)
    assert sent.text == message("unknown_command", "en")
    assert stub.messages("tg:108") == []


def test_shared_location_is_forwarded_for_nearby_sites(bridge: Bridge, stub: StubRasa) -> None:
    bridge.fake.send_location(109, 16.46, 107.59)
    deadline = time.monotonic() + 20
    while not stub.messages("tg:109") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stub.messages("tg:109") == ['/share_location{"latitude": 16.46, "longitude": 107.59}']


@pytest.mark.parametrize(
    ("chat", "content", "key"),
    [
        (
            111,
            {"sticker": STICKER},
            None,
        ),
        (112, {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 2}}, None),
        (113, {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}]}, None),
        (114, {"document": {"file_id": "d", "file_unique_id": "d"}}, None),
        (115, {"edited": "Đại Nội ở đâu nhỉ?"}, "edited"),
    ],
    ids=["sticker", "voice", "photo", "document", "edited"],
)
def test_other_content_gets_a_polite_reply(
    bridge: Bridge, stub: StubRasa, chat: int, content: dict, key: str | None
) -> None:
    fake = bridge.fake
    if "edited" in content:
        fake.edit_text(chat, content["edited"])
    else:
        fake.send_content(chat, **content)
    [sent] = fake.wait_for("sendMessage", chat)
    assert sent.text == message(key or "unsupported", "vi")
    assert stub.messages(f"tg:{chat}") == []
    fake.send_text(chat, "vẫn chạy chứ?")  # the bridge is still there
    deadline = time.monotonic() + 20
    while not stub.messages(f"tg:{chat}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stub.messages(f"tg:{chat}") == ["vẫn chạy chứ?"]


def test_assistant_slower_than_the_timeout_gets_the_busy_reply(bridge: Bridge, stub: StubRasa) -> None:
    stub.delays["chậm quá"] = TIMEOUT + 2
    started = time.monotonic()
    bridge.fake.send_text(120, "chậm quá", language_code="en")
    [sent] = bridge.fake.wait_for("sendMessage", 120)
    assert sent.text == message("busy", "en")
    assert time.monotonic() - started < TIMEOUT + 2
    assert "assistant unavailable for chat 120" in bridge.logs()


def test_token_never_appears_in_the_log(bridge: Bridge) -> None:
    logs = bridge.logs()
    assert "getUpdates" in logs  # the DEBUG log holds every Bot API URL...
    assert bridge.fake.token not in logs  # ...without the token
    assert bridge.fake.token.split(":")[1] not in logs


def test_rejected_token_stops_the_bridge_without_logging_it(tmp_path: Path) -> None:
    with FakeTelegram() as fake:
        wrong = FakeTelegram(token="987654321:AAWrongTokenTheFakeServerRefusesXYZ")
        log = tmp_path / "bridge.log"
        process = launch(
            fake,
            "http://127.0.0.1:9",
            log,
            TELEGRAM_TOKEN=wrong.token,
            TELEGRAM_PORT=str(free_port()),
        )
        try:
            assert process.wait(timeout=60) == 1
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    text = log.read_text()
    assert "Telegram rejected TELEGRAM_TOKEN" in text
    assert wrong.token not in text and "AAWrongToken" not in text


def test_missing_token_is_explained(tmp_path: Path) -> None:
    with FakeTelegram() as fake:
        process = launch(fake, "http://127.0.0.1:9", tmp_path / "bridge.log", TELEGRAM_TOKEN="")
        assert process.wait(timeout=60) == 2
    assert "TELEGRAM_TOKEN is not set" in (tmp_path / "bridge.log").read_text()
