"""The speed fixes rasa_ext/server.py applies to Rasa keep Rasa's behaviour: same classes, same errors, same
predictions."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events
from rasa.shared.utils.common import all_subclasses

from rasa_ext import server as rasa_server
from runtime.train import model_path
from scripts.bench.loadgen import ASSISTANT_SCRIPTS


@pytest.fixture
def patched_events() -> Iterator[Any]:
    original = events.Event.__dict__["resolve_by_type"]
    rasa_server.cache_event_types()
    try:
        yield events.Event.resolve_by_type
    finally:
        events.Event.resolve_by_type = original  # type: ignore[method-assign]


def _rasa_first_match(type_name: str) -> Any:
    return next(cls for cls in all_subclasses(events.Event) if cls.type_name == type_name)


def test_every_event_type_resolves_to_the_class_rasa_picks(patched_events: Any) -> None:
    names = {cls.type_name for cls in all_subclasses(events.Event)}
    assert {"user", "bot", "action", "slot", "session_started"} <= names
    for name in names:
        assert patched_events(name) is _rasa_first_match(name)


def test_stored_events_come_back_as_the_same_events(patched_events: Any) -> None:
    stored = [
        events.ActionExecuted("action_listen").as_dict(),
        events.UserUttered("Đại Nội ở đâu?", {"name": "ask_site_location", "confidence": 0.9}).as_dict(),
        events.SlotSet("site", "hue-imperial-city").as_dict(),
        events.BotUttered("Ở Huế.").as_dict(),
    ]
    restored = events.deserialise_events(stored)
    assert [type(e) for e in restored] == [
        events.ActionExecuted,
        events.UserUttered,
        events.SlotSet,
        events.BotUttered,
    ]
    assert [e.as_dict() for e in restored] == stored


def test_unknown_names_keep_rasas_answers(patched_events: Any) -> None:
    assert patched_events("no_such_event", events.SlotSet) is events.SlotSet
    assert patched_events("topic") is None
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        patched_events("no_such_event")


def test_an_event_class_defined_later_is_found(patched_events: Any) -> None:
    assert patched_events("user") is events.UserUttered  # fills the cache

    class LateEvent(events.Event):  # a custom event imported after the first lookups
        type_name = "late_event_for_test"

        def as_story_string(self) -> str:
            return ""

        def __hash__(self) -> int:
            return 0

        def __eq__(self, other: object) -> bool:
            return isinstance(other, LateEvent)

    assert patched_events("late_event_for_test") is LateEvent


def test_action_replies_are_checked_with_rasas_schema_and_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    rasa_server.cache_action_reply_validation()
    action = RemoteAction("action_answer", None)
    assert action._validate_action_result({"events": [], "responses": [{"text": "Xin chào"}]})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list", "responses": []})


def _parse_all(messages: list[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path()))

    async def parse() -> list[dict[str, Any]]:
        return [await agent.parse_message(text) for text in messages]

    return asyncio.run(parse())


def test_a_model_built_by_predicting_predicts_what_rasas_build_does(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.utils.tensorflow.models import RasaModel

    messages = [text for script in ASSISTANT_SCRIPTS for text in script]
    messages += ["hue co bao nhieu di tich", "Where is Hội An?", "dịch vụ công trực tuyến", "asdfgh"]
    stock = _parse_all(messages)
    monkeypatch.setattr(RasaModel, "load", RasaModel.__dict__["load"])  # restored after the test
    rasa_server.build_models_for_prediction()
    fast = _parse_all(messages)
    for before, after in zip(stock, fast, strict=True):
        assert after["intent"]["name"] == before["intent"]["name"], before["text"]
        assert after["intent"]["confidence"] == pytest.approx(before["intent"]["confidence"], abs=1e-5)
        assert [(e["entity"], e.get("value"), e["start"], e["end"]) for e in after["entities"]] == [
            (e["entity"], e.get("value"), e["start"], e["end"]) for e in before["entities"]
        ], before["text"]
    assert {p["intent"]["name"] for p in stock} >= {"greet", "ask_site_location", "ask_tourism_stat"}
