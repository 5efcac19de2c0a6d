"""Make a failing tracker store fail the message, instead of Rasa's silent fallback to the process's memory.

Rasa 3.6 wraps every tracker store in `FailSafeTrackerStore`: when the store cannot read a conversation it
carries on with an empty one, and when it cannot save, it saves into an `InMemoryTrackerStore` of that process.
With the conversations in PostgreSQL (`make run-scaled`) a database outage then means answers without context
("Còn khách quốc tế thì sao?" no longer knows the province), conversations split between processes, and
messages answered but never recorded; a read failing while the save works even drops the message's events,
since Rasa appends only the events beyond those already stored. Here the error is logged and raised instead:
Rasa answers nothing, the channels tell the user the assistant cannot look things up right now, and nothing is
recorded that the database does not hold. Rasa's own hook (`on_tracker_store_error`) does it; with the default
in-memory tracker store (`make run`) nothing ever fails, so nothing changes.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def _raise(error: Exception) -> None:
    logger.error("the tracker store failed, the message is not handled: %s", error)
    raise error


def fail_on_tracker_store_errors() -> None:
    """Make the Rasa agent's tracker store raise its errors (call before Rasa starts)."""
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore, TrackerStore

    def create_tracker_store(store: TrackerStore | None, domain: Any) -> TrackerStore:
        if store is not None:
            store.domain = domain
        else:
            store = InMemoryTrackerStore(domain)
        return FailSafeTrackerStore(store, on_tracker_store_error=_raise)

    Agent._create_tracker_store = staticmethod(create_tracker_store)
