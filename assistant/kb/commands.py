"""The bodies of the staff commands of `python -m assistant.kb`: each takes its arguments and returns an exit
code, printing Vietnamese first, English in parentheses."""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from assistant import records
from assistant.kb.diffing import knowledge_diff
from assistant.kb.errors import Problem
from assistant.kb.load import content_hash, load, loaded_meta, read_entries
from assistant.kb.models import EntryRow, has_schema, make_engine
from assistant.kb.provenance import reviews
from assistant.kb.reload_client import not_running, post_reload
from assistant.kb.text_tables import limited, local_time, shorten, stats_table, text_table
from assistant.kb.validate import validate_dir
from assistant.settings import get_settings


def _print_problems(problems: Sequence[Problem], out: TextIO) -> None:
    for problem in problems:
        print(problem, file=out)
    print(f"{len(problems)} lỗi (problems)", file=out)


def check(folder: Path, seeds: Path | None) -> int:
    topics, problems = validate_dir(folder, seeds_dir=seeds)
    if problems:
        _print_problems(problems, sys.stdout)
        return 1
    count = sum(len(entries) for entries in topics.values())
    print(f"OK: {count} mục, {len(topics)} chủ đề, không có lỗi ({count} entries, no problems) — {folder}")
    today = date.today()
    due = [r for r in reviews(topics, folder.name) if r.review_by <= today]
    print(f"Cần kiểm tra lại: {len(due)} dữ kiện (due for review: {len(due)} facts)")
    for review in due:
        print(
            f"{review.file}:{review.line}: {review.entry} {review.what} "
            f"(as_of {review.as_of}, review_by {review.review_by.isoformat()})"
        )
    return 0


def load_folder(folder: Path, database_url: str | None) -> int:
    topics, problems = validate_dir(folder)
    if problems:
        _print_problems(problems, sys.stderr)
        print("Không nạp vì tri thức có lỗi (not loaded: the knowledge has problems)", file=sys.stderr)
        return 1
    engine = make_engine(database_url or get_settings().database_url)
    try:
        with Session(engine, future=True) as session, session.begin():
            result = load(session, topics)
    finally:
        engine.dispose()
    short = result.content_hash[:12]
    if result.changed:
        print(f"Đã nạp {result.entry_count} mục (loaded {result.entry_count} entries), hash {short}")
    else:
        print(f"Không đổi: nội dung đã được nạp (unchanged: already loaded), hash {short}")
    return 0


def stats(folder: Path) -> int:
    topics, problems = validate_dir(folder)
    print(stats_table(topics))
    if problems:
        print(
            f"Cảnh báo: {len(problems)} lỗi, chạy 'check' (warning: {len(problems)} problems, run 'check')",
            file=sys.stderr,
        )
    return 0


