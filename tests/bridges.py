"""Run a chat bridge as a user does (`python -m bot.telegram`, `python -m bot.zalo`) against a fake Bot API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests.conftest import ROOT, free_port

# Settings a developer's environment might hold that would change a bridge under test.
CLEARED = (
    "RASA_TOKEN",
    "MEDIA_URL",
    "PUBLIC_BASE_URL",
    "RASA_TIMEOUT",
    "TELEGRAM_WEBHOOK_URL",
    "TELEGRAM_WEBHOOK_SECRET",
    "ZALO_WEBHOOK_URL",
    "ZALO_WEBHOOK_SECRET",
    "ZALO_CHOICE_SECONDS",
)


@dataclass
class Bridge:
    """A running bridge process, the fake platform it talks to, and its log."""

    process: subprocess.Popen[bytes]
    fake: Any
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


def launch_module(module: str, log: Path, **settings: str) -> subprocess.Popen[bytes]:
    """Start `python -m module` from the project root with `settings` as environment, logging at DEBUG."""
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    env.update(PYTHONPATH=str(ROOT), LOG_LEVEL="DEBUG")
    env.update(settings)
    return subprocess.Popen(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(bridge: Bridge, timeout: float = 60) -> Bridge:
    """Wait until the bridge's /health answers; stop it and raise when it does not."""
    deadline = time.monotonic() + timeout
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
    raise RuntimeError(f"the bridge did not answer /health in {timeout:.0f} s:\n{bridge.logs()[-3000:]}")


def start_bridge_with(
    launch: Callable[..., subprocess.Popen[bytes]],
    port_setting: str,
    fake: Any,
    rasa_url: str,
    log: Path,
    **settings: str,
) -> Bridge:
    """Start a bridge with `launch` on a free port (unless `settings` names one in `port_setting`) and wait until
    its /health answers."""
    port = settings.setdefault(port_setting, str(free_port()))
    return wait_healthy(
        Bridge(launch(fake, rasa_url, log, **settings), fake, f"http://127.0.0.1:{port}", log)
    )
