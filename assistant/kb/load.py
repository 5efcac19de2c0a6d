"""Write validated knowledge into the database in one transaction, and read it back.

The caller owns the transaction:

    Session = make_sessionmaker()
    with Session.begin() as session:
        load(session, entries)

If anything fails the transaction rolls back and the previously loaded knowledge stays. Loading content whose
hash equals the loaded one changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from assistant.kb import schema
from assistant.kb.entry import Entry, name_key, texts_in
from assistant.kb.models import FTS_TABLE, AliasRow, EntryRow, MetaRow, create_schema, has_schema
from assistant.kb.validate import parse_spec

# Bump when the rows derived from an entry change shape, so that the same files load again.
LOAD_FORMAT = 1
# PostgreSQL advisory lock held while loading (any fixed number other code does not use).
LOAD_LOCK_KEY = 7_316_402

Knowledge = Mapping[str, Iterable[Entry]] | Iterable[Entry]


@dataclass(frozen=True)
class LoadResult:
    """What load() did: `changed` is False when the same content was already loaded."""

    changed: bool
    content_hash: str
    entry_count: int


@dataclass(frozen=True)
class LoadedMeta:
    content_hash: str
    entry_count: int
    loaded_at: datetime


def _flatten(entries: Knowledge) -> list[Entry]:
    if isinstance(entries, Mapping):
        items = [entry for topic_entries in entries.values() for entry in topic_entries]
    else:
        items = list(entries)
    return sorted(items, key=lambda e: (e.topic, e.file, e.line, e.id))


def content_hash(entries: Knowledge) -> str:
    """SHA-256 of the canonical JSON of every entry (with its file and line) and LOAD_FORMAT."""
    payload = [LOAD_FORMAT] + [[e.topic, e.id, e.file, e.line, e.to_json()] for e in _flatten(entries)]
    text_ = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()


def search_names(entry: Entry) -> str:
    """The folded names and aliases of an entry, for full-text search."""
    return " ".join(name_key(text_) for _, text_ in entry.names())


def search_body(entry: Entry) -> str:
    """The folded texts of an entry other than its names (description, location, steps, ...)."""
    fields = {**schema.COMMON_FIELDS, **schema.TOPIC_FIELDS.get(entry.topic, {})}
    parts = []
    for field_name, spec in fields.items():
        is_text = parse_spec(spec).kind in ("text", "textlist")
        if is_text and field_name != "name" and field_name in entry.data:
            parts += [name_key(t) for t in texts_in(entry.data[field_name])]
    return " ".join(p for p in parts if p)


def _entry_row(entry: Entry) -> dict[str, Any]:
    return {
        "topic": entry.topic,
        "entry_id": entry.id,
        "province": entry.province,
        "name_vi": entry.name_vi,
        "name_en": entry.name_en,
        "search_names": search_names(entry),
        "search_body": search_body(entry),
        "data": entry.to_json(),
        "file": entry.file,
        "line": entry.line,
    }


def _alias_rows(entry: Entry) -> list[dict[str, Any]]:
    rows: dict[str, str] = {}
    for kind, text_ in entry.names():
        key = name_key(text_)
        if key and key not in rows:
            rows[key] = kind
    return [{"alias": k, "topic": entry.topic, "entry_id": entry.id, "kind": v} for k, v in rows.items()]


def loaded_meta(session: Session) -> LoadedMeta | None:
    """The hash, size and time of the loaded knowledge (None when nothing was ever loaded)."""
    if not has_schema(session):
        return None
    row = session.get(MetaRow, 1)
    if row is None:
        return None
    return LoadedMeta(row.content_hash, row.entry_count, row.loaded_at)


def load(session: Session, entries: Knowledge) -> LoadResult:
    """Replace the loaded knowledge by `entries` inside the caller's transaction."""
    items = _flatten(entries)
    digest = content_hash(items)
    if session.get_bind().dialect.name == "postgresql":
        # Several action servers reload the same change at once (make run-scaled): they take turns, and the
        # later ones find it loaded. The lock ends with the transaction.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOAD_LOCK_KEY})
    create_schema(session.connection())
    meta = session.get(MetaRow, 1)
    if meta is not None and meta.content_hash == digest:
        return LoadResult(False, digest, meta.entry_count)
    session.execute(delete(AliasRow))
    session.execute(delete(EntryRow))
    rows = [_entry_row(e) for e in items]
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        session.execute(delete(FTS_TABLE))
    if rows:
        session.execute(insert(EntryRow), rows)
        session.execute(insert(AliasRow), [a for e in items for a in _alias_rows(e)])
        if sqlite:
            fts_rows = [
                {
                    "topic": r["topic"],
                    "entry_id": r["entry_id"],
                    "names": r["search_names"],
                    "body": r["search_body"],
                }
                for r in rows
            ]
            session.execute(insert(FTS_TABLE), fts_rows)
    now = datetime.now(timezone.utc)
    if meta is None:
        session.add(MetaRow(id=1, content_hash=digest, entry_count=len(items), loaded_at=now))
    else:
        meta.content_hash, meta.entry_count, meta.loaded_at = digest, len(items), now
    session.flush()
    return LoadResult(True, digest, len(items))


def read_entries(session: Session) -> dict[str, list[Entry]]:
    """Every loaded entry by topic, in file order (every topic of the schema is present)."""
    topics: dict[str, list[Entry]] = {topic: [] for topic in schema.TOPIC_FIELDS}
    if not has_schema(session):
        return topics
    query = select(EntryRow.topic, EntryRow.entry_id, EntryRow.data, EntryRow.file, EntryRow.line).order_by(
        EntryRow.topic, EntryRow.file, EntryRow.line, EntryRow.entry_id
    )
    for topic, entry_id, data, file, line in session.execute(query):
        topics.setdefault(topic, []).append(Entry(topic, entry_id, data, file, line))
    return topics
