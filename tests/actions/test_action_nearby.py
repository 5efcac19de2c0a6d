"""action_answer with a shared location: the location lands in the slots only when valid, and is never recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import inspect, select

from actions import actions
from actions.actions import ActionAnswer
from assistant.records import UnansweredRow
from assistant.state import KnowledgeState
from tests.actions.conftest import TrackerFn
from tests.answering.nearby_support import nearby_state

pytestmark = pytest.mark.anyio
PAYLOAD = '/share_location{"latitude": 16.4637, "longitude": 107.5909}'
ENTITIES = [{"entity": "latitude", "value": 16.4637}, {"entity": "longitude", "value": 107.5909}]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeState:
    return nearby_state(tmp_path_factory.mktemp("nearby-actions"))


@pytest.fixture(autouse=True)
def use_test_state(monkeypatch: pytest.MonkeyPatch, state: KnowledgeState) -> None:
    monkeypatch.setattr(actions, "knowledge_state", lambda: state)


def unanswered(state: KnowledgeState) -> list[str]:
    with state.sessions().begin() as session:
        if not inspect(session.connection()).has_table(UnansweredRow.__tablename__):
            return []
        return list(session.scalars(select(UnansweredRow.text_redacted)))


async def test_shared_location_is_stored_in_the_slots(
    dispatcher: CollectingDispatcher, tracker: TrackerFn, domain: dict[str, Any], state: KnowledgeState
) -> None:
    events = await ActionAnswer().run(dispatcher, tracker("share_location", PAYLOAD, ENTITIES), domain)
    assert SlotSet("latitude", 16.4637) in events and SlotSet("longitude", 107.5909) in events
    assert SlotSet("last_intent", "ask_nearby") in events
    assert dispatcher.messages[1]["custom"]["title"] == "1. Hoàng thành Huế"
    assert unanswered(state) == []


async def test_nearby_uses_the_location_in_the_slots(
    dispatcher: CollectingDispatcher, tracker: TrackerFn, domain: dict[str, Any]
) -> None:
    t = tracker("ask_nearby", "gần đây có di tích nào", latitude=16.4637, longitude=107.5909)
    events = await ActionAnswer().run(dispatcher, t, domain)
    assert dispatcher.messages[1]["custom"]["title"] == "1. Hoàng thành Huế"
    assert not any(e["name"] in ("latitude", "longitude") for e in events)


async def test_without_a_location_the_assistant_asks_for_it(
    dispatcher: CollectingDispatcher, tracker: TrackerFn, domain: dict[str, Any]
) -> None:
    await ActionAnswer().run(dispatcher, tracker("ask_nearby", "What's near me?", language="en"), domain)
    assert dispatcher.messages[0]["text"].startswith("Please share your current location")
    assert dispatcher.messages[1]["custom"] == {"type": "location_request"}


async def test_a_bad_location_is_refused_and_not_stored(
    dispatcher: CollectingDispatcher, tracker: TrackerFn, domain: dict[str, Any], state: KnowledgeState
) -> None:
    entities = [{"entity": "latitude", "value": 1000}, {"entity": "longitude", "value": "x"}]
    t = tracker("share_location", '/share_location{"latitude": 1000, "longitude": "x"}', entities)
    events = await ActionAnswer().run(dispatcher, t, domain)
    assert dispatcher.messages[0]["text"].startswith("Xin lỗi, tôi không đọc được vị trí này")
    assert dispatcher.messages[1]["custom"] == {"type": "location_request"}
    assert not any(e["name"] in ("latitude", "longitude") for e in events)
    assert unanswered(state) == []


def test_domain_declares_the_location(domain: dict[str, Any]) -> None:
    assert {"ask_nearby", "share_location"} <= set(domain["intents"])
    assert {"latitude", "longitude"} <= set(domain["entities"])
    for slot in ("latitude", "longitude"):
        # written by action_answer once checked, never straight from the message
        assert domain["slots"][slot]["mappings"] == [{"type": "custom"}]


def test_fixture_has_coordinates(tmp_path: Path) -> None:
    assert nearby_state(tmp_path).current().kb.get("heritage_sites", "hue-imperial-city")["coordinates"]
