"""Fixtures of the console tests: a console served from a thread of the test process, on its own copy of the
knowledge (tests/kb/fixtures/valid) and its own SQLite database, with an editor, a second editor and a viewer;
Debian's Chromium from tests/web (never a downloaded browser)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy.orm import Session, sessionmaker

from assistant.kb.models import make_sessionmaker
from assistant.settings import Settings
from console import store
from console.app import create_app
from console.auth import hash_password
from tests.conftest import free_port
from tests.web.conftest import DESKTOP, browser, output_dir
from tests.web.support import Watched, serve

__all__ = ["browser", "output_dir"]

FIXTURE_KNOWLEDGE = Path(__file__).resolve().parents[1] / "kb" / "fixtures" / "valid"
SENDER_KEY = "console-test-records-key-0123456789abcdef"
PASSWORDS = {"an": "an-mat-khau-1", "binh": "binh-mat-khau-2", "chi": "chi-mat-khau-3"}
ROLES = {"an": "editor", "binh": "editor", "chi": "viewer"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A clock the test moves (sessions and the login throttle read it)."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class RunningConsole:
    url: str
    settings: Settings
    sessions: sessionmaker
    clock: Clock
    knowledge: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def db(self, work: Callable[[Session], Any]) -> Any:
        with self.sessions.begin() as session:
            return work(session)

    def http(self, user: str | None = None) -> requests.Session:
        """A requests session, logged in as `user` when given."""
        client = requests.Session()
        if user is not None:
            response = self.login(client, user, PASSWORDS[user])
            assert response.status_code == 200 and response.url.rstrip("/") == self.url, response.text[:500]
        return client

    def login(self, client: requests.Session, user: str, password: str) -> requests.Response:
        token = csrf(client.get(f"{self.url}/login").text)
        return client.post(
            f"{self.url}/login",
            data={"username": user, "password": password, "csrf_token": token, "next": "/"},
        )


def csrf(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no csrf_token in the page"
    return match[1]


def console_settings(tmp: Path, **changes: Any) -> Settings:
    defaults: dict[str, Any] = {
        "data_dir": tmp,
        "knowledge_dir": tmp / "knowledge",
        "database_url": f"sqlite:///{tmp / 'knowledge.db'}",
        "console_port": free_port(),
        "records_sender_key": SENDER_KEY,
        "rasa_urls": (f"http://127.0.0.1:{free_port()}",),
        "action_server_url": f"http://127.0.0.1:{free_port()}/webhook",
        "rasa_timeout": 5.0,
        "today": "2026-11-23",
    }
    return dataclasses.replace(Settings.from_env(), **{**defaults, **changes})


@pytest.fixture(scope="session")
def password_hashes() -> dict[str, str]:
    """scrypt is slow on purpose: hash the test passwords once."""
    return {name: hash_password(password) for name, password in PASSWORDS.items()}


@pytest.fixture
def make_console(tmp_path: Path, password_hashes: dict[str, str]) -> Iterator[Callable[..., RunningConsole]]:
    """Starts a console with `settings` changes; every one started is stopped at the end of the test."""
    running: list[Any] = []

    def start(**changes: Any) -> RunningConsole:
        folder = tmp_path / f"console{len(running)}"
        shutil.copytree(FIXTURE_KNOWLEDGE, folder / "knowledge")
        (folder / "knowledge" / "documents").mkdir()
        settings = console_settings(folder, **changes)
        sessions = make_sessionmaker(settings.database_url)
        with sessions.begin() as session:
            store.create_console_schema(session.connection())
            for name, role in ROLES.items():
                store.add_user(session, name, role, password_hashes[name])
        clock = Clock()
        server = serve(create_app(settings, clock=clock), settings.console_port)
        url = server.__enter__()
        running.append((server, sessions))
        return RunningConsole(url, settings, sessions, clock, settings.knowledge_dir)

    yield start
    for server, sessions in running:
        server.__exit__(None, None, None)
        sessions.kw["bind"].dispose()


@pytest.fixture
def console(make_console: Callable[..., RunningConsole]) -> RunningConsole:
    return make_console()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Watched]]:
    """A watched page in a fresh browser context (own cookies)."""
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] | None = None) -> Watched:
        context = browser.new_context(viewport=viewport or DESKTOP)  # type: ignore[arg-type]
        context.set_default_timeout(15_000)
        contexts.append(context)
        return Watched(context.new_page()).attach()

    yield make
    for context in contexts:
        context.close()


def log_in(page: Page, url: str, user: str, password: str | None = None) -> None:
    """Log in through the form, as a person does."""
    page.goto(f"{url}/login")
    page.get_by_label("Tên đăng nhập").fill(user)
    page.get_by_label("Mật khẩu").fill(password or PASSWORDS[user])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Người dùng hỏi gì")
