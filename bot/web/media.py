"""The files answers point to on the web gateway: statistics charts (/charts/<key>.png) and event calendars
(/events/<id>.ics), made from the knowledge in force.

The knowledge is read, never written: the snapshot the action server loaded into the database (so a chart
shows the figures the answers give), or the knowledge folder itself when nothing was loaded yet. It is
re-read when the loaded content or the wording file changes. Rendered charts are kept in a small LRU cache.
Every method blocks (database, matplotlib): the gateway calls them in a worker thread.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path

import yaml
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from actions.answering.charts import describe, parse_key, render_chart
from actions.answering.common import Knowledge
from actions.answering.ics import event_calendar, find_event
from actions.answering.wording import WORDING_FILE, Wording, WordingError
from actions.kb.load import loaded_meta
from actions.kb.models import make_sessionmaker
from actions.kb.search import KnowledgeBase
from actions.settings import Settings
from actions.state import make_knowledge

logger = logging.getLogger(__name__)

CHART_CACHE_SIZE = 32


def _files_signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    files = sorted(p for p in folder.rglob("*.yml") if p.is_file())
    return tuple((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


class KnowledgeFiles:
    """Charts and calendar files from the knowledge in force (read-only)."""

    def __init__(self, settings: Settings, cache_size: int = CHART_CACHE_SIZE) -> None:
        self._settings = settings
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()  # one matplotlib render at a time
        self._sessions: sessionmaker | None = None
        self._knowledge: Knowledge | None = None
        self._version: tuple[object, ...] | None = None
        self._charts: OrderedDict[tuple[object, ...], bytes] = OrderedDict()

    def _loaded_hash(self) -> str | None:
        """The content hash of the knowledge the action server loaded (None: none loaded, or no database)."""
        try:
            if self._sessions is None:
                self._sessions = make_sessionmaker(self._settings.database_url)
            with self._sessions.begin() as session:
                meta = loaded_meta(session)
        except SQLAlchemyError as error:
            logger.warning(
                "knowledge database unavailable (%s); reading the knowledge folder", type(error).__name__
            )
            return None
        return meta.content_hash if meta else None

    def knowledge(self) -> tuple[Knowledge, tuple[object, ...]]:
        """The knowledge in force and its version (changes whenever the content or the wording changes)."""
        folder = self._settings.knowledge_dir
        with self._lock:
            loaded = self._loaded_hash()
            wording_file = folder / WORDING_FILE
            stat = wording_file.stat()
            content: object = ("db", loaded) if loaded else ("dir", _files_signature(folder))
            version = (content, stat.st_size, stat.st_mtime_ns)
            if self._knowledge is None or version != self._version:
                if loaded:
                    assert self._sessions is not None
                    with self._sessions.begin() as session:
                        kb = KnowledgeBase.from_session(session)
                else:
                    kb = KnowledgeBase.from_dir(folder)
                try:
                    wording = Wording.from_dir(folder)
                except (OSError, WordingError, yaml.YAMLError):
                    if self._knowledge is None:
                        raise
                    logger.exception("wording file refused; keeping the last good wording")
                    wording = self._knowledge.wording
                self._knowledge, self._version = make_knowledge(kb, wording), version
            return self._knowledge, version

    def chart_png(self, key: str) -> bytes | None:
        """The PNG of the chart `key` (see actions/answering/charts.py), or None when there is no such chart."""
        spec = parse_key(key)
        if spec is None:
            return None
        knowledge, version = self.knowledge()
        cache_key = (version, key)
        with self._lock:
            cached = self._charts.get(cache_key)
            if cached is not None:
                self._charts.move_to_end(cache_key)
                return cached
        chart = describe(knowledge, spec)
        if chart is None:
            return None
        with self._render_lock:
            png = render_chart(knowledge, chart)
        with self._lock:
            self._charts[cache_key] = png
            while len(self._charts) > self._cache_size:
                self._charts.popitem(last=False)
        return png

    def event_ics(self, event_id: str, language: str) -> str | None:
        """The .ics text of the event `event_id` in `language`, or None when the knowledge has no such event."""
        knowledge, _ = self.knowledge()
        event = find_event(knowledge, event_id)
        if event is None:
            return None
        return event_calendar(knowledge, event, language, datetime.now(timezone.utc))
