"""Run the Telegram bridge as a user does (`python -m bot.telegram`) against the fake Telegram Bot API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, Assistant, free_port
from tests.telegram.fake_telegram import FakeTelegram

# Settings a developer's environment might hold that would change the bridge under test.
CLEARED = (
    "RASA_TOKEN",
    "TELEGRAM_WEBHOOK_URL",
    "TELEGRAM_WEBHOOK_SECRET",
    "MEDIA_URL",
    "RASA_TIMEOUT",
)


@dataclass
class Bridge:
    """A running bridge process, the fake Telegram it talks to, and its log."""

    process: subprocess.Popen[bytes]
    fake: FakeTelegram
    url: str
    log: Path

    def logs(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        """Stop the bridge as `make run` does (SIGTERM) and return its exit code."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return int(self.process.returncode)


def launch(fake: FakeTelegram, rasa_url: str, log: Path, **settings: str) -> subprocess.Popen[bytes]:
    """Start `python -m bot.telegram` with the fake Telegram's URL and `settings` as environment."""
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    env.update(
        PYTHONPATH=str(ROOT),
        TELEGRAM_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        RASA_URL=rasa_url,
        TELEGRAM_MODE="polling",
        TELEGRAM_HOST="127.0.0.1",
        LOG_LEVEL="DEBUG",
    )
    env.update(settings)
    return subprocess.Popen(
        [sys.executable, "-m", "bot.telegram"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_bridge(fake: FakeTelegram, rasa_url: str, log: Path, **settings: str) -> Bridge:
    """Start the bridge on a free port and wait until its /health answers."""
    port = settings.setdefault("TELEGRAM_PORT", str(free_port()))
    bridge = Bridge(launch(fake, rasa_url, log, **settings), fake, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if bridge.process.poll() is not None:
            raise RuntimeError(f"the bridge exited ({bridge.process.returncode}):\n{bridge.logs()[-3000:]}")
        try:
            if requests.get(f"{bridge.url}/health", timeout=1).status_code == 200:
                return bridge
        except requests.RequestException:
            pass
        time.sleep(0.2)
    bridge.stop()
    raise RuntimeError(f"the bridge did not answer /health in 60 s:\n{bridge.logs()[-3000:]}")


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
