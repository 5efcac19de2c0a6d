"""`python -m console`: serve the staff console; `add-user`, `set-password` and `purge-records` for its upkeep.

python -m console                                   # serve on CONSOLE_HOST:CONSOLE_PORT (127.0.0.1:8081)
python -m console add-user NAME [--role editor|viewer] [--password-stdin]
python -m console set-password NAME [--password-stdin]
python -m console purge-records                     # delete records older than RECORDS_RETENTION_DAYS
"""

from __future__ import annotations

import argparse
import getpass
import logging
import re
import sys
from collections.abc import Sequence

from aiohttp import web
from sqlalchemy.orm import sessionmaker

from assistant.kb.models import make_sessionmaker
from assistant.records import purge_records
from assistant.settings import Settings, get_settings
from console import store
from console.app import create_app
from console.auth import hash_password, password_problem
from console.wording import say

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}\Z")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m console",
        description="Bảng điều khiển cho cán bộ (the staff console). Không có lệnh: chạy máy chủ (no command: serve).",
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="chạy bảng điều khiển (serve the console)")
    add = commands.add_parser("add-user", help="tạo tài khoản (create an account)")
    add.add_argument("name", help="tên đăng nhập (user name): letters, digits, . _ @ -")
    add.add_argument(
        "--role", choices=store.ROLES, default=store.VIEWER, help="editor: sửa tri thức; viewer: chỉ xem"
    )
    add.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin")
    reset = commands.add_parser("set-password", help="đặt lại mật khẩu (set a new password)")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin")
    commands.add_parser("purge-records", help="xóa bản ghi quá hạn lưu (delete records past their retention)")
    return parser


def _password(from_stdin: bool) -> str | None:
    """The new password (standard input, or asked twice), or None after saying why it is refused."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(say("prompt_password") + ": ")
        if getpass.getpass(say("prompt_password_again") + ": ") != password:
            print(say("passwords_differ"), file=sys.stderr)
            return None
    problem = password_problem(password)
    if problem:
        print(say(problem), file=sys.stderr)
        return None
    return password


def _sessions(settings: Settings) -> sessionmaker:
    sessions = make_sessionmaker(settings.database_url)
    with sessions.begin() as session:
        store.create_console_schema(session.connection())
    return sessions


def add_user(settings: Settings, name: str, role: str, from_stdin: bool) -> int:
    if not NAME_RE.match(name):
        print(say("bad_user_name"), file=sys.stderr)
        return 2
    password = _password(from_stdin)
    if password is None:
        return 2
    sessions = _sessions(settings)
    try:
        with sessions.begin() as session:
            store.add_user(session, name, role, hash_password(password))
            store.audit(session, "cli", "add_user", entry=f"{name} ({role})")
    except store.UserExists:
        print(say("user_exists", name=name), file=sys.stderr)
        return 1
    finally:
        sessions.kw["bind"].dispose()
    print(say("user_added", name=name, role=role))
    return 0


def set_password(settings: Settings, name: str, from_stdin: bool) -> int:
    password = _password(from_stdin)
    if password is None:
        return 2
    sessions = _sessions(settings)
    try:
        with sessions.begin() as session:
            row = session.get(store.UserRow, name)
            if row is None:
                print(say("no_such_user", name=name), file=sys.stderr)
                return 1
            row.password_hash = hash_password(password)
            store.audit(session, "cli", "set_password", entry=name)
    finally:
        sessions.kw["bind"].dispose()
    print(say("password_set", name=name))
    return 0


def purge(settings: Settings) -> int:
    sessions = make_sessionmaker(settings.database_url)
    try:
        with sessions.begin() as session:
            deleted = purge_records(session, settings.records_retention_days)
    finally:
        sessions.kw["bind"].dispose()
    counts = ", ".join(f"{table}: {count}" for table, count in deleted.items())
    print(say("purged", days=settings.records_retention_days, counts=counts))
    return 0


def serve(settings: Settings) -> int:
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host = "localhost" if settings.console_host in ("127.0.0.1", "localhost") else settings.console_host
    print(f"console: http://{host}:{settings.console_port}/", flush=True)
    web.run_app(create_app(settings), host=settings.console_host, port=settings.console_port, print=None)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    if args.command == "add-user":
        return add_user(settings, args.name, args.role, args.password_stdin)
    if args.command == "set-password":
        return set_password(settings, args.name, args.password_stdin)
    if args.command == "purge-records":
        return purge(settings)
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
