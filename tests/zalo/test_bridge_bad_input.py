"""Bad input through the Zalo bridge (fake Zalo, stand-in assistant), the same list as every channel
(tests/bad_inputs.py): every message gets an answer or the bridge's own polite reply, typed forced intents go
through the policy of bot/inbound.py, the webhook refuses unreadable bodies with a 4xx, and RASA_TOKEN never
reaches the log."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.inbound import MAX_MESSAGE_CHARS
from bot.messages import message
from tests.bad_inputs import CASES, ONE_MB, Case
from tests.bridges import Bridge
from tests.telegram.stub_rasa import StubRasa
from tests.zalo.conftest import start_bridge, start_webhook_bridge
from tests.zalo.fake_zalo import FakeZalo

RASA_TOKEN = "recognisable-rasa-token-for-the-zalo-bridge-5b1e"
WEBHOOK_SECRET = "recognisable_zalo_webhook_secret_7d0c"
# An English chat says so first: Zalo tells the bridge nothing of a user's language.
ENGLISH = "hello"


@pytest.fixture(scope="module")
def stub() -> Iterator[StubRasa]:
    replies = {case.expected: [{"text": "ok"}] for case in CASES if case.outcome == "sent"}
    replies[ENGLISH] = [{"text": "Hello!"}]
    with StubRasa(replies) as server:
        yield server


@pytest.fixture(scope="module")
def bridge(stub: StubRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    log = tmp_path_factory.mktemp("zalo-bad-input") / "bridge.log"
    with FakeZalo() as fake:
        running = start_bridge(fake, stub.url, log, RASA_TOKEN=RASA_TOKEN)
        try:
            yield running
        finally:
            running.stop()


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gets_an_answer_or_a_polite_reply(
    bridge: Bridge, stub: StubRasa, case: Case, language: str
) -> None:
    chat = f"bad-{case.id}-{language}"
    fake = bridge.fake
    before = [ENGLISH] if language == "en" else []
    if before:
        fake.send_text(chat, ENGLISH)
        fake.wait_for("sendMessage", chat)
    fake.send_text(chat, case.text)
    sent = fake.wait_for("sendMessage", chat, count=len(before) + 1)[-1]
    if case.outcome == "refused":
        assert sent.text == message(case.expected, language, limit=MAX_MESSAGE_CHARS)
        forwarded = before
    else:
        assert sent.text == "ok"
        forwarded = [*before, case.expected]
    time.sleep(0.2)
    assert stub.messages(f"zl:{chat}") == forwarded


def test_a_1_mb_message_is_too_long(bridge: Bridge, stub: StubRasa) -> None:
    bridge.fake.send_text("bad-1mb", ONE_MB)
    [sent] = bridge.fake.wait_for("sendMessage", "bad-1mb")
    assert sent.text == message("too_long", "vi", limit=MAX_MESSAGE_CHARS)
    assert stub.messages("zl:bad-1mb") == []


def test_the_rasa_token_never_appears_in_the_log(bridge: Bridge, stub: StubRasa) -> None:
    bridge.fake.send_text("bad-token", "Đại Nội ở đâu?")
    stub.wait_for_messages("zl:bad-token", 1)
    logs = bridge.logs()
    assert "Zalo getUpdates" in logs  # the DEBUG log is written...
    assert RASA_TOKEN not in logs  # ...without the token


def test_the_webhook_refuses_unreadable_bodies(stub: StubRasa, tmp_path: Path) -> None:
    with FakeZalo() as fake:
        bridge, hook = start_webhook_bridge(
            fake, stub.url, tmp_path / "bridge.log", ZALO_WEBHOOK_SECRET=WEBHOOK_SECRET, RASA_TOKEN=RASA_TOKEN
        )
        try:
            headers = {"X-Bot-Api-Secret-Token": WEBHOOK_SECRET, "Content-Type": "application/json"}

            def post(body: bytes) -> int:
                return requests.post(hook, data=body, headers=headers, timeout=10).status_code

            update = (
                b'{"event_name": "message.text.received", "message": {"chat": {"id": "x1"}, "text": "Hu"}}'
            )
            for body in (
                b"\xff\xfe not utf-8",
                b"not json",
                b"[1, 2]",
                b"null",
                b"{}",
                b'{"event_name": "message.text.received", "message": 5}',
                b'{"event_name": "message.text.received", "message": {"chat": {"id": "a b"}}}',
                b"[" * 50000 + b"]" * 50000,
                update.replace(b'"Hu"', b'"Hu\xc3"'),
            ):
                assert post(body) == 400, body[:40]
            assert post(b'{"event_name": "x", "pad": "' + b"y" * (2 * 1024 * 1024) + b'"}') == 413
            good = fake.update("message.text.received", "bad-hook", text="Đại Nội ở đâu?")
            assert requests.post(hook, json=good, headers=headers, timeout=10).status_code == 200
            assert stub.wait_for_messages("zl:bad-hook", 1) == ["Đại Nội ở đâu?"]
        finally:
            assert bridge.stop() == 0
        logs = bridge.logs()
        assert "unreadable update" in logs
        for secret in (RASA_TOKEN, WEBHOOK_SECRET, fake.token):
            assert secret not in logs
