"""The conversations of a Rasa server with several workers: Rasa's RedisTrackerStore set by a redis:// URL."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.tracker_store import TrackerStore
from rasa.utils.endpoints import read_endpoint_config

from rasa_ext.redis_store import RedisUrlTrackerStore
from tests.scaleout.test_memory_store import ROOT, _conversation, _domain

pytestmark = pytest.mark.redis


def test_a_conversation_saved_by_one_worker_is_read_by_another(redis_url: str, key_prefix: str) -> None:
    domain = _domain()
    first = RedisUrlTrackerStore(domain, host=redis_url, key_prefix=key_prefix)
    second = RedisUrlTrackerStore(domain, host=redis_url, key_prefix=key_prefix)  # another process's store
    tracker = _conversation(domain, "worker-shared", 4)
    asyncio.run(first.save(tracker))
    found = asyncio.run(second.retrieve("worker-shared"))
    assert found is not None
    assert [e.as_dict() for e in found.events] == [e.as_dict() for e in tracker.events]
    assert first.red.exists(f"{key_prefix}:tracker:worker-shared")


def test_endpoints_workers_yml_names_this_store_with_the_lock_store_url(
    redis_url: str, key_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCK_STORE_URL", redis_url)
    monkeypatch.setenv("LOCK_STORE_KEY_PREFIX", key_prefix)
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:9/webhook")
    monkeypatch.setenv("LOCK_LEASE_SECONDS", "10")
    config = read_endpoint_config(str(ROOT / "endpoints.workers.yml"), "tracker_store")
    store = TrackerStore.create(config, _domain())
    assert isinstance(store, RedisUrlTrackerStore)
    assert store.key_prefix == f"{key_prefix}:tracker:"
    assert store.record_exp == 86400  # a day after the last message, then Redis forgets the conversation
    assert store.red.connection_pool.connection_kwargs["db"] == int(redis_url.rsplit("/", 1)[1])


@pytest.mark.parametrize("prefix", ["my-prefix", "a b", "bot:1"])
def test_a_key_prefix_rasa_would_replace_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="letters and digits only"):
        RedisUrlTrackerStore(_domain(), host="redis://127.0.0.1:6379/3", key_prefix=prefix)
