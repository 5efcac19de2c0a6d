"""The knowledge in force in the action server, loaded on first use and swapped whole on reload.

Reloading validates the folder, loads it into the database in one transaction, builds a new snapshot and only
then swaps it in: an invalid change is refused (its problems kept for the status endpoint) and the last good
knowledge keeps serving. Readers take one reference to the snapshot, so no answer sees half a reload.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from assistant.answering.common import Knowledge
from assistant.answering.vocabulary import Vocabulary
from assistant.answering.wording import Wording, WordingError
from assistant.kb import schema
from assistant.kb.documents import read_documents
from assistant.kb.errors import KnowledgeError, Problem
from assistant.kb.index import RetrievalIndex
from assistant.kb.lexicon import learn_pairs
from assistant.kb.load import load
from assistant.kb.models import make_sessionmaker
from assistant.kb.schema import WORDING_FILE
from assistant.kb.search import KnowledgeBase
from assistant.kb.validate import validate_dir
from assistant.language import Language
from assistant.settings import Settings, get_settings

logger = logging.getLogger(__name__)


def folder_signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the knowledge files (YAML and documents): changes when a file is
    saved."""
    files = sorted(p for p in [*folder.rglob("*.yml"), *folder.rglob("*.md")] if p.is_file())
    return tuple((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


@dataclass
class ReloadStatus:
    """What the last reload did: when, whether it was applied, and the problems that refused it."""

    loaded_at: float = 0.0
    content_hash: str | None = None
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    last_checked: float = 0.0


class KnowledgeState:
    """Holds the current Knowledge; reload() replaces it only with valid knowledge."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings or get_settings()
        self._lock = threading.Lock()
        self._knowledge: Knowledge | None = None
        self._sessions: sessionmaker | None = None
        self.status = ReloadStatus()

    @property
    def knowledge_dir(self) -> Path:
        return self._settings.knowledge_dir

    @property
    def database_url(self) -> str:
        return self._settings.database_url

    def sessions(self) -> sessionmaker:
        """The sessionmaker of the knowledge database (created on first use)."""
        if self._sessions is None:
            self._sessions = make_sessionmaker(self._settings.database_url)
        return self._sessions

    def current(self) -> Knowledge:
        """The knowledge in force (loaded on first use)."""
        knowledge = self._knowledge
        if knowledge is None:
            self.reload()
            knowledge = self._knowledge
            if knowledge is None:
                raise KnowledgeError("no valid knowledge could be loaded: " + "; ".join(self.status.problems))
        return knowledge

    def reload(self) -> bool:
        """Validate and load the knowledge folder; True when new knowledge was swapped in."""
        with self._lock:
            self.status.last_checked = time.time()
            topics, problems = validate_dir(self.knowledge_dir)
            messages = [_problem_text(p) for p in problems]
            wording = None
            if not any(problem.file.endswith(WORDING_FILE) for problem in problems):  # else reported above
                try:
                    wording = Wording.from_dir(self.knowledge_dir)
                except (OSError, WordingError) as error:
                    messages.append(str(error))
            if messages or wording is None:
                self.status.problems = messages
                logger.error(
                    "knowledge not reloaded: %d problem(s): %s", len(messages), "; ".join(messages[:5])
                )
                return False
            with self.sessions().begin() as session:
                result = load(session, topics)
            kb = KnowledgeBase(topics, content_hash=result.content_hash)
            changed = self._knowledge is None or self._knowledge.kb.content_hash != kb.content_hash
            self._knowledge = make_knowledge(kb, wording, self.knowledge_dir)
            self.status = ReloadStatus(
                loaded_at=time.time(), content_hash=kb.content_hash, entries=len(kb), last_checked=time.time()
            )
            logger.info(
                "knowledge %s: %d entries (%s)",
                "loaded" if changed else "unchanged",
                len(kb),
                kb.content_hash,
            )
            return changed


def make_knowledge(kb: KnowledgeBase, wording: Wording, folder: Path | None = None) -> Knowledge:
    """The Knowledge of a snapshot and a wording, with the metric and pillar vocabulary of the NLU, and the
    source documents and language tables of the (already validated) knowledge `folder`."""
    values = {
        "metric": set(schema.TOPIC_FIELDS["tourism_statistics"]["metric"].removeprefix("enum:").split("|")),
        "pillar": {"overall", "digital_government", "digital_economy", "digital_society"},
    }
    documents = read_documents(folder) if folder is not None else ()
    entries = [entry for topic in kb.topics() for entry in kb.entries(topic)]
    language = (Language.from_dir(folder) if folder is not None else Language()).with_learned(
        learn_pairs(entries)
    )
    index = RetrievalIndex(entries, documents, language.read_source)
    return Knowledge(kb, wording, Vocabulary.load(values=values), documents, language, index)


def _problem_text(problem: Problem) -> str:
    return str(problem)


_STATE: KnowledgeState | None = None


def knowledge_state() -> KnowledgeState:
    """The process's knowledge state (created on first use, never at import)."""
    global _STATE
    if _STATE is None:
        _STATE = KnowledgeState()
    return _STATE
