"""Reports for staff: unanswered questions grouped and ranked, feedback per entry, and their CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import (
    select,
)
from sqlalchemy.orm import Session

from assistant.records.grouping import near_duplicates
from assistant.records.tables import HELPFUL, WRONG, FeedbackRow, UnansweredRow, as_utc, has_table
from assistant.text import fold, has_vietnamese_marks

# Time zone of the staff: a --since date is a day in Vietnam.
LOCAL_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def since_utc(since: date | datetime | None) -> datetime | None:
    """A moment in UTC: a date means the start of that day in Vietnam."""
    if since is None:
        return None
    if not isinstance(since, datetime):
        since = datetime.combine(since, time.min, tzinfo=LOCAL_TIME_ZONE)
    elif since.tzinfo is None:
        since = since.replace(tzinfo=LOCAL_TIME_ZONE)
    return since.astimezone(timezone.utc)


@dataclass(frozen=True)
class Group:
    """Near-duplicate unanswered questions: how often, an example, and where and when they were asked."""

    key: str
    count: int
    example: str
    variants: tuple[str, ...]  # distinct texts, most frequent first (at most 5)
    languages: tuple[str, ...]
    channels: tuple[str, ...]
    intents: tuple[str, ...]
    first_at: datetime
    last_at: datetime


@dataclass
class _Cluster:
    key: str
    rows: list[UnansweredRow]


def _ranked(values: Iterable[str | None]) -> tuple[str, ...]:
    counts: dict[str, int] = {}
    for value in values:
        if value:
            counts[value] = counts.get(value, 0) + 1
    return tuple(sorted(counts, key=lambda v: (-counts[v], v)))


def _variants(rows: Sequence[UnansweredRow]) -> tuple[str, ...]:
    """Distinct texts, the most frequent first; among equals, written with diacritics first, then oldest."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.text_redacted] = counts.get(row.text_redacted, 0) + 1
    order = {text: n for n, text in reversed(list(enumerate(row.text_redacted for row in rows)))}
    return tuple(sorted(counts, key=lambda t: (-counts[t], not has_vietnamese_marks(t), order[t])))


def _group(cluster: _Cluster) -> Group:
    texts = _variants(cluster.rows)
    times = [as_utc(row.asked_at) for row in cluster.rows]
    return Group(
        key=cluster.key,
        count=len(cluster.rows),
        example=texts[0] if texts else "",
        variants=texts[:5],
        languages=_ranked(row.language for row in cluster.rows),
        channels=_ranked(row.channel for row in cluster.rows),
        intents=_ranked(row.intent for row in cluster.rows),
        first_at=min(times),
        last_at=max(times),
    )


def unanswered_report(
    session: Session, since: date | datetime | None = None, threshold: float = 0.8
) -> list[Group]:
    """Unanswered questions asked since `since`, near-duplicates grouped, the most frequent first."""
    if not has_table(session, UnansweredRow.__tablename__):
        return []
    query = select(UnansweredRow).order_by(UnansweredRow.asked_at, UnansweredRow.id)
    start = since_utc(since)
    if start is not None:
        query = query.where(UnansweredRow.asked_at >= start)
    exact: dict[str, list[UnansweredRow]] = {}
    for row in session.scalars(query):
        exact.setdefault(row.folded_key or fold(row.text_redacted), []).append(row)
    clusters: list[_Cluster] = []
    for key, rows in sorted(exact.items(), key=lambda item: (-len(item[1]), item[0])):
        home = next((c for c in clusters if near_duplicates(c.key, key, threshold)), None)
        if home is None:
            clusters.append(_Cluster(key, list(rows)))
        else:
            home.rows.extend(rows)
    groups = [_group(cluster) for cluster in clusters]
    return sorted(groups, key=lambda g: (-g.count, -g.last_at.timestamp(), g.key))


@dataclass(frozen=True)
class EntryFeedback:
    """The feedback given on answers from one knowledge entry."""

    entry: str
    helpful: int
    wrong: int
    senders: int  # distinct senders
    last_at: datetime

    @property
    def total(self) -> int:
        return self.helpful + self.wrong

    @property
    def wrong_share(self) -> float:
        return self.wrong / self.total if self.total else 0.0


def feedback_report(session: Session, since: date | datetime | None = None) -> list[EntryFeedback]:
    """Helpful and wrong counts per entry, the entries with the most "wrong" first."""
    if not has_table(session, FeedbackRow.__tablename__):
        return []
    query = select(FeedbackRow.entry, FeedbackRow.value, FeedbackRow.sender_hash, FeedbackRow.given_at)
    start = since_utc(since)
    if start is not None:
        query = query.where(FeedbackRow.given_at >= start)
    counts: dict[str, dict[str, int]] = {}
    senders: dict[str, set[str]] = {}
    last: dict[str, datetime] = {}
    for entry, value, sender, given_at in session.execute(query):
        counts.setdefault(entry, {HELPFUL: 0, WRONG: 0})[value] += 1
        if sender:
            senders.setdefault(entry, set()).add(sender)
        moment = as_utc(given_at)
        last[entry] = max(last.get(entry, moment), moment)
    report = [
        EntryFeedback(entry, c[HELPFUL], c[WRONG], len(senders.get(entry, ())), last[entry])
        for entry, c in counts.items()
    ]
    return sorted(report, key=lambda r: (-r.wrong, -r.wrong_share, -r.total, r.entry))


# CSV export (open the file with encoding="utf-8-sig" and newline="": Excel then reads Vietnamese correctly)

UNANSWERED_CSV_HEADER = (
    "số lần (count)",
    "câu hỏi mẫu (example)",
    "các cách hỏi (variants)",
    "khóa (key)",
    "ngôn ngữ (languages)",
    "kênh (channels)",
    "ý định (intents)",
    "lần đầu (first)",
    "lần cuối (last)",
)
FEEDBACK_CSV_HEADER = (
    "mục (entry)",
    "tên (name)",
    "hữu ích (helpful)",
    "chưa đúng (wrong)",
    "tổng (total)",
    "tỉ lệ chưa đúng (wrong share)",
    "người đánh giá (senders)",
    "lần cuối (last)",
)


def local_iso(moment: datetime) -> str:
    """A moment as ISO 8601 in Vietnam time, to the second."""
    return as_utc(moment).astimezone(LOCAL_TIME_ZONE).isoformat(timespec="seconds")


def write_unanswered_csv(groups: Iterable[Group], handle: TextIO) -> None:
    """Write the groups as CSV with a header row; variants and lists are joined with " | "."""
    writer = csv.writer(handle)
    writer.writerow(UNANSWERED_CSV_HEADER)
    for group in groups:
        writer.writerow(
            [
                group.count,
                group.example,
                " | ".join(group.variants),
                group.key,
                " | ".join(group.languages),
                " | ".join(group.channels),
                " | ".join(group.intents),
                local_iso(group.first_at),
                local_iso(group.last_at),
            ]
        )


def write_feedback_csv(
    report: Iterable[EntryFeedback], handle: TextIO, names: Mapping[str, str] | None = None
) -> None:
    """Write the feedback per entry as CSV with a header row (`names`: "topic:id" -> name of the entry)."""
    writer = csv.writer(handle)
    writer.writerow(FEEDBACK_CSV_HEADER)
    for row in report:
        writer.writerow(
            [
                row.entry,
                (names or {}).get(row.entry, ""),
                row.helpful,
                row.wrong,
                row.total,
                f"{row.wrong_share:.3f}",
                row.senders,
                local_iso(row.last_at),
            ]
        )