def _database_missing(url: str) -> bool:
    """True for a SQLite file that does not exist (reading it must not create it)."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return False
    return not Path(database).expanduser().exists()


@contextmanager
def _session(database_url: str | None) -> Iterator[Session | None]:
    """A session on the database (None when its SQLite file does not exist), committed at the end."""
    url = database_url or get_settings().database_url
    if _database_missing(url):
        yield None
        return
    engine = make_engine(url)
    try:
        with Session(engine, future=True) as session, session.begin():
            yield session
    finally:
        engine.dispose()


def diff(folder: Path, database_url: str | None) -> int:
    topics, problems = validate_dir(folder)
    if problems:
        _print_problems(problems, sys.stdout)
        print("Không so sánh vì tri thức có lỗi (not compared: the knowledge has problems)")
        return 1
    with _session(database_url) as session:
        meta = loaded_meta(session) if session is not None else None
        loaded = read_entries(session) if session is not None else {}
    count = sum(len(entries) for entries in topics.values())
    digest = content_hash(topics)
    print(f"Thư mục (folder): {count} mục (entries), hash {digest[:12]} — {folder}")
    if meta is None:
        print("Đã nạp (loaded): chưa có gì (nothing loaded yet)")
    else:
        when = local_time(meta.loaded_at)
        print(
            f"Đã nạp (loaded): {meta.entry_count} mục (entries), hash {meta.content_hash[:12]}, lúc (at) {when}"
        )
    changes = knowledge_diff(topics, loaded)
    for topic, diff in changes.items():
        print(f"{topic}:")
        for entry_id in diff.added:
            print(f"  + {entry_id}")
        for entry_id in diff.removed:
            print(f"  - {entry_id}")
        for entry_id, fields in diff.changed.items():
            print(f"  ~ {entry_id}: {', '.join(fields)}")
    added = sum(len(d.added) for d in changes.values())
    removed = sum(len(d.removed) for d in changes.values())
    changed = sum(len(d.changed) for d in changes.values())
    if changes:
        print(f"Tổng (total): {added} thêm (added), {removed} bỏ (removed), {changed} đổi (changed)")
    elif meta is not None and meta.content_hash != digest:
        print(
            "Không có mục nào đổi, chỉ vị trí trong tệp đổi (no entry changed, only positions in the files)"
        )
    else:
        print("Không có thay đổi (no changes)")
    return 0


def reload(folder: Path, database_url: str | None, port: int | None) -> int:
    port = port or get_settings().action_port
    try:
        status, body = post_reload(port)
    except urllib.error.URLError as error:
        if not not_running(error):
            print(
                f"Lỗi khi gọi máy chủ hành động (error calling the action server): {error.reason}",
                file=sys.stderr,
            )
            return 2
        print(
            f"Máy chủ hành động không chạy trên cổng {port}: nạp thẳng vào cơ sở dữ liệu "
            f"(the action server is not running on port {port}: loading into the database directly)"
        )
        return load_folder(folder, database_url)
    except (TimeoutError, OSError) as error:
        print(f"Lỗi khi gọi máy chủ hành động (error calling the action server): {error}", file=sys.stderr)
        return 2
    if status == 200 and body.get("ok"):
        short = str(body.get("content_hash") or "")[:12]
        state = "đã nạp mới (reloaded)" if body.get("changed") else "không đổi (unchanged)"
        print(f"Máy chủ (server): {state}, {body.get('entries', 0)} mục (entries), hash {short}")
        return 0
    for problem in body.get("problems") or []:
        print(problem)
    if body.get("problems"):
        print(
            f"{len(body['problems'])} lỗi: máy chủ vẫn dùng tri thức cũ "
            f"({len(body['problems'])} problems: the server keeps the previous knowledge)"
        )
        return 1
    print(
        f"Máy chủ từ chối (server refused): HTTP {status} {body.get('error', '')}".rstrip(), file=sys.stderr
    )
    return 2


def unanswered(database_url: str | None, since: date | None, csv_path: Path | None, limit: int) -> int:
    with _session(database_url) as session:
        groups = records.unanswered_report(session, since=since) if session is not None else []
    if csv_path is not None:
        with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
            records.write_unanswered_csv(groups, handle)
    if not groups:
        print("Chưa có câu hỏi nào chưa trả lời được (no unanswered questions)")
    else:
        header = [
            "#",
            "số lần (count)",
            "ngôn ngữ (lang)",
            "kênh (channel)",
            "lần cuối (last)",
            "câu hỏi (example)",
        ]
        rows = [
            [
                str(n),
                str(g.count),
                ",".join(g.languages),
                ",".join(g.channels),
                local_time(g.last_at),
                shorten(g.example, 70),
            ]
            for n, g in enumerate(limited(groups, limit), start=1)
        ]
        print(text_table(header, rows, right=(0, 1)))
        total = sum(g.count for g in groups)
        print(f"{total} câu hỏi, {len(groups)} nhóm ({total} questions, {len(groups)} groups)")
    if csv_path is not None:
        print(f"Đã ghi CSV (CSV written): {csv_path}")
    return 0


def _entry_names(session: Session) -> dict[str, str]:
    """The Vietnamese name of every loaded entry, by "topic:id"."""
    if not has_schema(session):
        return {}
    query = select(EntryRow.topic, EntryRow.entry_id, EntryRow.name_vi)
    return {f"{topic}:{entry_id}": name for topic, entry_id, name in session.execute(query)}


def feedback(database_url: str | None, since: date | None, csv_path: Path | None, limit: int) -> int:
    with _session(database_url) as session:
        report = records.feedback_report(session, since=since) if session is not None else []
        names = _entry_names(session) if session is not None else {}
    if csv_path is not None:
        with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
            records.write_feedback_csv(report, handle, names)
    if not report:
        print("Chưa có đánh giá nào (no feedback yet)")
    else:
        header = [
            "mục (entry)",
            "tên (name)",
            "hữu ích (helpful)",
            "chưa đúng (wrong)",
            "% chưa đúng (wrong)",
        ]
        rows = [
            [
                r.entry,
                shorten(names.get(r.entry, "?"), 40),
                str(r.helpful),
                str(r.wrong),
                f"{r.wrong_share:.0%}",
            ]
            for r in limited(report, limit)
        ]
        print(text_table(header, rows, right=(2, 3, 4)))
        helpful = sum(r.helpful for r in report)
        wrong = sum(r.wrong for r in report)
        print(
            f"{len(report)} mục: {helpful} hữu ích, {wrong} chưa đúng ({len(report)} entries: {helpful} helpful, {wrong} wrong)"
        )
        if any(r.entry not in names for r in report):
            print("'?': mục không còn trong tri thức đã nạp (entry no longer in the loaded knowledge)")
    if csv_path is not None:
        print(f"Đã ghi CSV (CSV written): {csv_path}")
    return 0
