"""The console's own tables, in the knowledge database (DATABASE_URL) but in a metadata of their own: staff
accounts, the audit log of every change, and the marks staff put on unanswered questions. Every function
takes a session; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import CheckConstraint, Column, DateTime, Integer, String, Text, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, declarative_base

from assistant.records.tables import as_utc

# SQLAlchemy 1.4 gives declarative bases no static type (its mypy plugin is not used here).
ConsoleBase: Any = declarative_base()

EDITOR = "editor"
VIEWER = "viewer"
ROLES = (EDITOR, VIEWER)
HANDLED = "handled"
IGNORED = "ignored"
MARKS = (HANDLED, IGNORED)
MAX_AUDIT_TEXT = 200_000


class UserRow(ConsoleBase):
    """A staff account: editors change the knowledge, viewers only read."""

    __tablename__ = "console_users"
    __table_args__ = (CheckConstraint("role IN ('editor', 'viewer')", name="ck_console_users_role"),)

    name = Column(String(64), primary_key=True)
    role = Column(String(8), nullable=False)
    password_hash = Column(Text, nullable=False)  # console/auth.py: scrypt, with its salt and parameters
    created_at = Column(DateTime(timezone=True), nullable=False)


class AuditRow(ConsoleBase):
    """One change made in the console: who, when, what, and the text before and after."""

    __tablename__ = "console_audit"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime(timezone=True), nullable=False, index=True)
    user = Column(String(64), nullable=False)
    action = Column(String(32), nullable=False)
    file = Column(String(255))
    entry = Column(String(240))
    before = Column(Text)
    after = Column(Text)


class MarkRow(ConsoleBase):
    """A group of unanswered questions marked handled or ignored (by its folded key)."""

    __tablename__ = "console_marks"
    __table_args__ = (CheckConstraint("status IN ('handled', 'ignored')", name="ck_console_marks_status"),)

    key = Column(String(1000), primary_key=True)
    status = Column(String(8), nullable=False)
    user = Column(String(64), nullable=False)
    at = Column(DateTime(timezone=True), nullable=False)


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str


@dataclass(frozen=True)
class Mark:
    status: str
    user: str
    at: datetime


def create_console_schema(bind: Engine | Connection) -> None:
    """Create the console's tables when they do not exist yet."""
    ConsoleBase.metadata.create_all(bind, checkfirst=True)


class UserExists(ValueError):
    """An account of that name exists already."""


def add_user(session: Session, name: str, role: str, password_hash: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if session.get(UserRow, name) is not None:
        raise UserExists(name)
    session.add(
        UserRow(name=name, role=role, password_hash=password_hash, created_at=datetime.now(timezone.utc))
    )
    session.flush()


def get_user(session: Session, name: str) -> User | None:
    row = session.get(UserRow, name)
    return None if row is None else User(row.name, row.role, row.password_hash)


def audit(
    session: Session,
    user: str,
    action: str,
    *,
    file: str | None = None,
    entry: str | None = None,
    before: str | None = None,
    after: str | None = None,
) -> None:
    """Write one change to the audit log."""
    session.add(
        AuditRow(
            at=datetime.now(timezone.utc),
            user=user,
            action=action,
            file=file,
            entry=entry,
            before=before[:MAX_AUDIT_TEXT] if before else before,
            after=after[:MAX_AUDIT_TEXT] if after else after,
        )
    )
    session.flush()


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    user: str
    action: str
    file: str | None
    entry: str | None
    before: str | None
    after: str | None


def recent_audit(session: Session, limit: int = 200) -> list[AuditEntry]:
    query = select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
    return [
        AuditEntry(as_utc(r.at), r.user, r.action, r.file, r.entry, r.before, r.after)
        for r in session.scalars(query)
    ]


def set_mark(session: Session, key: str, status: str, user: str) -> None:
    if status not in MARKS:
        raise ValueError(f"status must be one of {', '.join(MARKS)}, not {status!r}")
    row = session.get(MarkRow, key)
    now = datetime.now(timezone.utc)
    if row is None:
        session.add(MarkRow(key=key, status=status, user=user, at=now))
    else:
        row.status, row.user, row.at = status, user, now
    session.flush()


def marks(session: Session) -> dict[str, Mark]:
    return {r.key: Mark(r.status, r.user, as_utc(r.at)) for r in session.scalars(select(MarkRow))}
