"""Fixtures for the answering tests: the project's knowledge, loaded as the action server loads it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from assistant.answering.common import Knowledge
from assistant.answering.dispatch import answer, build_question
from assistant.answering.model import Reply
from assistant.settings import Settings
from assistant.state import KnowledgeState

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="session")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    """The knowledge of knowledge/, loaded into a fresh SQLite database."""
    db = tmp_path_factory.mktemp("kb") / "knowledge.db"
    settings = dataclasses.replace(
        Settings.from_env(), knowledge_dir=ROOT / "knowledge", database_url=f"sqlite:///{db}"
    )
    return KnowledgeState(settings).current()


AskFn = Callable[..., Reply]


@pytest.fixture
def ask(knowledge: Knowledge) -> AskFn:
    """Ask one question: ask(intent, text, language='vi', entities=[], **slots) -> Reply."""

    def _ask(
        intent: str, text: str, language: str = "vi", entities: list | None = None, **slots: object
    ) -> Reply:
        question = build_question(
            knowledge, intent, text, entities or [], {"language": language, **slots}, TODAY
        )
        return answer(knowledge, question)

    return _ask


def said(reply: Reply) -> str:
    """All the text of a reply."""
    return "\n".join(m.text for m in reply.messages if m.text)


def buttons(reply: Reply) -> list[str]:
    """The titles of every button of a reply."""
    return [b["title"] for m in reply.messages for b in m.buttons]
