"""Every answered turn: what was asked (redacted), what became of it, and which entry or passage answered.

The sender is kept only as a keyed hash (HMAC-SHA256 with RECORDS_SENDER_KEY, or a key generated once into
DATA_DIR): turns of one conversation can be counted together, but nobody holding the database alone can tell
who asked, nor test a guessed sender id. Records are kept RECORDS_RETENTION_DAYS days (`purge_records`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assistant.records.redact import redact
from assistant.records.tables import (
    ANSWERED,
    DECLINED,
    DID_YOU_MEAN,
    ENTRY,
    FEEDBACK_VALUES,
    MAX_TEXT,
    OUTCOMES,
    PASSAGE,
    UNANSWERED,
    FeedbackRow,
    TurnRow,
    UnansweredRow,
    as_utc,
    create_records_schema,
    has_table,
)
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.answering.common import Knowledge
    from assistant.answering.model import Question, Reply

logger = logging.getLogger(__name__)

KEY_FILE = "records_sender_key"
MIN_KEY_CHARS = 32
MAX_REPLY = 2000  # characters of a reply kept
DOCUMENTS = "documents"  # the topic part of a passage answer's entry ("documents:<document id>")
# A "helpful / wrong" tap belongs to the sender's latest answer from that entry within this time.
FEEDBACK_WINDOW = timedelta(days=1)


def load_sender_key(settings: Settings) -> bytes:
    """RECORDS_SENDER_KEY, or the key kept in DATA_DIR/records_sender_key (made, 0600, on first use)."""
    if settings.records_sender_key:
        if len(settings.records_sender_key) < MIN_KEY_CHARS:
            raise ValueError(f"RECORDS_SENDER_KEY must have at least {MIN_KEY_CHARS} characters")
        return settings.records_sender_key.encode("utf-8")
    return _key_file(settings.data_dir / KEY_FILE)


@lru_cache(maxsize=4)
def _key_file(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(temporary, path)  # atomic: when another process made one first, its key is kept
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
        logger.info("generated the records' sender key in %s", path)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_KEY_CHARS:
        raise ValueError(f"{path} holds no usable key: delete it (a new one is made; old turns stay apart)")
    return key.encode("ascii")


def keyed_sender(sender: str, key: bytes) -> str:
    """HMAC-SHA256 (hex) of a sender id."""
    return hmac.new(key, sender.encode("utf-8"), hashlib.sha256).hexdigest()


def turn_outcome(knowledge: Knowledge, question: Question, reply: Reply) -> str:
    """What became of a question, read from its reply.

    A passage answer names its entry "documents:<id>"; a question asked back has `asks` set, or is the
    fallback's "did you mean" (not answered, its wording); a declined one is the out-of-scope wording of the
    question's domain, answered without an entry.
    """
    first = reply.messages[0].text if reply.messages else ""
    if reply.entry and not reply.asks:
        return PASSAGE if reply.entry.startswith(f"{DOCUMENTS}:") else ENTRY
    if reply.asks:
        return DID_YOU_MEAN
    language = question.language
    if not reply.answered:
        did_you_mean = knowledge.wording.has("did_you_mean") and any(
            m.text == knowledge.wording.say("did_you_mean", language) for m in reply.messages
        )
        return DID_YOU_MEAN if did_you_mean else UNANSWERED
    domain = knowledge.language.out_of_scope_domain(question.text)
    key = f"out_of_scope.{domain}"
    if domain is not None and knowledge.wording.has(key) and first == knowledge.wording.say(key, language):
        return DECLINED
    return ANSWERED


def _short(value: str | None, size: int) -> str | None:
    return value[:size] if value else None


def record_turn(
    session: Session,
    *,
    text: str,
    reply_text: str,
    outcome: str,
    entry: str | None,
    channel: str | None,
    language: str | None,
    intent: str | None,
    sender: str | None,
    key: bytes,
    asked_at: datetime | None = None,
) -> int:
    """Store one turn (question and reply redacted, the sender as a keyed hash); returns its row id."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
    create_records_schema(session.connection())
    reply = redact(reply_text).strip()
    row = TurnRow(
        asked_at=as_utc(asked_at),
        channel=_short(channel, 32),
        language=_short(language, 8),
        intent=_short(intent, 100),
        outcome=outcome,
        topic=_short(entry.partition(":")[0], 64) if entry else None,
        entry=_short(entry, 240),
        text_redacted=redact(text).strip()[:MAX_TEXT],
        reply_redacted=reply if len(reply) <= MAX_REPLY else reply[: MAX_REPLY - 1] + "…",
        sender_key=keyed_sender(sender, key) if sender else None,
    )
    session.add(row)
    session.flush()
    return int(row.id)


def attach_feedback(
    session: Session, sender: str, key: bytes, entry: str, value: str, *, now: datetime | None = None
) -> int | None:
    """Mark the sender's latest turn answered from `entry` (within a day) with "helpful" or "wrong"; returns
    its id, or None when there is no such turn."""
    if value not in FEEDBACK_VALUES:
        raise ValueError(f"feedback value must be one of {FEEDBACK_VALUES}, not {value!r}")
    if not has_table(session, TurnRow.__tablename__):
        return None
    since = as_utc(now) - FEEDBACK_WINDOW
    row = session.scalars(
        select(TurnRow)
        .where(TurnRow.sender_key == keyed_sender(sender, key), TurnRow.entry == entry)
        .where(TurnRow.asked_at >= since)
        .order_by(TurnRow.asked_at.desc(), TurnRow.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    row.feedback = value
    session.flush()
    return int(row.id)


def purge_records(session: Session, retention_days: int, *, now: datetime | None = None) -> dict[str, int]:
    """Delete turns, unanswered questions and feedback older than `retention_days`; rows deleted per table."""
    if retention_days < 1:
        raise ValueError("the records' retention must be at least one day")
    cutoff = as_utc(now) - timedelta(days=retention_days)
    deleted: dict[str, int] = {}
    for table, column in (
        (TurnRow, TurnRow.asked_at),
        (UnansweredRow, UnansweredRow.asked_at),
        (FeedbackRow, FeedbackRow.given_at),
    ):
        if not has_table(session, table.__tablename__):
            deleted[table.__tablename__] = 0
            continue
        result = session.execute(
            delete(table).where(column < cutoff).execution_options(synchronize_session=False)
        )
        deleted[table.__tablename__] = int(result.rowcount or 0)
    return deleted


@dataclass(frozen=True)
class RatedTurn:
    """A turn the user rated: the question, the reply given, the entry or passage used and the rating."""

    id: int
    asked_at: datetime
    channel: str | None
    language: str | None
    question: str
    reply: str
    entry: str | None
    feedback: str


def rated_turns(session: Session, limit: int = 200) -> list[RatedTurn]:
    """The turns users rated, "wrong" first, the newest first within each."""
    if not has_table(session, TurnRow.__tablename__):
        return []
    query = (
        select(TurnRow)
        .where(TurnRow.feedback.is_not(None))
        .order_by((TurnRow.feedback == "wrong").desc(), TurnRow.asked_at.desc(), TurnRow.id.desc())
        .limit(limit)
    )
    return [
        RatedTurn(
            int(r.id),
            as_utc(r.asked_at),
            r.channel,
            r.language,
            r.text_redacted,
            r.reply_redacted or "",
            r.entry,
            r.feedback,
        )
        for r in session.scalars(query)
    ]
