"""python -m assistant.kb diff, reload, unanswered and feedback, run through main([...])."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session

from assistant.kb.__main__ import main
from assistant.kb.diffing import knowledge_diff
from assistant.kb.load import loaded_meta
from assistant.kb.models import make_engine
from assistant.kb.validate import validate_dir
from assistant.records import (
    FEEDBACK_CSV_HEADER,
    PHONE_LABEL,
    UNANSWERED_CSV_HEADER,
    record_feedback,
    record_unanswered,
)
from assistant.settings import get_settings
from runtime.harness import free_port
from tests.kb.conftest import VALID, knowledge_copy

T0 = datetime(2024, 5, 1, 3, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """KNOWLEDGE_DIR (a copy of the valid fixture) and DATABASE_URL (SQLite file or PostgreSQL) set."""
    folder = knowledge_copy(tmp_path)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(folder))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ACTION_PORT", str(free_port()))  # nothing listens there
    yield folder, database_url


def _edit(folder: Path, file_name: str, change: Any) -> None:
    """Read knowledge/<file_name>, let `change` edit its entry list, write it back."""
    path = folder / file_name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["entries"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _by_id(entries: list[dict[str, Any]], entry_id: str) -> dict[str, Any]:
    return next(e for e in entries if e["id"] == entry_id)


def _change_description(entries: list[dict[str, Any]]) -> None:
    _by_id(entries, "hue-imperial-city")["description"]["vi"] = "Mô tả mới (mẫu)."


def _remove_pagoda(entries: list[dict[str, Any]]) -> None:
    entries.remove(_by_id(entries, "thien-mu-pagoda"))


def _add_event(entries: list[dict[str, Any]]) -> None:
    copy = dict(_by_id(entries, "national-dx-day-2023"))
    copy["id"] = "national-dx-day-2024"
    copy["name"] = {
        "vi": "Ngày Chuyển đổi số quốc gia 2024",
        "en": "National Digital Transformation Day 2024",
    }
    entries.append(copy)


def test_diff(env: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    folder, _ = env
    assert main(["diff"]) == 0
    out = capsys.readouterr().out
    assert "chưa có gì (nothing loaded yet)" in out
    assert "  + hue-imperial-city" in out
    assert out.rstrip().endswith("Tổng (total): 24 thêm (added), 0 bỏ (removed), 0 đổi (changed)")

    assert main(["load"]) == 0
    capsys.readouterr()
    assert main(["diff"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("Không có thay đổi (no changes)")

    _edit(folder, "heritage_sites.yml", _change_description)
    _edit(folder, "heritage_sites.yml", _remove_pagoda)
    _edit(folder, "events.yml", _add_event)
    assert main(["diff"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2:] == [
        "events:",
        "  + national-dx-day-2024",
        "heritage_sites:",
        "  - thien-mu-pagoda",
        "  ~ hue-imperial-city: description",
        "Tổng (total): 1 thêm (added), 1 bỏ (removed), 1 đổi (changed)",
    ]
    assert lines[0].startswith("Thư mục (folder): 24 mục")
    assert lines[1].startswith("Đã nạp (loaded): 24 mục")


def test_diff_of_invalid_knowledge_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "db" / "knowledge.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    assert main(["diff", "--dir", str(knowledge_copy(tmp_path, "duplicate_id"))]) == 1
    out = capsys.readouterr().out
    assert "not compared" in out and "1 lỗi (problems)" in out
    assert not database.exists()


def test_diff_without_database_creates_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "db" / "knowledge.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(knowledge_copy(tmp_path)))
    assert main(["diff"]) == 0
    assert "24 thêm (added)" in capsys.readouterr().out
    assert main(["unanswered"]) == 0
    assert main(["feedback"]) == 0
    assert not database.exists() and not database.parent.exists()


def test_knowledge_diff_function() -> None:
    topics, _ = validate_dir(VALID)
    assert knowledge_diff(topics, topics) == {}
    added = knowledge_diff(topics, {})
    assert sum(len(d.added) for d in added.values()) == 24
    removed = knowledge_diff({}, topics)
    assert sum(len(d.removed) for d in removed.values()) == 24


def test_reload_without_server_loads_directly(
    env: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, url = env
    assert main(["reload"]) == 0
    out = capsys.readouterr().out
    assert "not running" in out and "loaded 24 entries" in out
    engine = make_engine(url)
    try:
        with Session(engine, future=True) as session:
            meta = loaded_meta(session)
    finally:
        engine.dispose()
    assert meta is not None and meta.entry_count == 24


def test_reload_without_server_refuses_invalid_knowledge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db' / 'knowledge.db'}")
    monkeypatch.setenv("ACTION_PORT", str(free_port()))
    assert main(["reload", "--dir", str(knowledge_copy(tmp_path, "duplicate_id"))]) == 1
    assert "not loaded" in capsys.readouterr().err


def _record_questions(url: str) -> None:
    engine = make_engine(url)
    try:
        with Session(engine, future=True) as session, session.begin():
            for minutes, text, language, channel in [
                (0, "Cho mình hỏi Hội An ở đâu vậy?", "vi", "telegram"),
                (1, "hoi an o dau", "vi", "web"),
                (2, "Hội An ở đâu, sđt 0905123456", "vi", "telegram"),
                (3, "What is the weather in Hue?", "en", "web"),
                (60 * 24 * 10, "Mỹ Sơn mở cửa mấy giờ", "vi", "web"),
            ]:
                record_unanswered(
                    session,
                    text,
                    language,
                    channel,
                    "nlu_fallback",
                    {"entities": []},
                    asked_at=T0 + timedelta(minutes=minutes),
                )
    finally:
        engine.dispose()


def test_unanswered_table_and_csv(
    env: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, url = env
    assert main(["unanswered"]) == 0
    assert "no unanswered questions" in capsys.readouterr().out
    _record_questions(url)
    target = tmp_path / "out" / "unanswered.csv"
    target.parent.mkdir()
    assert main(["unanswered", "--csv", str(target)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["#", "số", "lần"]
    assert lines[2].split()[:5] == ["1", "3", "vi", "telegram,web", "2024-05-01"]
    assert lines[2].endswith("Cho mình hỏi Hội An ở đâu vậy?")
    assert [line.split()[1] for line in lines[3:5]] == ["1", "1"]
    assert lines[3].endswith("Mỹ Sơn mở cửa mấy giờ")  # the most recent first among equals
    assert "5 câu hỏi, 3 nhóm (5 questions, 3 groups)" in lines
    assert lines[-1] == f"Đã ghi CSV (CSV written): {target}"

    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == UNANSWERED_CSV_HEADER
    assert [row[0] for row in rows[1:]] == ["3", "1", "1"]
    assert f"Hội An ở đâu, sđt {PHONE_LABEL}" in rows[1][2]
    assert "0905123456" not in raw.decode("utf-8-sig")

    assert main(["unanswered", "--since", "2024-05-05", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "Mỹ Sơn" in out and "Hội An" not in out and "1 câu hỏi, 1 nhóm" in out


def test_unanswered_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["unanswered", "--since", "05/05/2024"])
    assert exit_info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_feedback_table_and_csv(
    env: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, url = env
    assert main(["feedback"]) == 0
    assert "no feedback yet" in capsys.readouterr().out
    assert main(["load"]) == 0
    engine = make_engine(url)
    try:
        with Session(engine, future=True) as session, session.begin():
            for entry, value, sender in [
                ("heritage_sites:hue-imperial-city", "wrong", "u1"),
                ("heritage_sites:hue-imperial-city", "wrong", "u2"),
                ("heritage_sites:hue-imperial-city", "helpful", "u3"),
                ("events:national-dx-day-2023", "helpful", "u1"),
                ("heritage_sites:gone", "wrong", "u1"),
            ]:
                record_feedback(session, entry, value, "vi", "telegram", sender, given_at=T0)
    finally:
        engine.dispose()
    capsys.readouterr()
    target = tmp_path / "feedback.csv"
    assert main(["feedback", "--csv", str(target)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split() == ["heritage_sites:hue-imperial-city", "Hoàng", "thành", "Huế", "1", "2", "67%"]
    assert lines[3].split() == ["heritage_sites:gone", "?", "0", "1", "100%"]
    assert lines[4].split()[0] == "events:national-dx-day-2023"
    assert "3 mục: 2 hữu ích, 3 chưa đúng (3 entries: 2 helpful, 3 wrong)" in lines
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == FEEDBACK_CSV_HEADER
    assert rows[1][:6] == ["heritage_sites:hue-imperial-city", "Hoàng thành Huế", "1", "2", "3", "0.667"]
    assert rows[2][:2] == ["heritage_sites:gone", ""]


def test_help_lists_the_new_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("diff", "reload", "unanswered", "feedback"):
        assert command in out
    assert "câu hỏi chưa trả lời được" in out
