"""What the assistant could not answer, and what users said about its answers, stored through SQLAlchemy.

The tables live in the knowledge database (DATABASE_URL) but in a metadata of their own, created on first use:

- unanswered_questions: every fallback, with the question redacted (phone numbers, citizen ID numbers and
  e-mail addresses replaced by a label) before it is stored;
- feedback: "helpful" / "wrong" given on an answer, with the knowledge entry ("topic:id") it came from and a
  SHA-256 hash of the sender (never the sender id itself).

Every function takes a session; the caller owns the transaction:

    with Session.begin() as session:
        record_unanswered(session, text, "vi", "telegram", "nlu_fallback", {"entities": []})
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Integer,
    String,
    Text,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, declarative_base

from actions.text import fold, has_vietnamese_marks, words

RecordsBase = declarative_base()

# Time zone of the staff: a --since date is a day in Vietnam.
LOCAL_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

PHONE_LABEL = "[số điện thoại]"
ID_LABEL = "[số định danh]"
EMAIL_LABEL = "[email]"
LOCATION_LABEL = "[vị trí]"
LABELS = (PHONE_LABEL, ID_LABEL, EMAIL_LABEL, LOCATION_LABEL)

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


def create_records_schema(bind: Engine | Connection) -> None:
    """Create the record tables when they do not exist yet."""
    RecordsBase.metadata.create_all(bind, checkfirst=True)


def drop_records_schema(bind: Engine | Connection) -> None:
    """Drop the record tables."""
    RecordsBase.metadata.drop_all(bind, checkfirst=True)


def _has_table(session: Session, table: str) -> bool:
    return bool(inspect(session.connection()).has_table(table))


# ---------------------------------------------------------------------------------------------------------
# Redaction

_D = "[0-9]"
# Between two digits of a phone number: nothing, one space, dot or dash, or the parenthesis of an area code.
_SEP = r"(?:[ .\-]|\)[ ]?|[ ]?\()?"


def _digits(count: int) -> str:
    return rf"(?:{_SEP}{_D}){{{count}}}"


# National number after the country code: mobile (9 digits), old 11-digit mobile or landline (10 digits).
_AFTER_84 = rf"(?:[12]{_digits(9)}|[3-9]{_digits(8)})"
_PLUS_84 = rf"\(?(?:\+[ ]?|00[ ]?)84\)?[ .\-]?(?:\(0\)[ ]?)?\(?{_AFTER_84}"
_BARE_84 = rf"84[ ]?{_AFTER_84}"
# A 12-digit citizen ID (CCCD) starts with the code of a province, 001 to 096.
_CCCD = rf"0(?:0[1-9]|[1-8]{_D}|9[0-6]){_digits(9)}"
# 0 + 10 digits (landline 02x..., old mobile 01x...) or 0 + 9 digits (mobile, old landline).
_NATIONAL = rf"\(?0(?:[12]{_digits(9)}|[1-9]{_digits(8)})"
_EMAIL = r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
# Words (folded) that announce an identity number: CMND, CCCD, căn cước, chứng minh, định danh, hộ chiếu...
_ID_WORDS = (
    r"cmnd|cmt|cccd|can cuoc(?: cong dan)?|chung minh(?: thu| nhan dan)?|dinh danh(?: ca nhan)?"
    r"|ho chieu|passport|id card|id number|identity card|citizen id|\bid"
)
_ID_NUMBER = rf"[a-z]{_D}{{7}}|{_D}(?:[ .]?{_D}){{11}}|{_D}(?:[ .]?{_D}){{8}}"
# A location: a pair of decimal degrees with 4 or more decimals ("16.4637, 107.5909"; thousands groups have
# exactly 3 digits), or a latitude/longitude field ('"latitude": 16.46' in a /share_location payload).
_DEGREES = rf"[-+]?{_D}{{1,3}}\.{_D}{{4,}}"
_POINT = rf"(?<![0-9.]){_DEGREES}(?:[ ]?[,;][ ]?|[ ]+){_DEGREES}(?![0-9])"
_LATLON = (
    rf"\"?(?:latitude|longitude)\"?[ ]?[:=][ ]?[-+]?{_D}+(?:\.{_D}+)?"
    rf"|(?:lat|lon|lng)[ ]?[:=][ ]?[-+]?{_D}{{1,3}}\.{_D}+"
)
# Digit groups of thousands ("1.200.000", "12,500") are amounts: consumed whole so no number starts inside.
_AMOUNT = rf"[1-9]{_D}{{0,2}}(?:[.,]{_D}{{3}})+(?!{_D})"

_SCANNER = re.compile(
    rf"(?P<email>{_EMAIL})"
    rf"|(?P<point>{_POINT})"
    rf"|(?P<latlon>(?<![a-z])(?:{_LATLON}))"
    rf"|(?P<idword>\b(?:{_ID_WORDS})\b[^0-9\n]{{0,20}}?)(?P<idnumber>{_ID_NUMBER})(?![0-9])"
    rf"|(?P<phone>(?:{_PLUS_84}|{_BARE_84})(?![0-9]))"
    rf"|(?P<cccd>{_CCCD})(?![0-9])"
    rf"|(?P<national>{_NATIONAL})(?![0-9])"
    rf"|(?P<amount>{_AMOUNT})"
    rf"|(?P<plain>{_D}+)"
)


def redact(text: str) -> str:
    """`text` with phone numbers, citizen ID numbers, e-mail addresses and locations replaced by labels.

    Phone numbers: Vietnamese mobiles and landlines, with 0, 84, +84 or 0084, written with spaces, dots,
    dashes or an area code in parentheses. Identity numbers: 12-digit CCCD numbers anywhere; 9-digit CMND
    numbers and passport numbers only after a word that announces them ("CMND", "hộ chiếu", ...).
    Locations: pairs of decimal degrees with 4 or more decimals, and latitude/longitude fields.
    Years, dates, counts and amounts ("700 tỷ", "1.200.000 lượt") are left alone.
    """
    text = unicodedata.normalize("NFC", text)
    folded = fold(text)
    if len(folded) != len(text):  # a rare character whose lower case is longer: keep it as it is
        folded = "".join(f if len(f := fold(c)) == 1 else c for c in text)
    parts: list[str] = []
    last = 0
    for match in _SCANNER.finditer(folded):
        kind = match.lastgroup
        if kind in ("amount", "plain"):
            continue
        if kind == "idnumber":
            start, label = match.start("idnumber"), ID_LABEL
        else:
            start = match.start()
            labels = {
                "email": EMAIL_LABEL,
                "cccd": ID_LABEL,
                "point": LOCATION_LABEL,
                "latlon": LOCATION_LABEL,
            }
            label = labels.get(kind or "", PHONE_LABEL)
        parts += [text[last:start], label]
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)


# ---------------------------------------------------------------------------------------------------------
# Folded keys and near-duplicates

# Politeness and filler words (folded) that do not change what is asked; question words are kept.
# Words that are also place names or topic words once folded (cho: chợ, hoi: Hội An, my: Mỹ Sơn, to: tổ chức,
# chi: chỉ số, minh: Minh Mạng, ...) are not stop words.
STOP_WORDS = frozenset(
    """a ah ak ha nhe nha nhi oi voi vay thi la va cua toi em ad admin xin giup vui long duoc khong ko k
    hay biet muon can the is are does did could would please tell me i you your us we our of about hi hello
    hey thanks thank know want need""".split()
)


# Polite phrases (folded) around a question: "cho mình hỏi", "bạn ơi", "làm ơn", "cảm ơn"...
_STOP_PHRASES = re.compile(
    r"\b(?:(?:cho|xin) (?:minh |toi |em |anh |chi |con |ban )?(?:hoi|biet)|(?:ban|ad|admin|bot|em|anh|chi) oi"
    r"|lam on|cam on|cho (?:minh|toi|em|anh|chi|con) biet)\b"
)


def question_key(text: str) -> str:
    """The folded words of a question without labels, punctuation, polite phrases and stop words, in order."""
    for label in LABELS:
        text = text.replace(label, " ")
    folded = " ".join(words(text))
    kept = [w for w in _STOP_PHRASES.sub(" ", folded).split() if w not in STOP_WORDS]
    return " ".join(kept) if kept else folded


def _one_edit(a: str, b: str) -> bool:
    """True when `a` and `b` differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def _near_words(a: str, b: str) -> bool:
    """Same word, or a word of 4 letters or more with one typo (numbers must be equal: 2022 is not 2023)."""
    return a == b or (a.isalpha() and b.isalpha() and min(len(a), len(b)) >= 4 and _one_edit(a, b))


