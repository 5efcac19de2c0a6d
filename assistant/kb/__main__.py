"""Staff command line of the knowledge base: python -m assistant.kb {check,load,stats,diff,reload,unanswered,feedback}.

check, load, stats and diff work on the knowledge folder (and DATABASE_URL); reload asks the running action
server to reload now; unanswered and feedback report what was recorded by assistant/records.
The command bodies are in commands.py; nothing runs at import time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from assistant.kb import commands
from assistant.kb.errors import KnowledgeError
from assistant.settings import get_settings

COMMANDS = ("check", "load", "stats", "diff", "reload", "unanswered", "feedback")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.kb",
        description=(
            "Công cụ cho cán bộ: kiểm tra, nạp, so sánh và thống kê kho tri thức; câu hỏi chưa trả lời được "
            "và đánh giá của người dùng (staff tool: check, load, compare and count the knowledge base; "
            "unanswered questions and user feedback)."
        ),
    )
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="{" + ",".join(COMMANDS) + "}")
    folder_help = "thư mục tri thức, mặc định KNOWLEDGE_DIR (knowledge folder, default KNOWLEDGE_DIR)"
    check = subcommands.add_parser(
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
    load_cmd = subcommands.add_parser(
        "load",
        help="kiểm tra rồi nạp vào DATABASE_URL (validate, then load into DATABASE_URL)",
        description="Từ chối nạp khi tri thức có lỗi (refuses to load invalid knowledge).",
    )
    load_cmd.add_argument("--dir", type=Path, help=folder_help)
    load_cmd.add_argument("--database-url", help="mặc định DATABASE_URL (default DATABASE_URL)")
    stats = subcommands.add_parser(
        "stats",
        help="số mục theo chủ đề và tỉnh (entries per topic and province)",
        description="In bảng số mục theo chủ đề và tỉnh (print entries per topic and province).",
    )
    stats.add_argument("--dir", type=Path, help=folder_help)
    _add_staff_commands(subcommands, folder_help)
    return parser


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"ngày không hợp lệ, cần YYYY-MM-DD (not a date): {text!r}"
        ) from None


def _add_staff_commands(subcommands: Any, folder_help: str) -> None:
    database_help = "mặc định DATABASE_URL (default DATABASE_URL)"
    since_help = "chỉ tính từ ngày này, giờ Việt Nam (only since this day, Vietnam time), YYYY-MM-DD"
    csv_help = "ghi toàn bộ ra tệp CSV UTF-8 mở được bằng Excel (write everything to a CSV file for Excel)"
    limit_help = "số dòng tối đa của bảng, 0 = tất cả (most rows in the table, 0 = all); mặc định 30"
    diff = subcommands.add_parser(
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
    reload = subcommands.add_parser(
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
    unanswered = subcommands.add_parser(
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
    feedback = subcommands.add_parser(
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = _parser().parse_args(argv)
    folder = getattr(args, "dir", None) or get_settings().knowledge_dir
    try:
        if args.command == "check":
            return commands.check(folder, args.seeds)
        if args.command == "load":
            return commands.load_folder(folder, args.database_url)
        if args.command == "diff":
            return commands.diff(folder, args.database_url)
        if args.command == "reload":
            return commands.reload(folder, args.database_url, args.port)
        if args.command == "unanswered":
            return commands.unanswered(args.database_url, args.since, args.csv, args.limit)
        if args.command == "feedback":
            return commands.feedback(args.database_url, args.since, args.csv, args.limit)
        return commands.stats(folder)
    except KnowledgeError as exc:
        print(f"Lỗi (error): {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
