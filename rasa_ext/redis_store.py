"""Conversations in Redis for a Rasa server with several Sanic workers (RASA_WORKERS, endpoints.workers.yml).

Each Sanic worker is a process of its own, and any of them may get a conversation's next message, so they must
share the conversations: Rasa's RedisTrackerStore does, but it takes the Redis host, port and database as
separate settings. This one takes the same redis:// URL as the lock store (LOCK_STORE_URL), so one setting says
where both live, and it refuses a key prefix Rasa would silently replace by its shared default.
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain

from rasa_ext.lock_store import redis_options


class RedisUrlTrackerStore(RedisTrackerStore):
    """Rasa's RedisTrackerStore, configured by a redis://[user[:password]@]host[:port][/db] URL."""

    def __init__(
        self,
        domain: Domain,
        host: str = "",
        event_broker: Any = None,
        key_prefix: str | None = None,
        **kwargs: Any,
    ) -> None:
        if key_prefix and not str(key_prefix).isalnum():
            raise ValueError(
                f"the tracker store's key_prefix must be letters and digits only, not {key_prefix!r}"
            )
        options = {**redis_options(host or ""), **kwargs}
        prefix = str(key_prefix) if key_prefix else None
        super().__init__(domain, event_broker=event_broker, key_prefix=prefix, **options)
