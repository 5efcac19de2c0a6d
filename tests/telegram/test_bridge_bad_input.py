"""Bad input through the Telegram bridge (fake Telegram, stand-in assistant): every message gets an answer or
the bridge's own polite reply, typed forced intents and forged button data go through the policy of
bot/inbound.py, the webhook refuses unreadable bodies with a 4xx, and RASA_TOKEN never reaches the log."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.inbound import MAX_MESSAGE_CHARS
from bot.messages import message
from tests.bad_inputs import CASES, ONE_MB, Case
from tests.conftest import free_port
from tests.telegram.conftest import Bridge, start_bridge
from tests.telegram.fake_telegram import FakeTelegram
from tests.telegram.stub_rasa import StubRasa

RASA_TOKEN = "recognisable-rasa-token-for-the-bridge-7f3a"
WEBHOOK_SECRET = "recognisable_webhook_secret_9c1d"
KEYBOARD = [
    {"text": "Chọn", "buttons": [{"title": "Di sản", "payload": '/choose_topic{"topic": "heritage"}'}]}
]
# What the assistant receives for button data a client might forge.
TAPS = [
    ('/choose_topic{"topic": "heritage"}', '/choose_topic{"topic": "heritage"}'),
    ("/restart", "restart"),
    ('/ask_site_info{"site": "x", "evil": 1}', 'ask_site_info{"site": "x", "evil": 1}'),
    ("/no_such_intent", "no_such_intent"),
]
# Telegram marks /word at the start of a message as a bot command (the bridge answers commands itself).
COMMAND = re.compile(r"/[A-Za-z0-9_]+")


@pytest.fixture(scope="module")
def stub() -> Iterator[StubRasa]:
    replies = {case.expected: [{"text": "ok"}] for case in CASES if case.outcome == "sent"}
    replies |= {sent: [{"text": "ok"}] for _, sent in TAPS}
    replies["nút"] = KEYBOARD
    with StubRasa(replies) as server:
        yield server


@pytest.fixture(scope="module")
def bridge(stub: StubRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    log = tmp_path_factory.mktemp("telegram-bad-input") / "bridge.log"
    with FakeTelegram() as fake:
        running = start_bridge(fake, stub.url, log, RASA_TOKEN=RASA_TOKEN)
        try:
            yield running
        finally:
            running.stop()


def type_text(fake: FakeTelegram, chat_id: int, text: str, language_code: str) -> None:
    """The user types `text`; a bot_command entity only where Telegram adds one."""
    body: dict = {"text": text}
    if command := COMMAND.match(text):
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.group())}]
    fake.push({"message": fake.user_message(chat_id, language_code, **body)})


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gets_an_answer_or_a_polite_reply(
    bridge: Bridge, stub: StubRasa, case: Case, language: str
) -> None:
    chat = 300 + CASES.index(case) + (100 if language == "en" else 0)
    type_text(bridge.fake, chat, case.text, language)
    [sent] = bridge.fake.wait_for("sendMessage", chat)
    if COMMAND.match(case.text):
        assert sent.text == message("unknown_command", language)
        forwarded: list[str] = []
    elif not case.text:  # Telegram sends no empty text; an update without text is "unsupported"
        assert sent.text == message("unsupported", language)
        forwarded = []
    elif case.outcome == "refused":
        assert sent.text == message(case.expected, language, limit=MAX_MESSAGE_CHARS)
        forwarded = []
    else:
        assert sent.text == "ok"
        forwarded = [case.expected]
    time.sleep(0.2)
    assert stub.messages(f"tg:{chat}") == forwarded


def test_a_1_mb_message_is_too_long(bridge: Bridge, stub: StubRasa) -> None:
    type_text(bridge.fake, 290, ONE_MB, "vi")
    [sent] = bridge.fake.wait_for("sendMessage", 290)
    assert sent.text == message("too_long", "vi", limit=MAX_MESSAGE_CHARS)
    assert stub.messages("tg:290") == []


@pytest.mark.parametrize(("data", "received"), TAPS, ids=[sent for _, sent in TAPS])
def test_forged_button_data_goes_through_the_policy(
    bridge: Bridge, stub: StubRasa, data: str, received: str
) -> None:
    chat = 280 + [d for d, _ in TAPS].index(data)
    fake = bridge.fake
    type_text(fake, chat, "nút", "vi")
    [keyboard] = fake.wait_for("sendMessage", chat)
    fake.tap(chat, keyboard, data)
    assert stub.wait_for_messages(f"tg:{chat}", 2) == ["nút", received]
    fake.wait_for("sendMessage", chat, count=2)


def test_the_rasa_token_never_appears_in_the_log(bridge: Bridge, stub: StubRasa) -> None:
    type_text(bridge.fake, 279, "Đại Nội ở đâu?", "vi")
    stub.wait_for_messages("tg:279", 1)
    logs = bridge.logs()
    assert "getUpdates" in logs  # the DEBUG log is written...
    assert RASA_TOKEN not in logs  # ...without the token


def test_the_webhook_refuses_unreadable_bodies(stub: StubRasa, tmp_path: Path) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram/hook"
    with FakeTelegram() as fake:
        bridge = start_bridge(
            fake,
            stub.url,
            tmp_path / "bridge.log",
            TELEGRAM_MODE="webhook",
            TELEGRAM_PORT=str(port),
            TELEGRAM_WEBHOOK_URL=hook,
            TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
            RASA_TOKEN=RASA_TOKEN,
        )
        try:
            headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET, "Content-Type": "application/json"}

            def post(body: bytes) -> int:
                return requests.post(hook, data=body, headers=headers, timeout=10).status_code

            update = b'{"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}'
            for body in (
                b"\xff\xfe not utf-8",
                b"not json",
                b"[1, 2]",
                b"null",
                b"{}",
                b'{"update_id": 1, "message": 5}',
                b"[" * 50000 + b"]" * 50000,
                update.replace(b'"private"}', b'"private"}, "text": "Hu\xc3"'),
            ):
                assert post(body) == 400, body[:40]
            assert post(b'{"update_id": 2, "x": "' + b"y" * (2 * 1024 * 1024) + b'"}') == 413
            good = {"update_id": 3, "message": fake.user_message(291, text="Đại Nội ở đâu?")}
            assert requests.post(hook, json=good, headers=headers, timeout=10).status_code == 200
            assert stub.wait_for_messages("tg:291", 1) == ["Đại Nội ở đâu?"]
        finally:
            assert bridge.stop() == 0
        logs = bridge.logs()
        assert "unreadable update" in logs
        for secret in (RASA_TOKEN, WEBHOOK_SECRET, fake.token):
            assert secret not in logs
