"""Helpers of the web tests: a gateway served from a thread of the test process, a fake assistant, a watched page."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from playwright.sync_api import ConsoleMessage, Dialog, Page, expect

from assistant.settings import Settings
from bot.web.app import AssistantClient, create_app
from tests.conftest import free_port

Replies = list[dict[str, Any]]
OPEN_VI = "Mở khung trò chuyện với trợ lý"
OPEN_EN = "Open the chat with the assistant"
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">bấm vào đây</a>',
    "<svg onload=alert(1)>",
    '"><iframe src="javascript:alert(1)"></iframe>',
    "<img src=x onerror=\"window.__xss='img'\">",
    "<style>*{display:none !important}</style>",
    "{{constructor.constructor('alert(1)')()}}",
    "<details open ontoggle=alert(1)>",
]
HTTP_ERROR_LOGGED = "Failed to load resource: the server responded with a status of"


class FakeAssistant:
    """Stands in for the Rasa REST channel: records what it is sent and answers with canned replies."""

    def __init__(self, answer: Callable[[str], Replies] | None = None, delay: float = 0.0) -> None:
        self.answer = answer or (lambda text: [{"text": f"echo: {text}"}])
        self.delay = delay
        self.calls: list[tuple[str, str, dict[str, Any] | None]] = []

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def send(self, sender: str, message: str, metadata: dict[str, Any] | None = None) -> Replies:
        self.calls.append((sender, message, metadata))
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.answer(message)


def web_settings(data_dir: Path, **changes: Any) -> Settings:
    """Settings for a gateway in the test process: its own data folder and a free port."""
    defaults: dict[str, Any] = {
        "data_dir": data_dir,
        "web_port": free_port(),
        "web_secret": "",
        "web_allowed_origins": ("http://museum.test",),
        "rasa_urls": (f"http://127.0.0.1:{free_port()}",),
        "rasa_timeout": 2.0,
        "web_rate_per_second": 1.0,
        "web_rate_burst": 5,
    }
    return dataclasses.replace(Settings.from_env(), **{**defaults, **changes})


@contextmanager
def serve(app: web.Application, port: int) -> Iterator[str]:
    """Run `app` on 127.0.0.1:`port` in a thread with its own event loop; yields its base URL."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    ready = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        except BaseException as error:  # reported to the test below
            failure.append(error)
            ready.set()
            return
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(15)
    if failure:
        raise failure[0]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(15)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(15)
        loop.close()


@contextmanager
def host_site(html: str, port: int) -> Iterator[str]:
    """Another web site (another origin on this machine) whose one page is `html`; yields its URL."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    with serve(app, port) as url:
        yield url + "/"


@contextmanager
def gateway(settings: Settings, client: AssistantClient | None = None) -> Iterator[str]:
    """The web gateway for `settings` (and `client`, else a real RasaClient), running; yields its base URL."""
    with serve(create_app(settings, client), settings.web_port) as url:
        yield url


@dataclass
class Watched:
    """A page and what it did that a test must notice: dialogs (alert, confirm...), errors, console errors."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def attach(self) -> Watched:
        def on_dialog(dialog: Dialog) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.console_errors.append(message.text)

        self.page.on("dialog", on_dialog)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("console", on_console)
        return self

    def assert_clean(self, console: bool = True) -> None:
        assert self.dialogs == [], f"a dialog fired: {self.dialogs}"
        assert self.page_errors == [], f"script errors: {self.page_errors}"
        if console:
            # The API's refusals (413, 503...) are logged by Chromium too; the tests check those themselves.
            errors = [e for e in self.console_errors if not e.startswith(HTTP_ERROR_LOGGED)]
            assert errors == [], f"console errors (CSP violations?): {errors}"


def open_widget(page: Page, label: str = OPEN_VI) -> None:
    page.get_by_role("button", name=label).click()
    expect(page.locator(".panel")).to_be_visible()


def ask(page: Page, text: str, label: str = "Câu hỏi của bạn") -> None:
    box = page.get_by_label(label)
    box.fill(text)
    box.press("Enter")


SHADOW_AUDIT = """() => {
  const root = document.querySelector('#mien-trung-chat').shadowRoot;
  const all = [...root.querySelectorAll('*'), ...document.querySelectorAll('*')];
  return {
    xss: window.__xss === undefined ? null : String(window.__xss),
    banned: all.filter(e => ['SCRIPT', 'IFRAME', 'STYLE', 'DETAILS', 'OBJECT', 'EMBED'].includes(e.tagName)
        && !(e.tagName === 'SCRIPT' && e.src.endsWith('/widget.js'))).map(e => e.outerHTML),
    handlers: all.filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).map(e => e.outerHTML),
    stray_svgs: [...root.querySelectorAll('svg')].filter(s => !s.closest('button')).length,
    images: [...root.querySelectorAll('img')].map(i => i.getAttribute('src')),
    links: [...root.querySelectorAll('a')].map(a => [a.getAttribute('href'), a.target, a.rel]),
    text: [...root.querySelectorAll('.msg')].map(m => m.textContent).join('\\n'),
    buttons: [...root.querySelectorAll('.quick-reply')].map(b => b.textContent),
  };
}"""