def similarity(key_a: str, key_b: str) -> float:
    """Jaccard similarity of the word sets of two keys, a word with one typo counting as the same word."""
    set_a, set_b = set(key_a.split()), set(key_b.split())
    if not set_a and not set_b:
        return 1.0
    common = set_a & set_b
    rest_b = set_b - common
    matched = len(common)
    for word in sorted(set_a - common):
        partner = next((other for other in sorted(rest_b) if _near_words(word, other)), None)
        if partner is not None:
            rest_b.discard(partner)
            matched += 1
    return matched / (len(set_a) + len(set_b) - matched)


_NUMBERS = re.compile(r"[0-9]+")


def near_duplicates(key_a: str, key_b: str, threshold: float = 0.8) -> bool:
    """True when two folded keys ask the same thing: equal, one typo apart, or sharing most words."""
    if key_a == key_b:
        return True
    same_numbers = _NUMBERS.findall(key_a) == _NUMBERS.findall(key_b)
    if same_numbers and min(len(key_a), len(key_b)) >= 8 and _one_edit(key_a, key_b):
        return True
    return similarity(key_a, key_b) >= threshold


# ---------------------------------------------------------------------------------------------------------
# Recording


def _utc(moment: datetime | None) -> datetime:
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
        asked_at=_utc(asked_at),
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
        given_at=_utc(given_at),
        entry=entry[:240],
        value=value,
        language=_short(language, 8),
        channel=_short(channel, 32),
        sender_hash=sender_hash(sender) if sender else None,
    )
    session.add(row)
    session.flush()
    return int(row.id)


# ---------------------------------------------------------------------------------------------------------
# Reports


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
    times = [_utc(row.asked_at) for row in cluster.rows]
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
    if not _has_table(session, UnansweredRow.__tablename__):
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
    if not _has_table(session, FeedbackRow.__tablename__):
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
        moment = _utc(given_at)
        last[entry] = max(last.get(entry, moment), moment)
    report = [
        EntryFeedback(entry, c[HELPFUL], c[WRONG], len(senders.get(entry, ())), last[entry])
        for entry, c in counts.items()
    ]
    return sorted(report, key=lambda r: (-r.wrong, -r.wrong_share, -r.total, r.entry))


# ---------------------------------------------------------------------------------------------------------
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
    return _utc(moment).astimezone(LOCAL_TIME_ZONE).isoformat(timespec="seconds")


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
