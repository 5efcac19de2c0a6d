"""Properties of the knowledge search on any text (hypothesis): name lookup, mentions, full text (SQLite and
PostgreSQL) and word ranking never raise, return entries of the topics asked for, and an entry's own name,
with or without diacritics, in upper case or decomposed, always finds the entry."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from assistant.answering.retrieval import rank
from assistant.kb import schema
from assistant.kb.entry import Entry
from assistant.kb.load import load
from assistant.kb.models import drop_schema, make_engine
from assistant.kb.search import KnowledgeBase, Match, fulltext
from assistant.kb.validate import load_dir
from assistant.text import fold
from tests.conftest import ROOT
from tests.kb.conftest import VALID

BOUNDED = settings(max_examples=200, deadline=None)
FIXTURE_KB = KnowledgeBase.from_dir(VALID)
TOPICS = tuple(schema.TOPIC_FIELDS)

# Any text, and text made of the words of the knowledge's names with noise, so that searches find things.
_NAME_WORDS = sorted(
    {w for t in FIXTURE_KB.topics() for e in FIXTURE_KB.entries(t) for _, n in e.names() for w in n.split()}
)
texts = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(_NAME_WORDS), st.text(max_size=5)), max_size=12).map(" ".join),
)
topic_choices = st.one_of(st.none(), st.sampled_from(TOPICS), st.lists(st.sampled_from(TOPICS), max_size=3))


def _allowed(topic: str | list[str] | None) -> set[str]:
    return set(TOPICS) if topic is None else {topic} if isinstance(topic, str) else set(topic)


def _real_entries(kb: KnowledgeBase, matches: list[Match], topics: set[str]) -> bool:
    return all(m.topic in topics and kb.get(m.topic, m.entry_id) is not None for m in matches)


@pytest.fixture(scope="module")
def project_kb() -> KnowledgeBase:
    return KnowledgeBase.from_dir(ROOT / "knowledge")


# ---------------------------------------------------------------------------------------------- in memory


@BOUNDED
@given(texts, topic_choices)
def test_resolve_never_raises_and_stays_in_its_topics(text: str, topic: str | list[str] | None) -> None:
    matches = FIXTURE_KB.resolve(text, topic)
    assert _real_entries(FIXTURE_KB, matches, _allowed(topic))
    assert all(0 < m.score <= 1 for m in matches)
    assert matches == FIXTURE_KB.resolve(unicodedata.normalize("NFD", text), topic)


@BOUNDED
@given(texts, topic_choices)
def test_find_in_text_never_raises_and_spans_are_in_the_text(
    text: str, topic: str | list[str] | None
) -> None:
    matches = FIXTURE_KB.find_in_text(text, topic)
    assert _real_entries(FIXTURE_KB, matches, _allowed(topic))
    nfc = unicodedata.normalize("NFC", text)
    starts = []
    for match in matches:
        assert match.span is not None
        start, end = match.span
        assert 0 <= start < end <= len(nfc)
        assert fold(nfc[start:end]).strip()
        starts.append(start)
    assert starts == sorted(starts)


@BOUNDED
@given(texts, topic_choices, st.integers(1, 8))
def test_rank_never_raises_and_stays_in_its_topics(
    text: str, topic: str | list[str] | None, limit: int
) -> None:
    topics = None if topic is None else [topic] if isinstance(topic, str) else topic
    ranked = rank(FIXTURE_KB, text, topics, limit=limit)
    assert len(ranked) <= limit
    assert all(entry.topic in _allowed(topic) and score > 0 for entry, score in ranked)
    assert [score for _, score in ranked] == sorted((score for _, score in ranked), reverse=True)
    where = {"province": "quang-ngai"}
    assert all(entry.get("province") == "quang-ngai" for entry, _ in rank(FIXTURE_KB, text, topics, where))


def _spellings(name: str) -> list[str]:
    """A name as people type it: as written, without diacritics, in upper case, decomposed, padded."""
    return [
        name,
        fold(name),
        name.upper(),
        unicodedata.normalize("NFD", name),
        f"  {name.lower()}  ",
        f"{name}?",
    ]


def _named_entries(kb: KnowledgeBase) -> list[tuple[Entry, str]]:
    return [(e, n) for t in kb.topics() for e in kb.entries(t) for _, n in e.names()]


@BOUNDED
@given(st.data())
def test_an_entrys_own_name_resolves_to_itself(project_kb: KnowledgeBase, data: st.DataObject) -> None:
    for kb in (FIXTURE_KB, project_kb):
        entry, name = data.draw(st.sampled_from(_named_entries(kb)))
        spelling = data.draw(st.sampled_from(_spellings(name)))
        key = (entry.topic, entry.id)
        assert key in [(m.topic, m.entry_id) for m in kb.resolve(spelling, entry.topic)], spelling
        assert key in [(m.topic, m.entry_id) for m in kb.resolve(spelling)], spelling
        assert key in [(m.topic, m.entry_id) for m in kb.find_in_text(spelling, entry.topic)], spelling


# ---------------------------------------------------------------------------------------------- full text


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database holding the fixture knowledge: a SQLite file, or the test database on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fulltext') / 'knowledge.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    with Session(engine, future=True) as session, session.begin():
        load(session, load_dir(VALID))
    try:
        yield engine
    finally:
        with engine.begin() as connection:
            drop_schema(connection)
        engine.dispose()


@BOUNDED
@given(texts, topic_choices, st.integers(0, 6))
def test_fulltext_never_raises_and_stays_in_its_topics(
    loaded: Engine, text: str, topic: str | list[str] | None, limit: int
) -> None:
    with Session(loaded, future=True) as session:
        matches = fulltext(session, text, topic, limit)
    assert len(matches) <= limit
    assert _real_entries(FIXTURE_KB, matches, _allowed(topic))
    assert all(m.via == "fulltext" for m in matches)
