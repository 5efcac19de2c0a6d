"""The Zalo bridge process between the fake Zalo Bot API and a stand-in assistant (canned replies): numbered
choices picked by number, long answers split, typing, content Zalo passes on that is not text, order within a
chat, Zalo's errors, the assistant down or answering nothing, webhook mode, the token and its refusal."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.messages import message
from bot.zalo.render import Text, plan
from tests.bridges import Bridge
from tests.conftest import free_port
from tests.telegram.stub_rasa import StubRasa
from tests.zalo.conftest import launch, start_bridge, start_webhook_bridge
from tests.zalo.fake_zalo import FakeZalo

HERITAGE = '/choose_topic{"topic": "heritage"}'
STATISTICS = '/choose_topic{"topic": "statistics"}'
MENU = [
    {
        "text": "Bạn muốn hỏi về chủ đề nào?",
        "buttons": [{"title": "Di sản", "payload": HERITAGE}, {"title": "Thống kê", "payload": STATISTICS}],
    }
]
LONG = "\n\n".join((f"Đoạn {i}: " + "thông tin di sản " * 40).strip() for i in range(12))
REPLIES = {
    "chủ đề": MENU,
    "topics please": [{**MENU[0], "text": "Which topic?"}],
    HERITAGE: [{"text": "Di sản: Huế, Hội An, Mỹ Sơn."}],
    STATISTICS: [{"text": "Thống kê du lịch."}],
    "dài": [{"text": LONG}],
    "/greet": [{"text": "Xin chào!"}],
    "chậm": [{"text": "trả lời chậm"}],
    "nhanh": [{"text": "trả lời nhanh"}],
}
WEBHOOK_SECRET = "recognisable_zalo_webhook_secret_4e2a"


@pytest.fixture(scope="module")
def stub() -> Iterator[StubRasa]:
    with StubRasa(REPLIES) as server:
        server.delays["chậm"] = 1.5
        yield server


@pytest.fixture(scope="module")
def bridge(stub: StubRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    log = tmp_path_factory.mktemp("zalo-protocol") / "bridge.log"
    with FakeZalo() as fake:
        running = start_bridge(fake, stub.url, log)
        try:
            yield running
        finally:
            assert running.stop() == 0


def test_choices_are_numbered_and_picked_by_number(bridge: Bridge, stub: StubRasa) -> None:
    fake = bridge.fake
    for chat, reply in (("p1", "2"), ("p2", "số 2"), ("p3", "2."), ("p4", "Chọn 2")):
        fake.send_text(chat, "chủ đề")
        [menu] = fake.wait_for("sendMessage", chat)
        assert menu.text.startswith("Bạn muốn hỏi về chủ đề nào?\n\n1. Di sản\n2. Thống kê\n")
        fake.send_text(chat, reply)
        _, answer = fake.wait_for("sendMessage", chat, count=2)
        assert answer.text == "Thống kê du lịch."
        assert stub.messages(f"zl:{chat}") == ["chủ đề", STATISTICS]


def test_a_number_out_of_range_or_without_choices_is_answered_by_the_bridge(
    bridge: Bridge, stub: StubRasa
) -> None:
    fake = bridge.fake
    fake.send_text("p5", "2")  # nothing was offered to this chat
    [expired] = fake.wait_for("sendMessage", "p5")
    assert expired.text == message("choice_expired", "vi")
    fake.send_text("p5", "chủ đề")
    fake.wait_for("sendMessage", "p5", count=2)
    fake.send_text("p5", "7")
    out_of_range = fake.wait_for("sendMessage", "p5", count=3)[-1]
    assert out_of_range.text == message("choice_out_of_range", "vi", count=2)
    fake.send_text("p5", "1")  # the choices still hold
    assert fake.wait_for("sendMessage", "p5", count=4)[-1].text == "Di sản: Huế, Hội An, Mỹ Sơn."
    fake.send_text("p5", "1")  # the answer offered nothing: the earlier choices no longer hold
    assert fake.wait_for("sendMessage", "p5", count=5)[-1].text == message("choice_expired", "vi")
    assert stub.messages("zl:p5") == ["chủ đề", HERITAGE]


def test_the_bridge_writes_in_the_language_of_the_chat(bridge: Bridge, stub: StubRasa) -> None:
    fake = bridge.fake
    fake.send_text("p6", "topics please")
    [menu] = fake.wait_for("sendMessage", "p6")
    assert menu.text.endswith(message("choices_hint", "en"))
    fake.send_text("p6", "9")
    assert fake.wait_for("sendMessage", "p6", count=2)[-1].text == message(
        "choice_out_of_range", "en", count=2
    )
    [body] = stub.bodies("zl:p6")
    assert (body["metadata"]["channel"], body["metadata"]["language"]) == ("zalo", "en")


def test_a_long_answer_is_split_on_paragraphs(bridge: Bridge) -> None:
    expected = [t.text for t in plan([{"text": LONG}], "vi", "").outgoing if isinstance(t, Text)]
    assert len(expected) > 1
    bridge.fake.send_text("p7", "dài")
    sent = bridge.fake.wait_for("sendMessage", "p7", count=len(expected))
    assert [c.text for c in sent] == expected
    assert all(0 < len(c.text) <= 2000 for c in sent)
    assert "\n\n".join(c.text for c in sent) == LONG


def test_typing_is_shown_while_the_assistant_works(bridge: Bridge) -> None:
    fake = bridge.fake
    fake.send_text("p8", "chậm")
    fake.wait_for("sendMessage", "p8")
    methods = [c.method for c in fake.recorded(chat_id="p8")]
    assert methods[0] == "sendChatAction" and methods[-1] == "sendMessage"
    assert all(c.params["action"] == "typing" for c in fake.recorded("sendChatAction", "p8"))


def test_a_chats_messages_are_answered_in_order(bridge: Bridge) -> None:
    fake = bridge.fake
    fake.send_text("p9", "chậm")
    fake.send_text("p9", "nhanh")
    fake.send_text("p10", "nhanh")  # another chat is not held up
    fake.wait_for("sendMessage", "p9", count=2)
    assert fake.texts("p9") == ["trả lời chậm", "trả lời nhanh"]
    assert fake.recorded("sendMessage", "p10")[0].at < fake.recorded("sendMessage", "p9")[0].at


def test_images_stickers_and_unsupported_content_get_a_polite_answer(bridge: Bridge, stub: StubRasa) -> None:
    fake = bridge.fake
    fake.send_image("p11")
    fake.send_sticker("p11")
    fake.send_unsupported("p11")
    sent = fake.wait_for("sendMessage", "p11", count=3)
    assert [c.text for c in sent] == [message("zalo_unsupported", "vi")] * 3
    assert stub.messages("zl:p11") == []


def test_start_greets(bridge: Bridge, stub: StubRasa) -> None:
    bridge.fake.send_text("p12", "/start")
    [sent] = bridge.fake.wait_for("sendMessage", "p12")
    assert sent.text == "Xin chào!"
    assert stub.messages("zl:p12") == ["/greet"]


def test_rate_limit_429_is_waited_out(bridge: Bridge) -> None:
    fake = bridge.fake
    fake.fail_next("sendMessage", 429, retry_after=2, chat_id="p13")
    fake.send_text("p13", "nhanh")
    [sent] = fake.wait_for("sendMessage", "p13")
    refused, delivered = fake.recorded("sendMessage", "p13", ok_only=False)
    assert (refused.status, delivered.status) == (429, 200)
    assert delivered.at - refused.at >= 2
    assert sent.text == "trả lời nhanh"


def test_a_zalo_server_error_is_retried(bridge: Bridge) -> None:
    fake = bridge.fake
    fake.fail_next("sendMessage", 500, chat_id="p14")
    fake.send_text("p14", "nhanh")
    [sent] = fake.wait_for("sendMessage", "p14")
    assert [c.status for c in fake.recorded("sendMessage", "p14", ok_only=False)] == [500, 200]
    assert sent.text == "trả lời nhanh"
    assert "Zalo sendMessage failed" in bridge.logs()


def test_polling_goes_on_after_getupdates_fails(bridge: Bridge) -> None:
    fake = bridge.fake
    fake.fail_next("getUpdates", 500)
    fake.send_text("p15", "nhanh")
    assert fake.wait_for("sendMessage", "p15")[0].text == "trả lời nhanh"


def test_the_token_never_appears_in_the_log(bridge: Bridge) -> None:
    logs = bridge.logs()
    assert "Zalo getUpdates" in logs and "Zalo sendMessage" in logs  # the DEBUG log names every call...
    assert bridge.fake.token not in logs  # ...without the token
    assert bridge.fake.token.split(":")[1] not in logs


@pytest.fixture
def fresh_fake() -> Iterator[FakeZalo]:
    with FakeZalo() as fake:
        yield fake


def test_assistant_down_gets_the_busy_answer_then_answers_when_it_is_back(
    fresh_fake: FakeZalo, tmp_path: Path
) -> None:
    stub = StubRasa(
        {"xin chào": [{"text": "Chào bạn!"}], "hello there": [{"text": "Hello!"}]}
    )  # not started yet
    bridge = start_bridge(fresh_fake, stub.url, tmp_path / "bridge.log")
    try:
        fresh_fake.send_text("d1", "xin chào")
        assert fresh_fake.wait_for("sendMessage", "d1")[0].text == message("busy", "vi")
        fresh_fake.send_text("d2", "hello there")
        assert fresh_fake.wait_for("sendMessage", "d2")[0].text == message("busy", "en")
        with stub:
            fresh_fake.send_text("d1", "xin chào")
            assert fresh_fake.wait_for("sendMessage", "d1", count=2)[-1].text == "Chào bạn!"
    finally:
        assert bridge.stop() == 0
    assert stub.messages("zl:d1") == ["xin chào"]  # the first one never reached it
    logs = bridge.logs()
    assert "assistant unavailable for chat d1" in logs
    assert fresh_fake.token not in logs


def test_an_empty_answer_is_told_as_unavailable(fresh_fake: FakeZalo, tmp_path: Path) -> None:
    with StubRasa({}) as stub:  # answers every message with nothing
        bridge = start_bridge(fresh_fake, stub.url, tmp_path / "bridge.log")
        try:
            fresh_fake.send_text("u1", "Đại Nội ở đâu?")
            assert fresh_fake.wait_for("sendMessage", "u1")[0].text == message("unavailable", "vi")
        finally:
            assert bridge.stop() == 0
    assert "the assistant answered nothing for chat u1" in bridge.logs()


def test_webhook_mode_checks_the_secret(fresh_fake: FakeZalo, stub: StubRasa, tmp_path: Path) -> None:
    log = tmp_path / "bridge.log"
    bridge, hook = start_webhook_bridge(fresh_fake, stub.url, log, ZALO_WEBHOOK_SECRET=WEBHOOK_SECRET)
    try:
        [registered] = fresh_fake.wait_for("setWebhook")
        assert registered.params == {"url": hook, "secret_token": WEBHOOK_SECRET}
        assert not fresh_fake.recorded("deleteWebhook")  # polling would delete the webhook

        def post(chat_id: str, headers: dict[str, str]) -> int:
            update = fresh_fake.update("message.text.received", chat_id, text="nhanh")
            return requests.post(hook, json=update, headers=headers, timeout=10).status_code

        assert post("w1", {}) == 403
        assert post("w2", {"X-Bot-Api-Secret-Token": "wrong-secret"}) == 403
        assert post("w3", {"X-Bot-Api-Secret-Token": WEBHOOK_SECRET}) == 200
        assert fresh_fake.wait_for("sendMessage", "w3")[0].text == "trả lời nhanh"
        time.sleep(1)
        assert not fresh_fake.recorded("sendMessage", "w1") and not fresh_fake.recorded("sendMessage", "w2")
        assert stub.messages("zl:w1") == stub.messages("zl:w2") == []
    finally:
        assert bridge.stop() == 0
    logs = bridge.logs()
    assert "wrong or missing secret token" in logs
    assert WEBHOOK_SECRET not in logs and fresh_fake.token not in logs


def test_the_default_webhook_secret_is_derived_from_the_token(
    fresh_fake: FakeZalo, stub: StubRasa, tmp_path: Path
) -> None:
    bridge, _ = start_webhook_bridge(fresh_fake, stub.url, tmp_path / "bridge.log")
    try:
        [registered] = fresh_fake.wait_for("setWebhook")
        secret = registered.params["secret_token"]
        assert len(secret) == 64 and fresh_fake.token.split(":")[1] not in secret
    finally:
        assert bridge.stop() == 0
    assert secret not in bridge.logs()


def test_rejected_token_stops_the_bridge_without_logging_it(fresh_fake: FakeZalo, tmp_path: Path) -> None:
    wrong = "1459232241454765289:WrongZaloTokenTheFakeServerRefusesAbCdEf"
    log = tmp_path / "bridge.log"
    process = launch(fresh_fake, "http://127.0.0.1:9", log, ZALO_BOT_TOKEN=wrong, ZALO_PORT=str(free_port()))
    assert process.wait(timeout=60) == 1
    text = log.read_text()
    assert "Zalo refused ZALO_BOT_TOKEN" in text
    assert wrong not in text and "WrongZaloToken" not in text


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        ({"ZALO_BOT_TOKEN": ""}, "ZALO_BOT_TOKEN is not set"),
        ({"ZALO_MODE": "carrier-pigeon"}, "ZALO_MODE must be polling or webhook"),
        ({"ZALO_MODE": "webhook"}, "ZALO_MODE=webhook needs ZALO_WEBHOOK_URL"),
        (
            {
                "ZALO_MODE": "webhook",
                "ZALO_WEBHOOK_URL": "https://x.example/zalo",
                "ZALO_WEBHOOK_SECRET": "short",
            },
            "ZALO_WEBHOOK_SECRET must be 8-256 characters",
        ),
    ],
)
def test_settings_that_cannot_work_are_explained(
    fresh_fake: FakeZalo, tmp_path: Path, settings: dict[str, str], said: str
) -> None:
    log = tmp_path / "bridge.log"
    process = launch(fresh_fake, "http://127.0.0.1:9", log, ZALO_PORT=str(free_port()), **settings)
    assert process.wait(timeout=60) == 2
    assert said in log.read_text()
    assert not fresh_fake.recorded()  # nothing was asked of Zalo
