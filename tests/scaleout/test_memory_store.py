"""The default conversation store: Rasa's in-memory store with each conversation compressed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from rasa_ext.memory_store import CompressedInMemoryTrackerStore, CompressedTexts

ROOT = Path(__file__).resolve().parents[2]


def _domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def _conversation(domain: Domain, sender: str, turns: int) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, domain.slots)
    for turn in range(turns):
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(
            UserUttered(
                f"Đại Nội ở đâu? {turn}",
                {"name": "ask_site_location", "confidence": 0.99},
                [{"entity": "site", "value": "hue-imperial-city", "start": 0, "end": 7}],
            )
        )
        tracker.update(SlotSet("site", "hue-imperial-city"))
        tracker.update(ActionExecuted("action_answer"))
    return tracker


def test_conversations_come_back_as_they_were_saved() -> None:
    domain = _domain()
    store = CompressedInMemoryTrackerStore(domain)
    plain = InMemoryTrackerStore(domain)

    async def run() -> None:
        for sender in ("a", "b"):
            tracker = _conversation(domain, sender, 6)
            await store.save(tracker)
            await plain.save(tracker)
        for sender in ("a", "b"):
            got, expected = await store.retrieve(sender), await plain.retrieve(sender)
            assert got is not None and expected is not None
            assert got.current_state() == expected.current_state()
            assert got.get_slot("site") == "hue-imperial-city"
        assert await store.retrieve("nobody") is None
        assert set(await store.keys()) == {"a", "b"}

    asyncio.run(run())


def test_conversations_take_a_fraction_of_the_memory() -> None:
    domain = _domain()
    store = CompressedInMemoryTrackerStore(domain)
    plain = InMemoryTrackerStore(domain)

    async def run() -> None:
        for number in range(20):
            tracker = _conversation(domain, f"user{number}", 6)
            await store.save(tracker)
            await plain.save(tracker)

    asyncio.run(run())
    texts = store.store
    assert isinstance(texts, CompressedTexts)
    plain_bytes = sum(len(text.encode("utf-8")) for text in plain.store.values())
    assert texts.stored_bytes() * 3 < plain_bytes
    assert texts["user3"] == plain.store["user3"]


def test_the_default_endpoints_use_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    assert endpoints["tracker_store"]["type"] == "rasa_ext.memory_store.CompressedInMemoryTrackerStore"
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store")
    store = TrackerStore.create(config, _domain())
    assert isinstance(store, CompressedInMemoryTrackerStore) or isinstance(
        getattr(store, "_tracker_store", None), CompressedInMemoryTrackerStore
    )
