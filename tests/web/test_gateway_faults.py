"""The gateway when the assistant cannot answer: it answers nothing (action server or database down), it is
down and comes back, and what GET /health/ready reports."""

from __future__ import annotations

from pathlib import Path

import requests
from aiohttp import web

from assistant.stores import stores_status
from bot.messages import message
from tests.action_server import action_server
from tests.conftest import free_port
from tests.web.support import FakeAssistant, gateway, serve, web_settings

ROOT = Path(__file__).resolve().parents[2]


def new_session(url: str) -> str:
    return requests.post(f"{url}/api/session", timeout=5).json()["session"]


def say(url: str, token: str, text: str, language: str = "vi") -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.post(
        f"{url}/api/message", json={"text": text, "language": language}, headers=headers, timeout=10
    )


def stand_in_rasa() -> web.Application:
    """A Rasa server that answers every message, and GET / as Rasa does."""

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response([{"text": f"đã nhận: {body['message']}"}])

    async def root(request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/", root)
    return app


def test_an_empty_answer_is_told_as_unavailable(tmp_path: Path) -> None:
    with gateway(web_settings(tmp_path), FakeAssistant(lambda text: [])) as url:
        token = new_session(url)
        vi, en = say(url, token, "Đại Nội ở đâu?"), say(url, token, "Where is the Citadel?", "en")
    assert vi.status_code == 503 and vi.json() == {
        "error": "unavailable",
        "message": message("unavailable", "vi"),
    }
    assert en.status_code == 503 and en.json()["message"] == message("unavailable", "en")


def test_assistant_down_is_busy_then_answers_when_it_is_back(tmp_path: Path) -> None:
    rasa_port = free_port()
    settings = web_settings(tmp_path, rasa_urls=(f"http://127.0.0.1:{rasa_port}",))
    with gateway(settings) as url:  # a real RasaClient
        token = new_session(url)
        down = say(url, token, "xin chào")
        with serve(stand_in_rasa(), rasa_port):
            back = say(url, token, "xin chào")
    assert down.status_code == 503 and down.json()["error"] == "busy"
    assert back.status_code == 200 and back.json() == {"replies": [{"text": "đã nhận: xin chào"}]}


def test_readiness_reports_each_rasa_server_and_the_stores(tmp_path: Path) -> None:
    up_port, down_port = free_port(), free_port()
    with action_server(tmp_path, ROOT / "knowledge") as actions:
        settings = web_settings(
            tmp_path,
            rasa_urls=(f"http://127.0.0.1:{up_port}", f"http://127.0.0.1:{down_port}"),
            action_server_url=f"{actions.base_url}/webhook",
        )
        with gateway(settings, FakeAssistant()) as url:
            nothing = requests.get(f"{url}/health/ready", timeout=20)
            with serve(stand_in_rasa(), up_port):
                one = requests.get(f"{url}/health/ready", timeout=20)
            assert requests.get(f"{url}/health", timeout=5).json() == {"status": "ok"}  # liveness unchanged
    assert nothing.status_code == 503
    assert nothing.json() == {"status": "down", "rasa": ["down", "down"], "actions": "up", "database": "up"}
    assert one.status_code == 200
    assert one.json() == {"status": "degraded", "rasa": ["up", "down"], "actions": "up", "database": "up"}


def test_readiness_reports_the_action_server_down(tmp_path: Path) -> None:
    rasa_port = free_port()
    settings = web_settings(
        tmp_path,
        rasa_urls=(f"http://127.0.0.1:{rasa_port}",),
        action_server_url=f"http://127.0.0.1:{free_port()}/webhook",
    )
    with gateway(settings, FakeAssistant()) as url, serve(stand_in_rasa(), rasa_port):
        response = requests.get(f"{url}/health/ready", timeout=20)
    assert response.status_code == 503
    assert response.json() == {"status": "down", "rasa": ["up"], "actions": "down"}
    assert "127.0.0.1" not in response.text  # addresses and errors stay in the log


def test_the_stores_check_reports_each_store_down() -> None:
    nobody = f"postgresql://postgres@127.0.0.1:{free_port()}"
    status = stores_status(f"{nobody}/knowledge", f"{nobody}/tracker", f"redis://127.0.0.1:{free_port()}/1")
    assert status == {"database": "down", "tracker_store": "down", "lock_store": "down"}
    assert stores_status("sqlite://") == {"database": "up"}
