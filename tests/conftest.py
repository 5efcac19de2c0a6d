"""Fixtures shared by the test suite: the real assistant, started once per session as `make run` starts it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from runtime.harness import ROOT, free_port, running_assistant

__all__ = ["ROOT", "Assistant", "free_port"]

# The session's assistant runs as in production: Rasa's HTTP API needs RASA_TOKEN, the gateway signs sessions
# with WEB_SECRET. Both are recognisable so that tests can prove they never reach a log.
RASA_TOKEN = "test-rasa-token-3f9c2a7e51d84b06"
WEB_SECRET = "test-web-secret-8d41e0b2c97f4a63a5e1"


@dataclass
class Assistant:
    """A running assistant (Rasa server, action server, web gateway) started by runtime/supervisor.py."""

    rasa_url: str
    action_url: str
    web_url: str
    data_dir: Path
    knowledge_dir: Path
    log: Path
    rasa_token: str = ""
    console_url: str = ""  # the staff console (console/), started with the rest

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


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """The whole assistant, running on free ports, with a copy of the knowledge it may change."""
    env = {"TODAY": "2026-11-23", "RASA_TOKEN": RASA_TOKEN, "WEB_SECRET": WEB_SECRET}
    with running_assistant(tmp_path_factory.mktemp("assistant"), env=env) as running:
        yield Assistant(
            rasa_url=running.rasa_url,
            action_url=running.action_url,
            web_url=running.web_url,
            data_dir=running.data_dir,
            knowledge_dir=running.knowledge_dir,
            log=running.log,
            rasa_token=RASA_TOKEN,
            console_url=running.console_url,
        )
