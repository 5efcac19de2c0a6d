"""Database tables of the knowledge base, and the engine and session helpers (nothing is created at import).

Tables: kb_entries (one row per entry), kb_aliases (folded name or alias -> entry), kb_meta (content hash and
load time of the loaded knowledge). Full-text search: on SQLite an FTS5 table kb_fts filled by load(); on
PostgreSQL a GIN index over to_tsvector('simple', ...) of the folded search columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import StaticPool

from assistant.settings import get_settings

# SQLAlchemy 1.4 gives declarative bases no static type (its mypy plugin is not used here).
Base: Any = declarative_base()

# The weighted document PostgreSQL searches; the GIN index is built on this very expression.
PG_TSVECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, search_names), 'A')"
    " || setweight(to_tsvector('simple'::regconfig, search_body), 'B'))"
)
SQLITE_FTS_TABLE = "kb_fts"

# The SQLite FTS5 table, described for queries only: it is created by the DDL below, not by create_all().
FTS_TABLE = Table(
    SQLITE_FTS_TABLE,
    MetaData(),
    Column("topic", Text),
    Column("entry_id", Text),
    Column("names", Text),
    Column("body", Text),
)


class EntryRow(Base):
    """One knowledge entry: its identity, names, folded search text and every field as JSON."""

    __tablename__ = "kb_entries"

    topic = Column(String(64), primary_key=True)
    entry_id = Column(String(160), primary_key=True)
    province = Column(String(32), nullable=False, index=True)
    name_vi = Column(Text, nullable=False)
    name_en = Column(Text, nullable=False)
    search_names = Column(Text, nullable=False)  # folded names and aliases
    search_body = Column(Text, nullable=False)  # folded descriptions and other texts
    data = Column(JSON().with_variant(JSONB(), "postgresql"), nullable=False)
    file = Column(String(255), nullable=False)
    line = Column(Integer, nullable=False)


class AliasRow(Base):
    """A folded name or alias (words joined by one space) of one entry."""

    __tablename__ = "kb_aliases"
    __table_args__ = (
        ForeignKeyConstraint(
            ["topic", "entry_id"], ["kb_entries.topic", "kb_entries.entry_id"], ondelete="CASCADE"
        ),
    )

    alias = Column(String(500), primary_key=True)
    topic = Column(String(64), primary_key=True)
    entry_id = Column(String(160), primary_key=True)
    kind = Column(String(8), nullable=False)  # 'name' or 'alias'


class MetaRow(Base):
    """The single row that says which knowledge is loaded."""

    __tablename__ = "kb_meta"

    id = Column(Integer, primary_key=True)
    content_hash = Column(String(64), nullable=False)
    entry_count = Column(Integer, nullable=False)
    loaded_at = Column(DateTime(timezone=True), nullable=False)


event.listen(
    EntryRow.__table__,
    "after_create",
    DDL(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_FTS_TABLE} USING fts5("
        "topic UNINDEXED, entry_id UNINDEXED, names, body, tokenize = 'unicode61')"
    ).execute_if(dialect="sqlite"),
)
event.listen(
    EntryRow.__table__,
    "before_drop",
    DDL(f"DROP TABLE IF EXISTS {SQLITE_FTS_TABLE}").execute_if(dialect="sqlite"),
)
event.listen(
    EntryRow.__table__,
    "after_create",
    DDL(f"CREATE INDEX IF NOT EXISTS ix_kb_entries_fts ON kb_entries USING GIN ({PG_TSVECTOR})").execute_if(
        dialect="postgresql"
    ),
)


def create_schema(bind: Engine | Connection) -> None:
    """Create the knowledge tables (and the full-text table or index) when they do not exist yet."""
    Base.metadata.create_all(bind, checkfirst=True)


def drop_schema(bind: Engine | Connection) -> None:
    """Drop the knowledge tables."""
    Base.metadata.drop_all(bind, checkfirst=True)


def has_schema(session: Session) -> bool:
    """True when the knowledge tables exist in the session's database."""
    return bool(inspect(session.connection()).has_table(MetaRow.__tablename__))


def _sqlite_setup(engine: Engine, file_based: bool) -> None:
    """Make pysqlite transactions real (DDL included) and turn foreign keys on.

    This is SQLAlchemy's documented recipe: pysqlite's own transaction handling is switched off and
    BEGIN is sent when SQLAlchemy begins a transaction, so a failed load rolls back completely.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if file_based:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def make_engine(url: str | None = None, **kwargs: object) -> Engine:
    """An engine for `url` (default: DATABASE_URL of the settings); creates the SQLite file's folder."""
    url = url or get_settings().database_url
    parsed = make_url(url)
    options: dict[str, object] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        memory = database in ("", ":memory:") or database.startswith("file::memory:")
        if memory:
            options.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        elif not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        options.update(kwargs)
        engine = create_engine(url, **options)
        _sqlite_setup(engine, file_based=not memory)
        return engine
    options["pool_pre_ping"] = True
    options.update(kwargs)
    return create_engine(url, **options)


def make_sessionmaker(url: str | None = None, **kwargs: object) -> sessionmaker:
    """A session factory on make_engine(url); use `with Session.begin() as session:`."""
    return sessionmaker(bind=make_engine(url, **kwargs), future=True, expire_on_commit=False)
