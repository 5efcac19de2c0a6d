"""Fixtures shared by the test suite: the real assistant, started once per session as `make run` starts it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Assistant:
    """A running assistant (Rasa server, action server, web gateway) started by scripts/run.py."""

    rasa_url: str
    action_url: str
    web_url: str
    data_dir: Path
    knowledge_dir: Path
    log: Path

    def say(self, message: str, sender: str = "tester") -> list[dict]:
        """Send one message over the REST channel and return the bot's replies."""
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def texts(self, message: str, sender: str = "tester") -> list[str]:
        """The text of each reply to `message`."""
        return [reply.get("text", "") for reply in self.say(message, sender)]


def _start(tmp: Path, knowledge_dir: Path) -> tuple[subprocess.Popen[bytes], dict[str, str], Path]:
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "WEB_PORT": free_port()}
    env = {
        **os.environ,
        **{k: str(v) for k, v in ports.items()},
        "DATA_DIR": str(tmp),
        "KNOWLEDGE_DIR": str(knowledge_dir),
        "DATABASE_URL": f"sqlite:///{tmp / 'knowledge.db'}",
        "TELEGRAM_TOKEN": "",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("RASA_URL", None)
    env.pop("ACTION_SERVER_URL", None)
    log = tmp / "run.log"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run.py")],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return process, {k: str(v) for k, v in ports.items()}, log


def _wait_ready(process: subprocess.Popen[bytes], log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if "run: ready" in text:
            return
        if process.poll() is not None:
            raise RuntimeError(f"the assistant did not start:\n{text[-3000:]}")
        time.sleep(0.5)
    raise RuntimeError(f"the assistant was not ready in {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """The whole assistant, running on free ports, with a copy of the knowledge it may change."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "train.py")], cwd=ROOT, check=True)
    tmp = tmp_path_factory.mktemp("assistant")
    knowledge_dir = tmp / "knowledge"
    subprocess.run(["cp", "-r", str(ROOT / "knowledge"), str(knowledge_dir)], check=True)
    process, ports, log = _start(tmp, knowledge_dir)
    try:
        _wait_ready(process, log)
        yield Assistant(
            rasa_url=f"http://127.0.0.1:{ports['RASA_PORT']}",
            action_url=f"http://127.0.0.1:{ports['ACTION_PORT']}",
            web_url=f"http://127.0.0.1:{ports['WEB_PORT']}",
            data_dir=tmp,
            knowledge_dir=knowledge_dir,
            log=log,
        )
    finally:
        _stop(process)
