"""The bridge when the assistant cannot answer: it answers nothing (action server or database down), and it is
down and then comes back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.messages import message
from tests.telegram.conftest import start_bridge
from tests.telegram.fake_telegram import FakeTelegram
from tests.telegram.stub_rasa import StubRasa
from tests.telegram.test_bridge_e2e import shown


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


def test_an_empty_answer_is_told_as_unavailable(fake: FakeTelegram, tmp_path: Path) -> None:
    with StubRasa({}) as stub:  # answers every message with nothing
        bridge = start_bridge(fake, stub.url, tmp_path / "bridge.log")
        try:
            fake.send_text(301, "Đại Nội ở đâu?")
            [sent] = fake.wait_for("sendMessage", 301)
            assert shown(sent) == message("unavailable", "vi")
            fake.send_text(302, "Where is the Citadel?", language_code="en")
            [sent] = fake.wait_for("sendMessage", 302)
            assert shown(sent) == message("unavailable", "en")
        finally:
            assert bridge.stop() == 0
    assert stub.messages("tg:301") == ["Đại Nội ở đâu?"]
    assert "the assistant answered nothing for chat 301" in bridge.logs()


def test_assistant_down_is_busy_then_answers_when_it_is_back(fake: FakeTelegram, tmp_path: Path) -> None:
    stub = StubRasa({"xin chào": [{"text": "Chào bạn!"}]})  # its port is taken, nobody listens yet
    bridge = start_bridge(fake, stub.url, tmp_path / "bridge.log")
    try:
        fake.send_text(303, "xin chào")
        [sent] = fake.wait_for("sendMessage", 303)
        assert shown(sent) == message("busy", "vi")
        with stub:
            fake.send_text(303, "xin chào")
            sent = fake.wait_for("sendMessage", 303, count=2)[-1]
            assert shown(sent) == "Chào bạn!"
    finally:
        assert bridge.stop() == 0
    assert stub.messages("tg:303") == ["xin chào"]  # the first one never reached it
