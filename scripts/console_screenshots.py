"""Screenshots of every page of the staff console at 1280 and 768 px wide, into docs/console/ (docs/console.md).

    python -m scripts.console_screenshots [--out docs/console]

The console runs in this process on a copy of knowledge/ and a throwaway database filled with made-up records
(30 days of turns, unanswered questions, feedback); "Try it" talks to a stand-in Rasa server. Debian's chromium
is driven headless by Playwright (`make browser` installs it).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import re
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
from aiohttp import web
from playwright.sync_api import Page, sync_playwright

from assistant.kb.models import make_sessionmaker
from assistant.records import attach_feedback, record_feedback, record_turn, record_unanswered
from assistant.settings import PROJECT_ROOT, Settings
from console import store
from console.app import create_app
from console.auth import hash_password

WIDTHS = {"1280": {"width": 1280, "height": 860}, "768": {"width": 768, "height": 1024}}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
USER, PASSWORD = "an", "screenshot-password-1"
KEY = b"screenshots-records-key-0123456789abcdef"
QUESTIONS = [
    ("Số điện thoại đường dây nóng du lịch Quảng Nam là gì?", "vi", "zalo"),
    ("so dien thoai duong day nong du lich quang nam", "vi", "web"),
    ("Giá vé tham quan Bảo tàng Cổ vật Cung đình Huế?", "vi", "telegram"),
    ("Is there a night market in Hội An on Mondays?", "en", "web"),
    ("Lịch bắn pháo hoa Đà Nẵng năm nay?", "vi", "zalo"),
]
TURNS = [
    ("Đại Nội Huế ở đâu?", "entry", "heritage_sites:hue-imperial-city"),
    ("Quảng Ngãi đón bao nhiêu khách năm 2022?", "entry", "tourism_statistics:qng-2022-visitors"),
    (
        "Ai phát biểu khai mạc Tuần lễ Chuyển đổi số Huế 2022?",
        "passage",
        "documents:tuan-le-chuyen-doi-so-hue-2022",
    ),
    ("Làm căn cước online thế nào?", "did_you_mean", None),
    ("Tôi bị sốt thì uống thuốc gì?", "declined", None),
    ("Có chợ đêm không?", "unanswered", None),
    ("Thủ tục đăng ký khai sinh trực tuyến?", "entry", "public_services:birth-registration-combo"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serve(app: web.Application, port: int) -> Iterator[str]:
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(30)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)


def _stub_rasa() -> web.Application:
    async def parse(request: web.Request) -> web.Response:
        return web.json_response(
            {"intent": {"name": "ask_site_location", "confidence": 0.97}, "entities": []}
        )

    async def webhook(request: web.Request) -> web.Response:
        entry = "heritage_sites:hue-imperial-city"
        buttons = [
            {
                "title": title,
                "payload": f'/feedback{{"feedback_value": "{value}", "feedback_entry": "{entry}"}}',
            }
            for title, value in (("👍 Hữu ích", "helpful"), ("👎 Chưa đúng", "wrong"))
        ]
        text = "Hoàng thành Huế nằm trong Kinh thành Huế, phường Thuận Hòa, thành phố Huế.\nNguồn: … (tính đến 2024)."
        return web.json_response([{"text": text, "buttons": buttons}])

    app = web.Application()
    app.router.add_post("/model/parse", parse)
    app.router.add_post("/webhooks/rest/webhook", webhook)
    return app


def _records(settings: Settings) -> None:
    """Made-up records: a month of turns, unanswered questions, feedback."""
    sessions = make_sessionmaker(settings.database_url)
    chance = random.Random(20)  # noqa: S311 (made-up figures, not security)
    now = datetime.now(timezone.utc).replace(hour=3, minute=0, second=0, microsecond=0)
    with sessions.begin() as session:
        store.create_console_schema(session.connection())
        store.add_user(session, USER, store.EDITOR, hash_password(PASSWORD))
        for day in range(30):
            for n in range(chance.randint(8, 30)):
                text, outcome, entry = chance.choice(TURNS)
                channel = chance.choice(("web", "web", "zalo", "telegram"))
                sender = f"{channel}:{day}-{n // 3}"
                record_turn(
                    session,
                    text=text,
                    reply_text="…",
                    outcome=outcome,
                    entry=entry,
                    channel=channel,
                    language=chance.choice(("vi", "vi", "vi", "en")),
                    intent=None,
                    sender=sender,
                    key=KEY,
                    asked_at=now - timedelta(days=day, minutes=n),
                )
        for count, (text, language, channel) in zip((5, 3, 2, 2, 1), QUESTIONS, strict=True):
            for n in range(count):
                record_unanswered(
                    session, text, language, channel, "nlu_fallback", asked_at=now - timedelta(hours=n * 7)
                )
        for value, (text, _, entry) in (("wrong", TURNS[1]), ("helpful", TURNS[0]), ("wrong", TURNS[2])):
            assert entry is not None
            record_turn(
                session,
                text=text,
                reply_text="Quảng Ngãi đón 1,2 triệu lượt khách năm 2022.\nNguồn: …",
                outcome="entry",
                entry=entry,
                channel="web",
                language="vi",
                intent=None,
                sender="web:rated",
                key=KEY,
                asked_at=now,
            )
            attach_feedback(session, "web:rated", KEY, entry, value, now=now + timedelta(seconds=1))
            record_feedback(session, entry, value, "vi", "web", "web:rated", given_at=now)
        store.audit(
            session,
            USER,
            "edit_entry",
            file="knowledge/portals.yml",
            entry="portals:hue-s-app",
            before="- id: hue-s-app\n  description: {vi: Cũ}\n",
            after="- id: hue-s-app\n  description: {vi: Mới}\n",
        )
    sessions.kw["bind"].dispose()


def _log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Tên đăng nhập").fill(USER)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{url}/")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "console")
    out: Path = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="console-shots-") as folder,
        _serve(_stub_rasa(), _free_port()) as rasa,
    ):
        tmp = Path(folder)
        shutil.copytree(PROJECT_ROOT / "knowledge", tmp / "knowledge")
        settings = dataclasses.replace(
            Settings.from_env(),
            data_dir=tmp,
            knowledge_dir=tmp / "knowledge",
            database_url=f"sqlite:///{tmp / 'records.db'}",
            records_sender_key=KEY.decode(),
            rasa_urls=(rasa,),
            action_server_url=f"http://127.0.0.1:{_free_port()}/webhook",
            console_port=_free_port(),
        )
        _records(settings)
        with _serve(create_app(settings), settings.console_port) as url, sync_playwright() as playwright:
            requests.get(f"{url}/health", timeout=10).raise_for_status()
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            for width, viewport in WIDTHS.items():
                page = browser.new_context(viewport=viewport).new_page()  # type: ignore[arg-type]
                page.goto(f"{url}/login")
                page.screenshot(path=str(out / f"login-{width}.png"))
                _log_in(page, url)
                shots = {
                    "overview": "/",
                    "unanswered": "/unanswered",
                    "feedback": "/feedback",
                    "knowledge": "/knowledge?q=hue",
                    "entry": "/knowledge/portals/hue-s-app",
                    "new-entry": "/knowledge/new?topic=portals&q=" + QUESTIONS[0][0],
                    "document": "/documents/new?q=" + QUESTIONS[0][0],
                    "audit": "/audit",
                }
                for name, path in shots.items():
                    page.goto(url + path)
                    page.screenshot(
                        path=str(out / f"{name}-{width}.png"), full_page=name in ("overview", "feedback")
                    )
                page.goto(f"{url}/knowledge/portals/hue-s-app")
                page.get_by_label("Địa chỉ web").last.fill("ftp://example.org")
                page.get_by_role("button", name="Kiểm tra và lưu").click()
                page.screenshot(path=str(out / f"refused-{width}.png"))
                page.goto(f"{url}/try")
                page.get_by_label("Câu hỏi").fill("Hoàng thành Huế ở đâu?")
                page.get_by_role("button", name="Hỏi", exact=True).click()
                page.wait_for_selector("#result-h")
                page.screenshot(path=str(out / f"try-{width}.png"), full_page=True)
                page.context.close()
            browser.close()
    names = sorted(p.name for p in out.glob("*.png"))
    print(
        f"{len(names)} screenshots in {out}: {', '.join(re.sub(r'-[0-9]+.png$', '', n) for n in names[::2])}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
