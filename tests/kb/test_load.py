"""Loading into SQLite and PostgreSQL: one transaction, idempotent, a failure keeps the previous knowledge."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from assistant.kb import load as load_module
from assistant.kb.entry import Entry
from assistant.kb.load import content_hash, load, loaded_meta, read_entries
from assistant.kb.models import AliasRow, EntryRow, make_engine, make_sessionmaker
from assistant.kb.validate import load_dir
from tests.kb.conftest import knowledge_copy


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _snapshot(engine: Engine) -> list[tuple]:
    with Session(engine, future=True) as session:
        rows = session.execute(select(EntryRow).order_by(EntryRow.topic, EntryRow.entry_id)).scalars()
        return [
            (r.topic, r.entry_id, r.province, r.name_vi, r.search_names, r.data, r.file, r.line) for r in rows
        ]


def test_load_and_read_back(engine: Engine, knowledge_dir: Path) -> None:
    topics = load_dir(knowledge_dir)
    with Session(engine, future=True) as session, session.begin():
        result = load(session, topics)
    assert result.changed and result.entry_count == 24
    assert result.content_hash == content_hash(topics)
    with Session(engine, future=True) as session:
        assert read_entries(session) == topics
        row = session.get(EntryRow, ("heritage_sites", "hue-imperial-city"))
        assert row is not None
        assert (row.province, row.name_vi, row.file, row.line) == (
            "thua-thien-hue",
            "Hoàng thành Huế",
            "knowledge/heritage_sites.yml",
            19,
        )
        assert "hoang thanh hue" in row.search_names and "dai noi" in row.search_names
        assert "tuong thanh" in row.search_body and "palace" in row.search_body
        assert row.data["coordinates"]["lon"] == 107.0
        alias = session.get(AliasRow, ("dai noi", "heritage_sites", "hue-imperial-city"))
        assert alias is not None and alias.kind == "alias"
        meta = loaded_meta(session)
        assert meta is not None and meta.content_hash == result.content_hash and meta.entry_count == 24


def test_loading_the_same_content_twice_changes_nothing(engine: Engine, knowledge_dir: Path) -> None:
    topics = load_dir(knowledge_dir)
    with Session(engine, future=True) as session, session.begin():
        load(session, topics)
    before = _snapshot(engine)
    with Session(engine, future=True) as session:
        first = loaded_meta(session)
    with Session(engine, future=True) as session, session.begin():
        again = load(session, load_dir(knowledge_dir))
    assert not again.changed
    with Session(engine, future=True) as session:
        assert loaded_meta(session) == first  # not even the load time moved
        assert _count(session, EntryRow) == 24
    assert _snapshot(engine) == before


def test_reload_replaces_the_knowledge(engine: Engine, tmp_path: Path) -> None:
    with Session(engine, future=True) as session, session.begin():
        load(session, load_dir(knowledge_copy(tmp_path / "a")))
    folder = knowledge_copy(tmp_path / "b")
    (folder / "administrative_changes.yml").unlink()
    text = (folder / "provinces.yml").read_text(encoding="utf-8").replace("TT Huế", "Cố đô")
    (folder / "provinces.yml").write_text(text, encoding="utf-8")
    with Session(engine, future=True) as session, session.begin():
        result = load(session, load_dir(folder))
    assert result.changed and result.entry_count == 23
    with Session(engine, future=True) as session:
        assert read_entries(session)["administrative_changes"] == []
        assert session.get(AliasRow, ("tt hue", "provinces", "thua-thien-hue")) is None
        assert session.get(AliasRow, ("co do", "provinces", "thua-thien-hue")) is not None
        assert _count(session, AliasRow) == len(
            {(a.alias, a.topic, a.entry_id) for a in session.scalars(select(AliasRow))}
        )


def test_a_failed_load_keeps_the_previous_knowledge(engine: Engine, tmp_path: Path) -> None:
    topics = load_dir(knowledge_copy(tmp_path / "a"))
    with Session(engine, future=True) as session, session.begin():
        load(session, topics)
    before = _snapshot(engine)
    with Session(engine, future=True) as session:
        meta = loaded_meta(session)
    # The same id twice: the database refuses the second row after the old rows were deleted.
    clash = Entry("provinces", "quang-ngai", topics["provinces"][1].to_json(), "knowledge/provinces.yml", 99)
    broken = {**topics, "provinces": [*topics["provinces"], clash]}
    with pytest.raises(Exception), Session(engine, future=True) as session, session.begin():  # noqa: B017
        load(session, broken)
    assert _snapshot(engine) == before
    with Session(engine, future=True) as session:
        assert loaded_meta(session) == meta


def test_a_failure_after_the_rows_are_written_rolls_back(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine, future=True) as session, session.begin():
        load(session, load_dir(knowledge_copy(tmp_path / "a")))
    before = _snapshot(engine)
    folder = knowledge_copy(tmp_path / "b")
    (folder / "events.yml").unlink()

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(load_module, "datetime", type("Broken", (), {"now": staticmethod(boom)}))
    with pytest.raises(RuntimeError, match="disk full"):
        with Session(engine, future=True) as session, session.begin():
            load(session, load_dir(folder))
    assert _snapshot(engine) == before


def test_first_load_that_fails_leaves_nothing(engine: Engine, knowledge_dir: Path) -> None:
    topics = load_dir(knowledge_dir)
    clash = Entry("provinces", "national", topics["provinces"][3].to_json(), "knowledge/provinces.yml", 99)
    with pytest.raises(Exception), Session(engine, future=True) as session, session.begin():  # noqa: B017
        load(session, {**topics, "provinces": [*topics["provinces"], clash]})
    with Session(engine, future=True) as session:
        assert loaded_meta(session) is None
        assert all(not entries for entries in read_entries(session).values())


def test_sqlite_default_folder_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.settings import get_settings

    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data" / "nested"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        session_factory = make_sessionmaker()
        with session_factory.begin() as session:
            load(session, load_dir(knowledge_copy(tmp_path)))
        session_factory.kw["bind"].dispose()
    finally:
        get_settings.cache_clear()
    assert (tmp_path / "data" / "nested" / "knowledge.db").is_file()


def test_in_memory_sqlite_works(knowledge_dir: Path) -> None:
    engine = make_engine("sqlite://")
    with Session(engine, future=True) as session, session.begin():
        load(session, load_dir(knowledge_dir))
    with Session(engine, future=True) as session:
        assert _count(session, EntryRow) == 24
    engine.dispose()
