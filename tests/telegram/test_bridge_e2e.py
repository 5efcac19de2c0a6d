"""End to end: `python -m bot.telegram` between the fake Telegram Bot API and the real assistant (trained model,
Rasa server, action server), as `make run` starts them.

Replies are checked against the wording domain.yml gives, so the tests follow the domain when it changes.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from bot.messages import message
from tests.conftest import ROOT, Assistant, free_port
from tests.telegram.conftest import Bridge, start_bridge
from tests.telegram.fake_telegram import Call, FakeTelegram

pytestmark = pytest.mark.e2e


def response(name: str, **slots: str) -> dict[str, Any]:
    """The variant of a domain response whose condition is exactly `slots` (none: the Vietnamese default)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for variant in domain["responses"][name]:
        if {c["name"]: c["value"] for c in variant.get("condition", [])} == slots:
            return variant
    raise KeyError(f"{name} has no variant for {slots}")


def shown(call: Call) -> str:
    """The text the user sees (the bridge sends HTML-escaped text)."""
    assert call.params.get("parse_mode") == "HTML"
    return html.unescape(call.text)


def tracker_events(assistant: Assistant, sender: str, include: str = "ALL") -> list[dict[str, Any]]:
    """The conversation's events as the assistant keeps them."""
    answer = requests.get(
        f"{assistant.rasa_url}/conversations/{sender}/tracker",
        params={"include_events": include, "token": assistant.rasa_token},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["events"]


def test_vietnamese_question_is_answered_with_text_and_buttons(telegram_bridge: Bridge) -> None:
    fake = telegram_bridge.fake
    fake.send_text(201, "bạn làm được gì")
    [sent] = fake.wait_for("sendMessage", 201)
    expected = response("utter_help")
    assert shown(sent) == expected["text"]
    assert sent.buttons() == [(b["title"], b["payload"]) for b in expected["buttons"]]


def test_start_greets_and_shows_the_four_topics(telegram_bridge: Bridge) -> None:
    telegram_bridge.fake.send_text(202, "/start")
    [sent] = telegram_bridge.fake.wait_for("sendMessage", 202)
    expected = response("utter_greet")
    assert shown(sent) == expected["text"]
    assert [title for title, _ in sent.buttons()] == [b["title"] for b in expected["buttons"]]
    assert len(sent.buttons()) == 4


def test_help_command(telegram_bridge: Bridge) -> None:
    telegram_bridge.fake.send_text(203, "/help")
    [sent] = telegram_bridge.fake.wait_for("sendMessage", 203)
    assert shown(sent) == response("utter_help")["text"]


def test_button_tap_round_trips_once(telegram_bridge: Bridge) -> None:
    fake = telegram_bridge.fake
    fake.send_text(204, "/start")
    [greeting] = fake.wait_for("sendMessage", 204)
    _, data = greeting.buttons()[0]
    assert data == '/choose_topic{"topic": "heritage"}'
    fake.tap(204, greeting, data)
    _, answer = fake.wait_for("sendMessage", 204, count=2)
    assert shown(answer) == response("utter_topic", topic="heritage")["text"]
    # The tap was answered and the keyboard removed from the greeting.
    assert fake.recorded("answerCallbackQuery")
    [edit] = fake.wait_for("editMessageReplyMarkup", 204)
    assert edit.json("message_id") == greeting.result["message_id"]
    assert edit.reply_markup is None
    # A second tap on the same keyboard (before Telegram removed it) sends nothing more.
    answered = len(fake.recorded("answerCallbackQuery"))
    fake.tap(204, greeting, data)
    fake.wait_for("answerCallbackQuery", count=answered + 1)
    time.sleep(1.5)
    assert len(fake.recorded("sendMessage", 204)) == 2


def test_lang_switches_the_assistant_to_english(telegram_bridge: Bridge, assistant: Assistant) -> None:
    fake = telegram_bridge.fake
    fake.send_text(205, "/lang en")
    [sent] = fake.wait_for("sendMessage", 205)
    assert shown(sent) == response("utter_greet", language="en")["text"]
    [user] = [e for e in tracker_events(assistant, "tg:205") if e["event"] == "user"]
    assert (user["metadata"]["channel"], user["metadata"]["language"]) == ("telegram", "en")
    fake.send_text(205, "/lang vi")
    _, back = fake.wait_for("sendMessage", 205, count=2)
    assert shown(back) == response("utter_greet")["text"]


def test_reset_restarts_the_conversation(telegram_bridge: Bridge, assistant: Assistant) -> None:
    fake = telegram_bridge.fake
    fake.send_text(206, "bạn làm được gì")
    fake.wait_for("sendMessage", 206)
    fake.send_text(206, "/reset")
    _, greeting = fake.wait_for("sendMessage", 206, count=2)
    assert shown(greeting) == response("utter_greet")["text"]
    # The conversation the assistant keeps starts again at the greeting: the question before /reset is gone.
    users = [e["text"] for e in tracker_events(assistant, "tg:206") if e["event"] == "user"]
    assert users == ["/greet"]


def test_shared_location_reaches_the_assistant(telegram_bridge: Bridge, assistant: Assistant) -> None:
    telegram_bridge.fake.send_location(207, 16.4637, 107.5909)
    deadline = time.monotonic() + 30
    users: list[dict[str, Any]] = []
    while not users and time.monotonic() < deadline:
        users = [e for e in tracker_events(assistant, "tg:207") if e["event"] == "user"]
        time.sleep(0.2)
    assert users[0]["text"] == '/share_location{"latitude": 16.4637, "longitude": 107.5909}'
    assert users[0]["metadata"]["channel"] == "telegram"
    assert "language" not in users[0]["metadata"]  # no /lang chosen in this chat


def test_rate_limit_429_is_waited_out(telegram_bridge: Bridge) -> None:
    fake = telegram_bridge.fake
    fake.fail_next("sendMessage", 429, retry_after=2, chat_id=208)
    fake.send_text(208, "/help")
    [sent] = fake.wait_for("sendMessage", 208)
    [refused, delivered] = fake.recorded("sendMessage", 208, ok_only=False)
    assert (refused.status, delivered.status) == (429, 200)
    assert delivered.at - refused.at >= 2
    assert shown(sent) == response("utter_help")["text"]


def test_telegram_server_error_is_retried(telegram_bridge: Bridge) -> None:
    fake = telegram_bridge.fake
    fake.fail_next("sendMessage", 500, chat_id=209)
    fake.send_text(209, "/help")
    [sent] = fake.wait_for("sendMessage", 209)
    assert [c.status for c in fake.recorded("sendMessage", 209, ok_only=False)] == [500, 200]
    assert shown(sent) == response("utter_help")["text"]
    assert "Telegram sendMessage failed" in telegram_bridge.logs()


def test_token_never_appears_in_the_log(telegram_bridge: Bridge) -> None:
    logs = telegram_bridge.logs()
    assert "sendMessage" in logs
    assert telegram_bridge.fake.token not in logs


@pytest.fixture
def fresh_fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


def test_assistant_down_gets_the_polite_reply(fresh_fake: FakeTelegram, tmp_path: Path) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    bridge = start_bridge(fresh_fake, nobody, tmp_path / "bridge.log")
    try:
        fresh_fake.send_text(210, "bạn làm được gì")
        [sent] = fresh_fake.wait_for("sendMessage", 210)
        assert shown(sent) == message("busy", "vi")
        fresh_fake.send_text(211, "what can you do", language_code="en")
        [sent] = fresh_fake.wait_for("sendMessage", 211)
        assert shown(sent) == message("busy", "en")
    finally:
        assert bridge.stop() == 0
    logs = bridge.logs()
    assert "assistant unavailable for chat 210" in logs
    assert fresh_fake.token not in logs


def test_webhook_mode_checks_the_secret(
    fresh_fake: FakeTelegram, assistant: Assistant, tmp_path: Path
) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram/hook"
    secret = "s3cret_for-the-webhook-test"
    bridge = start_bridge(
        fresh_fake,
        assistant.rasa_url,
        tmp_path / "bridge.log",
        TELEGRAM_MODE="webhook",
        TELEGRAM_PORT=str(port),
        TELEGRAM_WEBHOOK_URL=hook,
        TELEGRAM_WEBHOOK_SECRET=secret,
    )
    try:
        [registered] = fresh_fake.wait_for("setWebhook")
        assert registered.params["url"] == hook
        assert registered.params["secret_token"] == secret
        assert not fresh_fake.recorded("deleteWebhook")  # polling would delete the webhook

        def post(chat_id: int, headers: dict[str, str]) -> int:
            update = {"update_id": 9000 + chat_id, "message": fresh_fake.user_message(chat_id, text="/help")}
            update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 5}]
            return requests.post(hook, json=update, headers=headers, timeout=10).status_code

        assert post(212, {}) == 403
        assert post(213, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}) == 403
        assert post(214, {"X-Telegram-Bot-Api-Secret-Token": secret}) == 200
        [sent] = fresh_fake.wait_for("sendMessage", 214)
        assert shown(sent) == response("utter_help")["text"]
        time.sleep(1)
        assert not fresh_fake.recorded("sendMessage", 212) and not fresh_fake.recorded("sendMessage", 213)
        for refused in ("tg:212", "tg:213"):
            assert not [e for e in tracker_events(assistant, refused) if e["event"] == "user"]
    finally:
        assert bridge.stop() == 0
    logs = bridge.logs()
    assert "wrong or missing secret token" in logs
    assert secret not in logs and fresh_fake.token not in logs
