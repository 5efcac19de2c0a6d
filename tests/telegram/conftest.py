"""Run the Telegram bridge as a user does (`python -m bot.telegram`) against the fake Telegram Bot API."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bridges import Bridge, launch_module, start_bridge_with
from tests.conftest import Assistant
from tests.telegram.fake_telegram import FakeTelegram

__all__ = ["Bridge", "launch", "start_bridge"]


def launch(fake: FakeTelegram, rasa_url: str, log: Path, **settings: str) -> subprocess.Popen[bytes]:
    """Start `python -m bot.telegram` with the fake Telegram's URL and `settings` as environment."""
    return launch_module(
        "bot.telegram",
        log,
        **{
            "TELEGRAM_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "RASA_URL": rasa_url,
            "TELEGRAM_MODE": "polling",
            "TELEGRAM_HOST": "127.0.0.1",
            **settings,
        },
    )


def start_bridge(fake: FakeTelegram, rasa_url: str, log: Path, **settings: str) -> Bridge:
    """Start the bridge on a free port and wait until its /health answers."""
    return start_bridge_with(launch, "TELEGRAM_PORT", fake, rasa_url, log, **settings)


@pytest.fixture(scope="module")
def telegram_bridge(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    """The bridge in polling mode against a fresh fake Telegram and the real assistant."""
    tmp = tmp_path_factory.mktemp("telegram")
    with FakeTelegram() as fake:
        bridge = start_bridge(fake, assistant.rasa_url, tmp / "bridge.log")
        try:
            yield bridge
        finally:
            bridge.stop()
