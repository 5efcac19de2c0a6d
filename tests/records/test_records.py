"""Recording unanswered questions and feedback, grouping and reports, on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.kb.load import load
from assistant.kb.validate import validate_dir
from assistant.records import (
    EMAIL_LABEL,
    FEEDBACK_CSV_HEADER,
    ID_LABEL,
    PHONE_LABEL,
    UNANSWERED_CSV_HEADER,
    FeedbackRow,
    UnansweredRow,
    feedback_report,
    near_duplicates,
    question_key,
    record_feedback,
    record_unanswered,
    since_utc,
    unanswered_report,
    write_feedback_csv,
    write_unanswered_csv,
)
from assistant.settings import PROJECT_ROOT
from tests.kb.conftest import VALID

T0 = datetime(2024, 5, 1, 3, 0, tzinfo=timezone.utc)  # 10:00 in Vietnam


def _tables(sessions: sessionmaker) -> set[str]:
    with sessions() as session:
        return set(inspect(session.connection()).get_table_names())


def test_record_unanswered_redacts_and_creates_the_table(sessions: sessionmaker) -> None:
    assert "unanswered_questions" not in _tables(sessions)
    text = "Cho mình hỏi thủ tục cấp lại CCCD 079123456789, sđt 0905 123 456, email a.b@gmail.com"
    tried = {"intent": "nlu_fallback", "entities": [{"entity": "phone", "value": "0905123456"}]}
    with sessions.begin() as session:
        row_id = record_unanswered(session, text, "vi", "telegram", "nlu_fallback", tried, asked_at=T0)
    with sessions() as session:
        row = session.get(UnansweredRow, row_id)
        assert row is not None
        assert row.text_redacted == (
            f"Cho mình hỏi thủ tục cấp lại CCCD {ID_LABEL}, sđt {PHONE_LABEL}, email {EMAIL_LABEL}"
        )
        assert "0905" not in row.tried and json.loads(row.tried)["entities"][0]["value"] == PHONE_LABEL
        assert row.folded_key == "thu tuc cap lai cccd sdt email"
        assert (row.language, row.channel, row.intent) == ("vi", "telegram", "nlu_fallback")
        asked_at = row.asked_at if row.asked_at.tzinfo else row.asked_at.replace(tzinfo=timezone.utc)
        assert asked_at == T0


def test_nothing_personal_is_stored(sessions: sessionmaker) -> None:
    with sessions.begin() as session:
        record_unanswered(session, "0905123456 a@b.vn 079123456789", "vi", "web", None, "0914 123 456")
        record_feedback(
            session, "heritage_sites:hue-imperial-city", "wrong", "vi", "web", "telegram:123456789"
        )
    with sessions() as session:
        stored = [str(v) for row in session.execute(select(UnansweredRow.__table__)) for v in row]
        stored += [str(v) for row in session.execute(select(FeedbackRow.__table__)) for v in row]
    joined = " ".join(stored)
    for secret in ("0905123456", "a@b.vn", "079123456789", "0914", "telegram:123456789", "123456789"):
        assert secret not in joined
    assert hashlib.sha256(b"telegram:123456789").hexdigest() in stored


def test_long_text_is_cut_after_redaction(sessions: sessionmaker) -> None:
    text = "x" * 995 + " 0905123456 " + "y" * 100
    with sessions.begin() as session:
        row_id = record_unanswered(session, text, "vi", "web", None)
    with sessions() as session:
        row = session.get(UnansweredRow, row_id)
        assert row is not None and len(row.text_redacted) == 1000 and "0905" not in row.text_redacted


def test_same_database_as_the_knowledge(sessions: sessionmaker) -> None:
    topics, problems = validate_dir(VALID)
    assert not problems
    with sessions.begin() as session:
        load(session, topics)
        record_unanswered(session, "Hội An ở đâu", "vi", "web", "nlu_fallback")
        record_feedback(session, "heritage_sites:hue-imperial-city", "helpful", "vi", "web", "u1")
    assert {"kb_entries", "kb_meta", "unanswered_questions", "feedback"} <= _tables(sessions)


def _ask(session: Session, text: str, minutes: int, language: str = "vi", channel: str = "telegram") -> None:
    record_unanswered(
        session, text, language, channel, "nlu_fallback", {}, asked_at=T0 + timedelta(minutes=minutes)
    )


def test_report_groups_near_duplicates_and_ranks_by_count(sessions: sessionmaker) -> None:
    with sessions.begin() as session:
        _ask(session, "Cho mình hỏi Hội An ở đâu vậy?", 0)
        _ask(session, "hội an ở đâu", 1, channel="web")
        _ask(session, "hoi an o dau", 2)
        _ask(session, "Hội An ở đâu z", 3)  # one more word: Jaccard 4/5
        _ask(session, "hoian o dau", 4)  # one typo in the whole key
        _ask(session, "giá vé Đại Nội năm 2024 bao nhiêu", 5)
        _ask(session, "gia ve dai noi nam 2024 bao nhieu?", 6)
        _ask(session, "giá vé Đai Nôi năm 2024 bao nhieu", 7)  # one-letter typos in two words
        _ask(session, "giá vé Đại Nội năm 2023 bao nhiêu", 8)  # another year: another question
        _ask(session, "What's the weather in Hue?", 9, language="en", channel="web")
        _ask(session, "Hội An có gì chơi", 10)  # same place, another question
    with sessions() as session:
        groups = unanswered_report(session)
    assert [g.count for g in groups] == [5, 3, 1, 1, 1]
    hoi_an, ticket = groups[0], groups[1]
    assert hoi_an.key == "hoi an o dau"
    assert hoi_an.example in ("Cho mình hỏi Hội An ở đâu vậy?", "hội an ở đâu", "Hội An ở đâu z")
    assert len(hoi_an.variants) == 5
    assert hoi_an.channels == ("telegram", "web") and hoi_an.languages == ("vi",)
    assert hoi_an.first_at == T0 and hoi_an.last_at == T0 + timedelta(minutes=4)
    assert ticket.example == "giá vé Đại Nội năm 2024 bao nhiêu"  # written with diacritics, oldest
    assert "2023" not in " ".join(ticket.variants)
    singles = {g.example for g in groups[2:]}
    assert singles == {"giá vé Đại Nội năm 2023 bao nhiêu", "What's the weather in Hue?", "Hội An có gì chơi"}
    # among equal counts, the most recent first
    assert [g.last_at for g in groups[2:]] == sorted((g.last_at for g in groups[2:]), reverse=True)


def test_report_since(sessions: sessionmaker) -> None:
    with sessions.begin() as session:
        _ask(session, "Hội An ở đâu", -60 * 24 * 3)
        _ask(session, "Hội An ở đâu", 0)
        _ask(session, "Mỹ Sơn ở đâu", 0)
    with sessions() as session:
        assert [g.count for g in unanswered_report(session)] == [2, 1]
        recent = unanswered_report(session, since=date(2024, 5, 1))
        assert sorted(g.count for g in recent) == [1, 1]
        assert unanswered_report(session, since=date(2024, 5, 2)) == []
        # a date is a day in Vietnam: 2024-05-01 starts at 2024-04-30 17:00 UTC
        assert since_utc(date(2024, 5, 1)) == datetime(2024, 4, 30, 17, 0, tzinfo=timezone.utc)
        assert len(unanswered_report(session, since=T0)) == 2
        assert unanswered_report(session, since=T0 + timedelta(seconds=1)) == []


def test_reports_without_tables_are_empty_and_create_nothing(sessions: sessionmaker) -> None:
    with sessions.begin() as session:
        assert unanswered_report(session) == []
        assert feedback_report(session) == []
    assert not {"unanswered_questions", "feedback"} & _tables(sessions)


def test_feedback_report(sessions: sessionmaker) -> None:
    citadel, pagoda, week = (
        "heritage_sites:hue-imperial-city",
        "heritage_sites:thien-mu-pagoda",
        "events:national-dx-day-2023",
    )
    with sessions.begin() as session:
        for n, (entry, value, sender) in enumerate(
            [
                (citadel, "helpful", "u1"),
                (citadel, "wrong", "u2"),
                (citadel, "wrong", "u3"),
                (pagoda, "helpful", "u1"),
                (pagoda, "helpful", "u2"),
                (pagoda, "wrong", "u2"),
                (week, "wrong", "u4"),
                (week, "helpful", None),
            ]
        ):
            record_feedback(session, entry, value, "vi", "web", sender, given_at=T0 + timedelta(minutes=n))
    with sessions() as session:
        report = feedback_report(session)
        assert feedback_report(session, since=T0 + timedelta(minutes=6)) and all(
            r.entry == week for r in feedback_report(session, since=T0 + timedelta(minutes=6))
        )
    assert [(r.entry, r.helpful, r.wrong, r.senders) for r in report] == [
        (citadel, 1, 2, 3),
        (week, 1, 1, 1),
        (pagoda, 2, 1, 2),
    ]
    assert report[0].total == 3 and report[0].wrong_share == pytest.approx(2 / 3)
    assert report[1].last_at == T0 + timedelta(minutes=7)


@pytest.mark.parametrize(
    ("entry", "value"),
    [
        ("heritage_sites:x", "maybe"),
        ("heritage_sites:x", "Helpful"),
        ("no-topic", "helpful"),
        (":x", "wrong"),
    ],
)
def test_feedback_refuses_bad_values(sessions: sessionmaker, entry: str, value: str) -> None:
    with sessions.begin() as session, pytest.raises(ValueError):
        record_feedback(session, entry, value, "vi", "web", "u1")


def test_the_database_refuses_other_values(sessions: sessionmaker) -> None:
    with sessions.begin() as session:
        record_feedback(session, "heritage_sites:x", "helpful", "vi", "web", "u1")
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.execute(
            insert(FeedbackRow), [{"given_at": T0, "entry": "heritage_sites:x", "value": "maybe"}]
        )


# Keys and near-duplicates (no database)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Cho mình hỏi Hội An ở đâu vậy ạ?", "hoi an o dau"),
        ("Bạn ơi, chợ Đông Ba ở đâu?", "cho dong ba o dau"),
        ("Lăng Minh Mạng ở đâu", "lang minh mang o dau"),
        ("Can you tell me where My Son is, please?", "where my son"),
        (f"sđt {PHONE_LABEL} hỏi lễ hội", "sdt hoi le hoi"),
        ("ok", "ok"),
        ("ạ", "a"),
    ],
)
def test_question_key(text: str, key: str) -> None:
    assert question_key(text) == key


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("hoi an o dau", "hoi an o dau", True),
        ("hoi an o dau", "hoian o dau", True),
        ("gia ve dai noi nam 2024 bao nhieu", "gia ve dia noi nam 2024 bao nhieu", True),
        ("lang tu duc o dau", "lang tu duc o dau z", True),
        ("le hoi 2022", "le hoi 2023", False),
        ("so khach nam 2022", "so khach nam 2023", False),
        ("hoi an o dau", "my son o dau", False),
        ("hoi an o dau", "hoi an co gi", False),
        ("hue", "hoi", False),
    ],
)
def test_near_duplicates(a: str, b: str, same: bool) -> None:
    assert near_duplicates(a, b) is same
    assert near_duplicates(b, a) is same


# CSV


def test_unanswered_csv(sessions: sessionmaker) -> None:
    with sessions.begin() as session:
        _ask(session, "Hội An ở đâu, gọi 0905123456", 0)
        _ask(session, "hoi an o dau", 1, channel="web")
        _ask(session, 'Giá vé "Đại Nội", bao nhiêu?', 2, language="vi")
    with sessions() as session:
        groups = unanswered_report(session)
    buffer = io.StringIO()
    write_unanswered_csv(groups, buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert tuple(rows[0]) == UNANSWERED_CSV_HEADER
    assert rows[1][0] == "2"
    assert rows[1][1] == f"Hội An ở đâu, gọi {PHONE_LABEL}"
    assert rows[1][2] == f"Hội An ở đâu, gọi {PHONE_LABEL} | hoi an o dau"
    assert rows[1][5] == "telegram | web"
    assert rows[1][7] == "2024-05-01T10:00:00+07:00" and rows[1][8] == "2024-05-01T10:01:00+07:00"
    assert rows[2][1] == 'Giá vé "Đại Nội", bao nhiêu?'
    assert len(rows) == 3


def test_feedback_csv(sessions: sessionmaker) -> None:
    with sessions.begin() as session:
        record_feedback(session, "heritage_sites:a", "wrong", "vi", "web", "u1", given_at=T0)
        record_feedback(session, "heritage_sites:a", "helpful", "en", "telegram", "u2", given_at=T0)
    with sessions() as session:
        report = feedback_report(session)
    buffer = io.StringIO()
    write_feedback_csv(report, buffer, {"heritage_sites:a": "Hoàng thành Huế"})
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert tuple(rows[0]) == FEEDBACK_CSV_HEADER
    assert rows[1] == [
        "heritage_sites:a",
        "Hoàng thành Huế",
        "1",
        "1",
        "2",
        "0.500",
        "2",
        "2024-05-01T10:00:00+07:00",
    ]


def test_importing_does_no_work(tmp_path: Path) -> None:
    code = (
        "import assistant.records\n"
        "from assistant.settings import get_settings\n"
        "print(get_settings.cache_info().currsize)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={"PYTHONPATH": str(PROJECT_ROOT), "DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "0\n"
    assert not (tmp_path / "data").exists()
