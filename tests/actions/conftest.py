"""Fixtures for the Rasa action tests: dispatcher, domain and a tracker builder."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.settings import Settings
from assistant.state import KnowledgeState

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    """Collects what an action says."""
    return CollectingDispatcher()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The project's domain.yml."""
    with (ROOT / "domain.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="session")
def state(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeState:
    """A knowledge state over knowledge/ with its own SQLite database."""
    db = tmp_path_factory.mktemp("kb") / "knowledge.db"
    settings = dataclasses.replace(
        Settings.from_env(),
        knowledge_dir=ROOT / "knowledge",
        database_url=f"sqlite:///{db}",
        today="2026-11-23",
    )
    knowledge_state = KnowledgeState(settings)
    knowledge_state.current()
    return knowledge_state


TrackerFn = Callable[..., Tracker]


@pytest.fixture
def tracker() -> TrackerFn:
    """Build a tracker whose latest message is `text` classified as `intent`, with `slots`."""

    def _tracker(
        intent: str, text: str, entities: list[dict[str, Any]] | None = None, **slots: Any
    ) -> Tracker:
        latest = {
            "text": text,
            "original_text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": entities or [],
        }
        return Tracker("test-user", {"language": "vi", **slots}, latest, [], False, None, {}, "action_listen")

    return _tracker
