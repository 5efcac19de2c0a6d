"""Try it against a stand-in Rasa server (its NLU and REST channel), and the console's command line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from console import store
from console.auth import verify_password
from tests.conftest import ROOT, free_port
from tests.console.conftest import RunningConsole, csrf
from tests.web.support import serve

REPLY = {
    "text": "Hoàng thành Huế <b>nằm</b> ở Huế.",
    "buttons": [
        {
            "title": "👍 Hữu ích",
            "payload": '/feedback{"feedback_value": "helpful", "feedback_entry": "heritage_sites:hue-imperial-city"}',
        },
        {
            "title": "👎 Chưa đúng",
            "payload": '/feedback{"feedback_value": "wrong", "feedback_entry": "heritage_sites:hue-imperial-city"}',
        },
    ],
}


def stub_rasa(seen: list[dict[str, Any]]) -> web.Application:
    async def parse(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append({"parse": body, "token": request.query.get("token")})
        return web.json_response(
            {"intent": {"name": "ask_site_location", "confidence": 0.937}, "entities": []}
        )

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append({"webhook": body})
        return web.json_response([REPLY])

    app = web.Application()
    app.router.add_post("/model/parse", parse)
    app.router.add_post("/webhooks/rest/webhook", webhook)
    return app


def test_try_it_shows_the_reply_the_intent_and_the_entry(make_console: Callable[..., RunningConsole]) -> None:
    seen: list[dict[str, Any]] = []
    port = free_port()
    with serve(stub_rasa(seen), port) as rasa_url:
        console = make_console(rasa_urls=(rasa_url,), rasa_token="tok")
        client = console.http("chi")  # a viewer may try
        token = csrf(client.get(console.url + "/try").text)
        page = client.post(
            console.url + "/try", data={"question": "Hoàng thành Huế ở đâu?", "csrf_token": token}
        ).text
    assert "ask_site_location" in page and "0.94" in page
    assert 'href="/knowledge/heritage_sites/hue-imperial-city"' in page
    assert "Hoàng thành Huế &lt;b&gt;nằm&lt;/b&gt; ở Huế." in page and "<b>nằm</b>" not in page
    assert seen[0] == {"parse": {"text": "Hoàng thành Huế ở đâu?"}, "token": "tok"}
    message = seen[1]["webhook"]
    assert message["sender"].startswith("console-") and message["metadata"]["channel"] == "console"


def test_try_it_says_when_the_assistant_is_not_running(console: RunningConsole) -> None:
    client = console.http("an")
    token = csrf(client.get(console.url + "/try").text)
    page = client.post(console.url + "/try", data={"question": "Đại Nội ở đâu?", "csrf_token": token}).text
    assert "Không kết nối được trợ lý" in page


def _cli(args: list[str], tmp: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp / 'users.db'}",
        "DATA_DIR": str(tmp),
    }
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def test_add_user_stores_a_scrypt_hash_and_refuses_a_short_password(tmp_path: Path) -> None:
    done = _cli(["add-user", "dung", "--role", "editor", "--password-stdin"], tmp_path, "mot-mat-khau-dai\n")
    assert done.returncode == 0, done.stderr
    assert "dung" in done.stdout
    short = _cli(["add-user", "em", "--password-stdin"], tmp_path, "ngan\n")
    assert short.returncode == 2 and "10" in short.stderr
    from assistant.kb.models import make_sessionmaker

    sessions = make_sessionmaker(f"sqlite:///{tmp_path / 'users.db'}")
    with sessions() as session:
        user = store.get_user(session, "dung")
        assert store.get_user(session, "em") is None
    sessions.kw["bind"].dispose()
    assert user is not None and user.role == "editor" and user.password_hash.startswith("scrypt$16384$8$1$")
    assert verify_password("mot-mat-khau-dai", user.password_hash)
    assert not verify_password("mot-mat-khau-sai", user.password_hash)


def test_make_run_starts_the_console_and_waits_for_its_health(tmp_path: Path, monkeypatch) -> None:
    import dataclasses

    import requests

    from assistant.settings import Settings
    from runtime import supervisor

    port = free_port()
    settings = dataclasses.replace(Settings.from_env(), console_port=port)
    console = next(s for s in supervisor.plan(settings, Path("model.tar.gz")) if s.name == "console")
    assert console.argv[-2:] == ["-m", "console"] and console.health_url == f"http://127.0.0.1:{port}/health"
    monkeypatch.setenv("CONSOLE_PORT", str(port))
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    run = supervisor.Supervisor([console], tmp_path / "log")
    try:
        run.start(console)  # returns once GET /health answers, as under make run
        assert requests.get(f"http://127.0.0.1:{port}/", allow_redirects=False, timeout=5).status_code == 303
    finally:
        run.stop()
    assert "console: http://localhost:" in (tmp_path / "log" / "console.log").read_text()
