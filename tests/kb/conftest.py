"""Fixtures of the knowledge-base tests: knowledge folders copied from fixtures/, and databases.

The PostgreSQL tests use a database of their own, created on the server of TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test) and dropped at the end. When the server cannot be reached they are
skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from assistant.kb.models import drop_schema, make_engine

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"
BROKEN = FIXTURES / "broken"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def knowledge_copy(tmp_path: Path, broken: str | None = None) -> Path:
    """A copy of the valid fixture, named `knowledge`, with the files (and folders, such as wording/) of
    fixtures/broken/<broken> over it."""
    target = tmp_path / "knowledge"
    shutil.copytree(VALID, target)
    if broken is not None:
        for path in (BROKEN / broken).iterdir():
            if path.is_dir():
                shutil.copytree(path, target / path.name, dirs_exist_ok=True)
            else:
                shutil.copy(path, target / path.name)
    return target


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    return knowledge_copy(tmp_path)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a fresh database on the PostgreSQL server, dropped after the test session."""
    server = make_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    admin = make_engine(
        str(server.set(database="postgres")),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 5},
    )
    name = f"kb_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any failure to reach the server
        admin.dispose()
        if _in_ci():
            pytest.fail(f"PostgreSQL is required under CI but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    try:
        yield str(server.set(database=name))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty knowledge database: a SQLite file, or the test database on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'var' / 'knowledge.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    db = make_engine(url)
    try:
        yield db
    finally:
        with db.begin() as connection:
            drop_schema(connection)
        db.dispose()
