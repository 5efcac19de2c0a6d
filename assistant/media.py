"""The files answers point to: statistics charts (`/charts/<key>.png`) and event calendars (`/events/<id>.ics`).

They are made from the knowledge in force in the process that holds it (the action server), so a chart shows
the figures the answers give. Channels only relay the paths (the web gateway) or fetch them (Telegram).
Rendered charts are kept in a small LRU cache, emptied when the knowledge is swapped. Every method blocks
(matplotlib): the server calls them in a worker thread.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timezone

from assistant.answering.charts import describe, parse_key, render_chart
from assistant.answering.common import Knowledge
from assistant.answering.ics import event_calendar, find_event

CHART_CACHE_SIZE = 32

# The file names of the two routes; what is inside is checked against the knowledge.
CHART_FILE = re.compile(r"([a-z0-9_-]{1,120})\.png")
EVENT_FILE = re.compile(r"([a-z0-9-]{1,120})\.ics")


class MediaFiles:
    """Charts and calendar files of the knowledge that `current()` returns (read-only)."""

    def __init__(self, current: Callable[[], Knowledge], cache_size: int = CHART_CACHE_SIZE) -> None:
        self._current = current
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()  # one matplotlib render at a time
        self._cached_for: Knowledge | None = None
        self._charts: OrderedDict[str, bytes] = OrderedDict()

    def _knowledge(self) -> Knowledge:
        knowledge = self._current()
        with self._lock:
            if knowledge is not self._cached_for:
                self._charts.clear()
                self._cached_for = knowledge
        return knowledge

    def chart_png(self, key: str) -> bytes | None:
        """The PNG of the chart `key` (see assistant/answering/charts.py), or None when there is no such chart."""
        spec = parse_key(key)
        if spec is None:
            return None
        knowledge = self._knowledge()
        with self._lock:
            cached = self._charts.get(key)
            if cached is not None:
                self._charts.move_to_end(key)
                return cached
        chart = describe(knowledge, spec)
        if chart is None:
            return None
        with self._render_lock:
            png = render_chart(knowledge, chart)
        with self._lock:
            if knowledge is self._cached_for:
                self._charts[key] = png
                while len(self._charts) > self._cache_size:
                    self._charts.popitem(last=False)
        return png

    def event_ics(self, event_id: str, language: str) -> str | None:
        """The .ics text of the event `event_id` in `language`, or None when the knowledge has no such event."""
        knowledge = self._knowledge()
        event = find_event(knowledge, event_id)
        if event is None:
            return None
        return event_calendar(knowledge, event, language, datetime.now(timezone.utc))

    def cached_charts(self) -> int:
        """How many rendered charts are kept."""
        with self._lock:
            return len(self._charts)
