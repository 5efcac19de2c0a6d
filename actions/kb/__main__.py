"""Staff command line of the knowledge base: python -m actions.kb {check,load,stats,diff,reload,unanswered,feedback}.

check, load, stats and diff work on the knowledge folder (and DATABASE_URL); reload asks the running action
server to reload now; unanswered and feedback report what was recorded by actions/records.py.
The Rasa action server imports every module of the actions package, so nothing here runs at import time.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from actions import records
from actions.kb import schema
from actions.kb.entry import Entry
from actions.kb.errors import KnowledgeError, Problem
from actions.kb.load import content_hash, load, loaded_meta, read_entries
from actions.kb.models import EntryRow, has_schema, make_engine
from actions.kb.validate import validate_dir
from actions.settings import get_settings

COMMANDS = ("check", "load", "stats", "diff", "reload", "unanswered", "feedback")
RELOAD_TIMEOUT = 120.0  # seconds the action server may take to validate and load


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m actions.kb",
        description=(
            "Công cụ cho cán bộ: kiểm tra, nạp, so sánh và thống kê kho tri thức; câu hỏi chưa trả lời được "
            "và đánh giá của người dùng (staff tool: check, load, compare and count the knowledge base; "
            "unanswered questions and user feedback)."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{" + ",".join(COMMANDS) + "}")
    folder_help = "thư mục tri thức, mặc định KNOWLEDGE_DIR (knowledge folder, default KNOWLEDGE_DIR)"
    check = commands.add_parser(
        "check",
        help="kiểm tra các tệp tri thức (validate the knowledge files)",
        description="Kiểm tra mọi tệp tri thức; mã thoát 1 khi có lỗi (exit code 1 when there are problems).",
    )
    check.add_argument("--dir", type=Path, help=folder_help)
    check.add_argument(
        "--seeds",
        type=Path,
        help="thư mục tài liệu nguồn để kiểm tra tên tệp seed (folder of seed files to check seed names)",
    )
    load_cmd = commands.add_parser(
        "load",
        help="kiểm tra rồi nạp vào DATABASE_URL (validate, then load into DATABASE_URL)",
        description="Từ chối nạp khi tri thức có lỗi (refuses to load invalid knowledge).",
    )
    load_cmd.add_argument("--dir", type=Path, help=folder_help)
    load_cmd.add_argument("--database-url", help="mặc định DATABASE_URL (default DATABASE_URL)")
    stats = commands.add_parser(
        "stats",
        help="số mục theo chủ đề và tỉnh (entries per topic and province)",
        description="In bảng số mục theo chủ đề và tỉnh (print entries per topic and province).",
    )
    stats.add_argument("--dir", type=Path, help=folder_help)
    _add_staff_commands(commands, folder_help)
    return parser


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"ngày không hợp lệ, cần YYYY-MM-DD (not a date): {text!r}"
        ) from None


def _add_staff_commands(commands: Any, folder_help: str) -> None:
    database_help = "mặc định DATABASE_URL (default DATABASE_URL)"
    since_help = "chỉ tính từ ngày này, giờ Việt Nam (only since this day, Vietnam time), YYYY-MM-DD"
    csv_help = "ghi toàn bộ ra tệp CSV UTF-8 mở được bằng Excel (write everything to a CSV file for Excel)"
    limit_help = "số dòng tối đa của bảng, 0 = tất cả (most rows in the table, 0 = all); mặc định 30"
    diff = commands.add_parser(
        "diff",
        help="so sánh thư mục với tri thức đã nạp (compare the folder with the loaded knowledge)",
        description=(
            "Kiểm tra thư mục rồi liệt kê mục thêm (+), bỏ (-), đổi (~) theo chủ đề so với DATABASE_URL; "
            "mã thoát 1 khi tri thức có lỗi (list added, removed and changed entries per topic; "
            "exit code 1 when the knowledge has problems)."
        ),
    )
    diff.add_argument("--dir", type=Path, help=folder_help)
    diff.add_argument("--database-url", help=database_help)
    reload = commands.add_parser(
        "reload",
        help="yêu cầu máy chủ hành động nạp lại ngay (ask the running action server to reload now)",
        description=(
            "Gửi POST /knowledge/reload tới máy chủ hành động trên 127.0.0.1:ACTION_PORT; nếu máy chủ không "
            "chạy thì nạp thẳng vào DATABASE_URL (if the server is not running, load into the database)."
        ),
    )
    reload.add_argument("--port", type=int, help="mặc định ACTION_PORT (default ACTION_PORT)")
    reload.add_argument("--dir", type=Path, help=folder_help)
    reload.add_argument("--database-url", help=database_help)
    unanswered = commands.add_parser(
        "unanswered",
        help="câu hỏi chưa trả lời được, gộp nhóm (unanswered questions, grouped)",
        description=(
            "Gộp các câu hỏi gần giống nhau và xếp theo số lần hỏi (near-duplicate unanswered questions "
            "grouped, most frequent first)."
        ),
    )
    unanswered.add_argument("--since", type=_day, help=since_help)
    unanswered.add_argument("--csv", type=Path, metavar="FILE", help=csv_help)
    unanswered.add_argument("--limit", type=int, default=30, help=limit_help)
    unanswered.add_argument("--database-url", help=database_help)
    feedback = commands.add_parser(
        "feedback",
        help="đánh giá 'hữu ích / chưa đúng' theo mục (helpful / wrong feedback per entry)",
        description=(
            "Số lần 'hữu ích' và 'chưa đúng' theo từng mục tri thức, mục bị chê nhiều nhất trước "
            "(helpful and wrong counts per knowledge entry, most 'wrong' first)."
        ),
    )
    feedback.add_argument("--since", type=_day, help=since_help)
    feedback.add_argument("--csv", type=Path, metavar="FILE", help=csv_help)
    feedback.add_argument("--limit", type=int, default=30, help=limit_help)
    feedback.add_argument("--database-url", help=database_help)


def _print_problems(problems: Sequence[Problem], out: TextIO) -> None:
    for problem in problems:
        print(problem, file=out)
    print(f"{len(problems)} lỗi (problems)", file=out)


def _check(folder: Path, seeds: Path | None) -> int:
    topics, problems = validate_dir(folder, seeds_dir=seeds)
    if problems:
        _print_problems(problems, sys.stdout)
        return 1
    count = sum(len(entries) for entries in topics.values())
    print(f"OK: {count} mục, {len(topics)} chủ đề, không có lỗi ({count} entries, no problems) — {folder}")
    return 0


def _load(folder: Path, database_url: str | None) -> int:
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


def stats_table(topics: dict[str, list[Entry]]) -> str:
    """A plain-text table: one row per topic, one column per province, with totals."""
    provinces = list(schema.PROVINCES)
    header = ["chủ đề (topic)", *provinces, "tổng (total)"]
    rows = []
    for topic in schema.TOPIC_FIELDS:
        entries = topics.get(topic, [])
        counts = [sum(1 for e in entries if e.province == p) for p in provinces]
        rows.append([topic, *map(str, counts), str(len(entries))])
    totals = [sum(int(row[i + 1]) for row in rows) for i in range(len(provinces) + 1)]
    rows.append(["tổng (total)", *map(str, totals)])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows[:-1]), rule, line(rows[-1])])


def _stats(folder: Path) -> int:
    topics, problems = validate_dir(folder)
    print(stats_table(topics))
    if problems:
        print(
            f"Cảnh báo: {len(problems)} lỗi, chạy 'check' (warning: {len(problems)} problems, run 'check')",
            file=sys.stderr,
        )
    return 0


# ---------------------------------------------------------------------------------------------------------
# diff


@dataclass
class TopicDiff:
    """Entry ids of one topic added to, removed from or changed in the folder, against the loaded knowledge."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # id -> names of the changed fields

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def knowledge_diff(folder: dict[str, list[Entry]], loaded: dict[str, list[Entry]]) -> dict[str, TopicDiff]:
    """What loading `folder` would change, per topic (topics without changes are left out)."""
    result: dict[str, TopicDiff] = {}
    for topic in sorted(set(folder) | set(loaded)):
        new = {e.id: e.to_json() for e in folder.get(topic, [])}
        old = {e.id: e.to_json() for e in loaded.get(topic, [])}
        diff = TopicDiff(
            added=[i for i in new if i not in old],
            removed=[i for i in old if i not in new],
        )
        for entry_id in new.keys() & old.keys():
            fields = sorted(
                k
                for k in new[entry_id].keys() | old[entry_id].keys()
                if new[entry_id].get(k) != old[entry_id].get(k)
            )
            if fields:
                diff.changed[entry_id] = fields
        diff.changed = dict(sorted(diff.changed.items()))
        if diff:
            result[topic] = diff
    return result


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


