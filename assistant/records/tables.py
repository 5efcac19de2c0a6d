"""The record tables and the functions that write them. Every function takes a session; the caller owns the
transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Integer,
    String,
    Text,
    inspect,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, declarative_base

from assistant.records.grouping import question_key
from assistant.records.redact import redact

# SQLAlchemy 1.4 gives declarative bases no static type (its mypy plugin is not used here).
RecordsBase: Any = declarative_base()

HELPFUL = "helpful"
WRONG = "wrong"
FEEDBACK_VALUES = (HELPFUL, WRONG)

MAX_TEXT = 1000  # characters of a question kept (after redaction)
MAX_TRIED = 2000  # characters of `tried` kept


class UnansweredRow(RecordsBase):
    """One question the assistant had no answer for (redacted)."""

    __tablename__ = "unanswered_questions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    asked_at = Column(DateTime(timezone=True), nullable=False, index=True)
    text_redacted = Column(Text, nullable=False)
    folded_key = Column(Text, nullable=False)  # folded content words, for grouping near-duplicates
    language = Column(String(8))
    channel = Column(String(32))
    intent = Column(String(100))
    tried = Column(Text)  # short JSON: what was tried (intent, entities found, ...)


class FeedbackRow(RecordsBase):
    """One "helpful" / "wrong" given on an answer taken from the knowledge entry `entry` ("topic:id")."""

    __tablename__ = "feedback"
    __table_args__ = (CheckConstraint("value IN ('helpful', 'wrong')", name="ck_feedback_value"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    given_at = Column(DateTime(timezone=True), nullable=False, index=True)
    entry = Column(String(240), nullable=False, index=True)
    value = Column(String(8), nullable=False)
    language = Column(String(8))
    channel = Column(String(32))
    sender_hash = Column(String(64))  # sha256 of the sender id


# What became of one turn (assistant/records/turns.py says how each is told from the reply).
ENTRY = "entry"  # answered from a knowledge entry
PASSAGE = "passage"  # answered by quoting passages of a source document
ANSWERED = "answered"  # answered without one entry (a list, the sites near a location)
DID_YOU_MEAN = "did_you_mean"  # asked back: did you mean ..., which site, which year
DECLINED = "declined"  # outside what the assistant does (health, law, weather, bookings)
UNANSWERED = "unanswered"
OUTCOMES = (ENTRY, PASSAGE, ANSWERED, DID_YOU_MEAN, DECLINED, UNANSWERED)


class TurnRow(RecordsBase):
    """One question and what the assistant did with it (texts redacted, the sender as a keyed hash)."""

    __tablename__ = "turns"
    __table_args__ = (
        CheckConstraint(
            "outcome IN ('entry', 'passage', 'answered', 'did_you_mean', 'declined', 'unanswered')",
            name="ck_turns_outcome",
        ),
        CheckConstraint("feedback IS NULL OR feedback IN ('helpful', 'wrong')", name="ck_turns_feedback"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    asked_at = Column(DateTime(timezone=True), nullable=False, index=True)
    channel = Column(String(32))
    language = Column(String(8))
    intent = Column(String(100))
    outcome = Column(String(16), nullable=False)
    topic = Column(String(64))  # of the entry, or 'documents' for a passage
    entry = Column(String(240), index=True)  # "topic:id", or "documents:<document id>"
    text_redacted = Column(Text, nullable=False)
    reply_redacted = Column(Text)
    sender_key = Column(String(64), index=True)  # HMAC-SHA256 of the sender id with the records key
    feedback = Column(String(8))  # the user's "helpful" / "wrong" on this answer, if given


def create_records_schema(bind: Engine | Connection) -> None:
    """Create the record tables when they do not exist yet."""
    RecordsBase.metadata.create_all(bind, checkfirst=True)


def drop_records_schema(bind: Engine | Connection) -> None:
    """Drop the record tables."""
    RecordsBase.metadata.drop_all(bind, checkfirst=True)


def has_table(session: Session, table: str) -> bool:
    return bool(inspect(session.connection()).has_table(table))


def as_utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(timezone.utc)
    if moment.tzinfo is None:  # SQLite returns naive datetimes: they were stored in UTC
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _tried_text(tried: Mapping[str, Any] | Sequence[Any] | str | None) -> str | None:
    if tried is None:
        return None
    text = tried if isinstance(tried, str) else json.dumps(tried, ensure_ascii=False, default=str)
    text = redact(text)
    return text if len(text) <= MAX_TRIED else text[: MAX_TRIED - 1] + "…"


def _short(value: str | None, size: int) -> str | None:
    return value[:size] if value else None


def record_unanswered(
    session: Session,
    text: str,
    language: str | None,
    channel: str | None,
    intent: str | None,
    tried: Mapping[str, Any] | Sequence[Any] | str | None = None,
    *,
    asked_at: datetime | None = None,
) -> int:
    """Store a question the assistant could not answer (redacted); returns its row id."""
    create_records_schema(session.connection())
    redacted = redact(text).strip()[:MAX_TEXT]
    row = UnansweredRow(
        asked_at=as_utc(asked_at),
        text_redacted=redacted,
        folded_key=question_key(redacted),
        language=_short(language, 8),
        channel=_short(channel, 32),
        intent=_short(intent, 100),
        tried=_tried_text(tried),
    )
    session.add(row)
    session.flush()
    return int(row.id)


def sender_hash(sender: str) -> str:
    """SHA-256 (hex) of a sender id: feedback of one user can be told apart without storing who it is."""
    return hashlib.sha256(sender.encode("utf-8")).hexdigest()


def record_feedback(
    session: Session,
    entry: str,
    value: str,
    language: str | None,
    channel: str | None,
    sender: str | None,
    *,
    given_at: datetime | None = None,
) -> int:
    """Store "helpful" or "wrong" given on an answer from `entry` ("topic:id"); returns the row id."""
    if value not in FEEDBACK_VALUES:
        raise ValueError(f"feedback value must be one of {FEEDBACK_VALUES}, not {value!r}")
    topic, _, entry_id = entry.partition(":")
    if not topic or not entry_id:
        raise ValueError(f"feedback entry must be 'topic:id', not {entry!r}")
    create_records_schema(session.connection())
    row = FeedbackRow(
        given_at=as_utc(given_at),
        entry=entry[:240],
        value=value,
        language=_short(language, 8),
        channel=_short(channel, 32),
        sender_hash=sender_hash(sender) if sender else None,
    )
    session.add(row)
    session.flush()
    return int(row.id)
