"""Command line of the knowledge base: python -m actions.kb {check,load,stats}.

The Rasa action server imports every module of the actions package, so nothing here runs at import time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from sqlalchemy.orm import Session

from actions.kb import schema
from actions.kb.entry import Entry
from actions.kb.errors import KnowledgeError, Problem
from actions.kb.load import load
from actions.kb.models import make_engine
from actions.kb.validate import validate_dir
from actions.settings import get_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m actions.kb",
        description="Kiểm tra, nạp và thống kê kho tri thức (check, load and count the knowledge base).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{check,load,stats}")
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
    return parser


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = _parser().parse_args(argv)
    folder = args.dir or get_settings().knowledge_dir
    try:
        if args.command == "check":
            return _check(folder, args.seeds)
        if args.command == "load":
            return _load(folder, args.database_url)
        return _stats(folder)
    except KnowledgeError as exc:
        print(f"Lỗi (error): {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
