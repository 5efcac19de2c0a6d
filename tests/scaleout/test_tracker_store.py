"""rasa_ext/tracker_store.py: a tracker store that fails makes the message fail, with no fallback to memory."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.agent import Agent
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_ext.tracker_store import fail_on_tracker_store_errors


class DatabaseDown(TrackerStore):
    """A tracker store whose database does not answer."""

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        raise ConnectionRefusedError("the database is down")

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        raise ConnectionRefusedError("the database is down")

    async def save(self, tracker: DialogueStateTracker) -> None:
        raise ConnectionRefusedError("the database is down")

    async def keys(self) -> list[str]:
        raise ConnectionRefusedError("the database is down")


def test_a_failing_tracker_store_is_not_replaced_by_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        Agent, "_create_tracker_store", Agent.__dict__["_create_tracker_store"]
    )  # undone after
    fail_on_tracker_store_errors()
    store = Agent._create_tracker_store(DatabaseDown(Domain.empty()), Domain.empty())
    with pytest.raises(ConnectionRefusedError):
        asyncio.run(store.retrieve("someone"))
    with pytest.raises(ConnectionRefusedError):
        asyncio.run(store.retrieve_full_tracker("someone"))
    with pytest.raises(ConnectionRefusedError):
        asyncio.run(store.save(DialogueStateTracker("someone", [])))


def test_rasas_own_wrapper_would_answer_from_memory() -> None:
    """What the fix is for: without it, Rasa hides the outage behind an empty conversation."""
    store = Agent.__dict__["_create_tracker_store"].__func__(DatabaseDown(Domain.empty()), Domain.empty())
    assert asyncio.run(store.retrieve("someone")) is None  # an empty conversation: the context is gone
    asyncio.run(store.save(DialogueStateTracker("someone", [])))  # saved only in this process's memory
