"""What people ask, day by day: conversations and messages by channel and language, what became of the
questions, the topics and entries most asked, and the feedback given (the staff console's overview)."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.records.reports import LOCAL_TIME_ZONE
from assistant.records.tables import (
    ANSWERED,
    ENTRY,
    HELPFUL,
    OUTCOMES,
    PASSAGE,
    WRONG,
    FeedbackRow,
    TurnRow,
    as_utc,
    has_table,
)

ANSWERED_OUTCOMES = (ENTRY, PASSAGE, ANSWERED)
UNKNOWN = "?"


@dataclass
class Day:
    """One day (Vietnam time): messages and distinct conversations, in all and per channel and language."""

    day: date
    messages: int = 0
    conversations: int = 0
    by_channel: dict[str, tuple[int, int]] = field(
        default_factory=dict
    )  # channel -> (conversations, messages)
    by_language: dict[str, tuple[int, int]] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)


@dataclass
class Activity:
    """The overview of `days` days up to `last` (inclusive)."""

    first: date
    last: date
    days: list[Day]
    channels: list[str]
    languages: list[str]
    outcomes: dict[str, int]
    topics: list[tuple[str, int]]
    entries: list[tuple[str, int]]
    helpful: int
    wrong: int

    @property
    def messages(self) -> int:
        return sum(self.outcomes.values())

    def share(self, *outcomes: str) -> float:
        """The share of messages with one of `outcomes` (0 when there were none)."""
        total = self.messages
        return sum(self.outcomes.get(o, 0) for o in outcomes) / total if total else 0.0


class _Turn(NamedTuple):
    day: date
    channel: str
    language: str
    outcome: str
    topic: str | None
    entry: str | None
    sender: str | None


def local_day(moment: datetime) -> date:
    return as_utc(moment).astimezone(LOCAL_TIME_ZONE).date()


def _per(values: Iterable[tuple[str, str | None]]) -> dict[str, tuple[int, int]]:
    """(conversations, messages) per key, from (key, sender) pairs."""
    messages: Counter[str] = Counter()
    senders: dict[str, set[str]] = {}
    for key, sender in values:
        messages[key] += 1
        if sender:
            senders.setdefault(key, set()).add(sender)
    return {key: (len(senders.get(key, ())), count) for key, count in sorted(messages.items())}


def activity(
    session: Session, last: date, days: int = 30, top: int = 10, exclude_channels: tuple[str, ...] = ()
) -> Activity:
    """The overview of the `days` days up to `last` (a day in Vietnam), from the turns and the feedback;
    turns of `exclude_channels` (the console's own tries) are left out."""
    first = last - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, tzinfo=LOCAL_TIME_ZONE)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=LOCAL_TIME_ZONE)
    rows: list[_Turn] = []
    if has_table(session, TurnRow.__tablename__):
        query = select(
            TurnRow.asked_at, TurnRow.channel, TurnRow.language, TurnRow.outcome, TurnRow.topic,
            TurnRow.entry, TurnRow.sender_key,
        ).where(TurnRow.asked_at >= start, TurnRow.asked_at < end)  # fmt: skip
        for asked_at, channel, language, outcome, topic, entry, sender in session.execute(query):
            if channel in exclude_channels:
                continue
            day = local_day(asked_at)
            rows.append(_Turn(day, channel or UNKNOWN, language or UNKNOWN, outcome, topic, entry, sender))
    by_day: dict[date, list[_Turn]] = {}
    for row in rows:
        by_day.setdefault(row.day, []).append(row)
    table = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        turns = by_day.get(day, [])
        table.append(
            Day(
                day,
                messages=len(turns),
                conversations=len({t.sender for t in turns if t.sender}),
                by_channel=_per((t.channel, t.sender) for t in turns),
                by_language=_per((t.language, t.sender) for t in turns),
                by_outcome=dict(Counter(t.outcome for t in turns)),
            )
        )
    outcomes = Counter(row.outcome for row in rows)
    helpful = wrong = 0
    if has_table(session, FeedbackRow.__tablename__):
        query = select(FeedbackRow.value).where(FeedbackRow.given_at >= start, FeedbackRow.given_at < end)
        values = Counter(session.scalars(query))
        helpful, wrong = values.get(HELPFUL, 0), values.get(WRONG, 0)
    answered = [row for row in rows if row.outcome in (ENTRY, PASSAGE)]
    return Activity(
        first=first,
        last=last,
        days=table,
        channels=sorted({row.channel for row in rows}),
        languages=sorted({row.language for row in rows}),
        outcomes={o: outcomes.get(o, 0) for o in OUTCOMES},
        topics=Counter(row.topic for row in answered if row.topic).most_common(top),
        entries=Counter(row.entry for row in answered if row.entry).most_common(top),
        helpful=helpful,
        wrong=wrong,
    )


def activity_csv_header(result: Activity) -> list[str]:
    header = ["ngày (day)", "hội thoại (conversations)", "tin nhắn (messages)"]
    header += [f"hội thoại/conversations {c}" for c in result.channels]
    header += [f"tin nhắn/messages {c}" for c in result.channels]
    header += [f"hội thoại/conversations {lang}" for lang in result.languages]
    header += [f"tin nhắn/messages {lang}" for lang in result.languages]
    return header


def write_activity_csv(result: Activity, handle: TextIO) -> None:
    """One row a day: conversations and messages, then per channel and per language."""
    writer = csv.writer(handle)
    writer.writerow(activity_csv_header(result))
    for day in result.days:
        row: list[object] = [day.day.isoformat(), day.conversations, day.messages]
        row += [day.by_channel.get(c, (0, 0))[0] for c in result.channels]
        row += [day.by_channel.get(c, (0, 0))[1] for c in result.channels]
        row += [day.by_language.get(lang, (0, 0))[0] for lang in result.languages]
        row += [day.by_language.get(lang, (0, 0))[1] for lang in result.languages]
        writer.writerow(row)
