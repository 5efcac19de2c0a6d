"""Fixtures of the record tests: sessions on a throwaway SQLite file and on the real PostgreSQL server.

The PostgreSQL database comes from tests/kb/conftest.py's `postgres_url` (created on TEST_POSTGRES_URL's server,
dropped at the end; skipped when unreachable, except under CI=true, where the tests fail).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from assistant.kb.models import drop_schema, make_engine
from assistant.records import drop_records_schema
from tests.kb.conftest import postgres_url

__all__ = ["postgres_url"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (its tables are dropped afterwards)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'var' / 'knowledge.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    yield url
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            drop_records_schema(connection)
            drop_schema(connection)
    finally:
        engine.dispose()


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker]:
    """A session factory on the empty database: `with sessions.begin() as session:`."""
    engine = make_engine(database_url)
    try:
        yield sessionmaker(bind=engine, future=True, expire_on_commit=False)
    finally:
        engine.dispose()