def _diff(folder: Path, database_url: str | None) -> int:
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
        when = _local_time(meta.loaded_at)
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


# ---------------------------------------------------------------------------------------------------------
# reload


def _post_reload(port: int) -> tuple[int, dict[str, Any]]:
    """POST /knowledge/reload to the action server on this machine: (HTTP status, JSON body)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/knowledge/reload", data=b"", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=RELOAD_TIMEOUT) as reply:  # noqa: S310 (fixed http URL)
            return reply.status, json.loads(reply.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        body = error.read().decode("utf-8", errors="replace")
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, {"ok": False, "error": body[:200]}


def _not_running(error: urllib.error.URLError) -> bool:
    return isinstance(error.reason, ConnectionRefusedError)


def _reload(folder: Path, database_url: str | None, port: int | None) -> int:
    port = port or get_settings().action_port
    try:
        status, body = _post_reload(port)
    except urllib.error.URLError as error:
        if not _not_running(error):
            print(
                f"Lỗi khi gọi máy chủ hành động (error calling the action server): {error.reason}",
                file=sys.stderr,
            )
            return 2
        print(
            f"Máy chủ hành động không chạy trên cổng {port}: nạp thẳng vào cơ sở dữ liệu "
            f"(the action server is not running on port {port}: loading into the database directly)"
        )
        return _load(folder, database_url)
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


# ---------------------------------------------------------------------------------------------------------
# unanswered and feedback


def _local_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(records.LOCAL_TIME_ZONE).strftime("%Y-%m-%d %H:%M")


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A plain-text table; columns whose index is in `right` are right-aligned (numbers)."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def _limited(items: list[Any], limit: int) -> list[Any]:
    return items if limit <= 0 else items[:limit]


def _unanswered(database_url: str | None, since: date | None, csv_path: Path | None, limit: int) -> int:
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
                _local_time(g.last_at),
                _shorten(g.example, 70),
            ]
            for n, g in enumerate(_limited(groups, limit), start=1)
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


def _feedback(database_url: str | None, since: date | None, csv_path: Path | None, limit: int) -> int:
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
                _shorten(names.get(r.entry, "?"), 40),
                str(r.helpful),
                str(r.wrong),
                f"{r.wrong_share:.0%}",
            ]
            for r in _limited(report, limit)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = _parser().parse_args(argv)
    folder = getattr(args, "dir", None) or get_settings().knowledge_dir
    try:
        if args.command == "check":
            return _check(folder, args.seeds)
        if args.command == "load":
            return _load(folder, args.database_url)
        if args.command == "diff":
            return _diff(folder, args.database_url)
        if args.command == "reload":
            return _reload(folder, args.database_url, args.port)
        if args.command == "unanswered":
            return _unanswered(args.database_url, args.since, args.csv, args.limit)
        if args.command == "feedback":
            return _feedback(args.database_url, args.since, args.csv, args.limit)
        return _stats(folder)
    except KnowledgeError as exc:
        print(f"Lỗi (error): {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
