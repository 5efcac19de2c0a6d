"""Run the Zalo bridge as a user does (`python -m bot.zalo`) against the fake Zalo Bot API."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bridges import Bridge, launch_module, start_bridge_with
from tests.conftest import Assistant, free_port
from tests.zalo.fake_zalo import FakeZalo


def launch(fake: FakeZalo, rasa_url: str, log: Path, **settings: str) -> subprocess.Popen[bytes]:
    """Start `python -m bot.zalo` with the fake Zalo's URL and `settings` as environment."""
    return launch_module(
        "bot.zalo",
        log,
        **{
            "ZALO_BOT_TOKEN": fake.token,
            "ZALO_API_BASE_URL": fake.base_url,
            "RASA_URL": rasa_url,
            "ZALO_MODE": "polling",
            "ZALO_HOST": "127.0.0.1",
            **settings,
        },
    )


def start_bridge(fake: FakeZalo, rasa_url: str, log: Path, **settings: str) -> Bridge:
    """Start the bridge on a free port and wait until its /health answers."""
    return start_bridge_with(launch, "ZALO_PORT", fake, rasa_url, log, **settings)


def start_webhook_bridge(fake: FakeZalo, rasa_url: str, log: Path, **settings: str) -> tuple[Bridge, str]:
    """The bridge in webhook mode on a free port, and its webhook's URL."""
    port = free_port()
    hook = f"http://127.0.0.1:{port}/zalo"
    bridge = start_bridge(
        fake, rasa_url, log, ZALO_MODE="webhook", ZALO_PORT=str(port), ZALO_WEBHOOK_URL=hook, **settings
    )
    return bridge, hook


@pytest.fixture(scope="module")
def zalo_bridge(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    """The bridge in polling mode against a fresh fake Zalo and the real assistant, whose web gateway serves the
    charts (PUBLIC_BASE_URL)."""
    tmp = tmp_path_factory.mktemp("zalo")
    with FakeZalo() as fake:
        bridge = start_bridge(fake, assistant.rasa_url, tmp / "bridge.log", PUBLIC_BASE_URL=assistant.web_url)
        try:
            yield bridge
        finally:
            bridge.stop()
