"""The thin action: reads the tracker, answers from the knowledge, returns the slot events."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import actions
from actions.actions import ActionAnswer, ActionFeedback
from assistant.records import FeedbackRow, UnansweredRow
from assistant.state import KnowledgeState
from tests.actions.conftest import TrackerFn

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def use_test_state(monkeypatch: pytest.MonkeyPatch, state: KnowledgeState) -> None:
    monkeypatch.setattr(actions, "knowledge_state", lambda: state)


async def test_statistic_question_events_and_message(
    dispatcher: CollectingDispatcher, tracker: TrackerFn, domain: dict[str, Any]
) -> None:
    events = await ActionAnswer().run(
        dispatcher, tracker("ask_tourism_stat", "quang ngai don bao nhieu khach nam 2022"), domain
    )
    assert events == [
        SlotSet("province", "quang-ngai"),
        SlotSet("year", "2022"),
        SlotSet("last_intent", "ask_tourism_stat"),
        SlotSet("metric", "visitors"),
        SlotSet("last_entry", "tourism_statistics:qng-2022-visitors"),
    ]
    assert "650.000 lượt" in dispatcher.messages[0]["text"]
    assert [b["title"] for b in dispatcher.messages[-1]["buttons"]][-2:] == ["👍 Hữu ích", "👎 Chưa đúng"]


async def test_follow_up_uses_slots(
    dispatcher: CollectingDispatcher, tracker: TrackerFn, domain: dict[str, Any]
) -> None:
    t = tracker(
        "inform",
        "Còn khách quốc tế thì sao?",
        province="quang-ngai",
        year="2022",
        metric="visitors",
        last_intent="ask_tourism_stat",
    )
    events = await ActionAnswer().run(dispatcher, t, domain)
    assert SlotSet("metric", "international_visitors") in events
    assert "11.000" in dispatcher.messages[0]["text"]


async def test_english_reply(
    dispatcher: CollectingDispatcher, tracker: TrackerFn, domain: dict[str, Any]
) -> None:
    t = tracker("ask_site_location", "where is Thien Mu pagoda", language="en")
    await ActionAnswer().run(dispatcher, t, domain)
    text = next(m["text"] for m in dispatcher.messages if m.get("text"))  # after the venue, when there is one
    assert " is in " in text
    assert "Source:" in text


async def test_buttons_reach_the_dispatcher(
    dispatcher: CollectingDispatcher, tracker: TrackerFn, domain: dict[str, Any]
) -> None:
    await ActionAnswer().run(dispatcher, tracker("ask_tourism_stat", "Doanh thu du lịch Quảng Ngãi?"), domain)
    payloads = [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]
    years = [p for p in payloads if not p.startswith("/feedback")]
    assert years[0] == '/ask_tourism_stat{"province": "quang-ngai", "year": "2021", "metric": "revenue"}'
    assert all(p.startswith('/ask_tourism_stat{"province": "quang-ngai", "year": ') for p in years)
    assert [p.split("{")[0] for p in payloads[len(years) :]] == ["/feedback", "/feedback"]


async def test_nlu_fallback_is_honest_and_recorded_redacted(
    dispatcher: CollectingDispatcher, tracker: TrackerFn, domain: dict[str, Any], state: KnowledgeState
) -> None:
    text = "qwerty asdf, gọi tôi 0905 123 456"
    events = await ActionAnswer().run(dispatcher, tracker("nlu_fallback", text), domain)
    assert events == [SlotSet("last_entry", None)]
    assert dispatcher.messages[0]["text"].startswith("Xin lỗi, tôi chưa có thông tin này")
    with state.sessions().begin() as session:
        stored = session.scalars(select(UnansweredRow.text_redacted)).all()
    assert "qwerty asdf, gọi tôi [số điện thoại]" in stored


async def test_feedback_is_stored_with_its_entry(
    dispatcher: CollectingDispatcher, tracker: TrackerFn, domain: dict[str, Any], state: KnowledgeState
) -> None:
    entities = [
        {"entity": "feedback_value", "value": "wrong"},
        {"entity": "feedback_entry", "value": "heritage_sites:hoi-an-ancient-town"},
    ]
    await ActionFeedback().run(dispatcher, tracker("feedback", "/feedback", entities), domain)
    assert dispatcher.messages[0]["text"].startswith("Cảm ơn bạn!")
    with state.sessions().begin() as session:
        rows = session.execute(select(FeedbackRow.entry, FeedbackRow.value)).all()
    assert ("heritage_sites:hoi-an-ancient-town", "wrong") in rows
