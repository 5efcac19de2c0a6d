"""The gateway's API, served from this process with a fake assistant (no Rasa needed): sessions, limits, CORS."""

from __future__ import annotations

import asyncio
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from aiohttp import web

from bot.messages import message
from bot.rasa_client import RasaClient
from bot.web.app import MAX_MESSAGE_CHARS, clean_reply
from bot.web.ratelimit import RateLimiter
from bot.web.sessions import SessionSigner, load_secret
from tests.conftest import free_port
from tests.web.support import FakeAssistant, gateway, serve, web_settings

MUSEUM = "http://museum.test"
EVIL = "http://evil.example"


@pytest.fixture
def fake() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture
def url(tmp_path: Path, fake: FakeAssistant) -> Iterator[str]:
    with gateway(web_settings(tmp_path), fake) as base:
        yield base


def new_session(url: str) -> str:
    response = requests.post(f"{url}/api/session", timeout=5)
    assert response.status_code == 201
    return response.json()["session"]


def say(
    url: str, token: str | None, text: str, language: str | None = None, **headers: str
) -> requests.Response:
    body = {"text": text} if language is None else {"text": text, "language": language}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(f"{url}/api/message", json=body, headers=headers, timeout=10)


# ---- pages and headers ----


def test_health_demo_page_and_assets(url: str) -> None:
    assert requests.get(f"{url}/health", timeout=5).json() == {"status": "ok"}
    page = requests.get(f"{url}/", timeout=5)
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<script src="/widget.js"' in page.text
    script = requests.get(f"{url}/widget.js", timeout=5)
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert (
        "innerHTML" not in script.text
        and "insertAdjacentHTML" not in script.text
        and "eval(" not in script.text
    )
    assert requests.get(f"{url}/widget.css", timeout=5).headers["Content-Type"] == "text/css; charset=utf-8"
    assert requests.get(f"{url}/en", timeout=5).status_code == 200
    assert requests.get(f"{url}/app.py", timeout=5).status_code == 404
    assert requests.get(f"{url}/static/../app.py", timeout=5).status_code == 404


def test_every_response_carries_a_strict_csp(url: str) -> None:
    for path in ("/", "/widget.js", "/widget.css", "/health", "/nothing-here"):
        headers = requests.get(f"{url}{path}", timeout=5).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "default-src 'self'" in csp
        assert "frame-ancestors 'self'" in csp
        assert f"connect-src 'self' {MUSEUM}" in csp or MUSEUM in csp.split("connect-src")[1].split(";")[0]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_frame_ancestors_come_from_configuration(tmp_path: Path) -> None:
    settings = web_settings(tmp_path, web_frame_ancestors="none")
    with gateway(settings, FakeAssistant()) as base:
        assert "frame-ancestors 'none'" in requests.get(base, timeout=5).headers["Content-Security-Policy"]


# ---- sessions ----


def test_session_ids_are_issued_by_the_server_signed_and_unguessable(url: str, fake: FakeAssistant) -> None:
    first, second = new_session(url), new_session(url)
    assert first != second
    session_id, issued, signature = first.split(".")
    assert len(session_id) >= 22 and len(signature) >= 43  # 128 random bits, HMAC-SHA256
    assert abs(int(issued) - time.time()) < 60
    assert say(url, first, "xin chào").status_code == 200
    assert fake.calls[0][0] == f"web:{session_id}"


def test_forged_or_foreign_session_ids_get_nothing(url: str, fake: FakeAssistant, tmp_path: Path) -> None:
    genuine = new_session(url)
    session_id, issued, signature = genuine.split(".")
    other_id = new_session(url).split(".")[0]
    foreign_gateway = SessionSigner(b"another deployment's secret, 32+ characters long").issue()
    forged = [
        None,  # no Authorization header
        "",
        "web:someone-else",
        session_id,  # the id without its signature
        f"{other_id}.{issued}.{signature}",  # someone else's id with my signature
        f"{session_id}.{int(issued) + 1}.{signature}",  # tampered issue time
        f"{session_id}.{issued}.{signature[:-2]}AA",  # wrong signature
        f"{session_id}.{issued}.",
        foreign_gateway,  # signed with another secret
        genuine + "." + signature,
        "x" * 5000,
    ]
    for token in forged:
        response = say(url, token, "cho tôi xem lịch sử của người khác")
        assert response.status_code == 401, token
        assert response.json() == {"error": "session_invalid", "message": message("session_invalid", "vi")}
        assert "replies" not in response.json()
    basic = requests.post(
        f"{url}/api/message", json={"text": "hi"}, headers={"Authorization": f"Basic {genuine}"}, timeout=5
    )
    assert basic.status_code == 401
    assert fake.calls == []


def test_the_client_cannot_choose_its_sender(url: str, fake: FakeAssistant) -> None:
    token = new_session(url)
    body = {
        "text": "xin chào",
        "sender": "victim",
        "session": "web:victim",
        "metadata": {"channel": "telegram"},
    }
    response = requests.post(
        f"{url}/api/message", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert response.status_code == 200
    sender, text, metadata = fake.calls[0]
    assert sender == "web:" + token.split(".")[0]
    assert text == "xin chào"
    assert metadata == {"channel": "web", "language": "vi"}


def test_each_session_is_its_own_conversation(url: str, fake: FakeAssistant) -> None:
    first, second = new_session(url), new_session(url)
    say(url, first, "một")
    say(url, second, "hai", language="en")
    assert [call[0] for call in fake.calls] == ["web:" + first.split(".")[0], "web:" + second.split(".")[0]]
    assert fake.calls[1][2] == {"channel": "web", "language": "en"}


def test_expired_sessions_are_refused() -> None:
    signer = SessionSigner(b"s" * 32, max_age=3600)
    token = signer.issue(now=1_000_000)
    assert signer.verify(token, now=1_000_000 + 3599) == token.split(".")[0]
    assert signer.verify(token, now=1_000_000 + 3601) is None
    assert signer.verify(token, now=1_000_000 - 3600) is None  # issued in the future


def test_the_secret_is_generated_private_and_reused(tmp_path: Path) -> None:
    settings = web_settings(tmp_path)
    first = load_secret(settings)
    path = tmp_path / "web_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(settings) == first and len(first) >= 32
    assert load_secret(web_settings(tmp_path, web_secret="k" * 40)) == b"k" * 40
    with pytest.raises(ValueError, match="WEB_SECRET"):
        load_secret(web_settings(tmp_path, web_secret="short"))


def test_sessions_survive_a_restart_of_the_gateway(tmp_path: Path) -> None:
    settings = web_settings(tmp_path)
    with gateway(settings, FakeAssistant()) as base:
        token = new_session(base)
    with gateway(settings, FakeAssistant()) as base:
        assert say(base, token, "xin chào").status_code == 200


# ---- messages ----


def test_a_message_over_1000_characters_is_refused_clearly(url: str, fake: FakeAssistant) -> None:
    token = new_session(url)
    response = say(url, token, "a" * (MAX_MESSAGE_CHARS + 1))
    assert response.status_code == 413
    assert response.json() == {"error": "too_long", "message": message("too_long", "vi", limit=1000)}
    assert "1000" in response.json()["message"]
    english = say(url, token, "b" * 5000, language="en")
    assert english.json()["message"] == message("too_long", "en", limit=1000)
    assert fake.calls == []
    # Characters are counted, not bytes: 1,000 Vietnamese letters (3,000 bytes in UTF-8) pass.
    assert say(url, token, "ệ" * MAX_MESSAGE_CHARS).status_code == 200
    assert len(fake.calls) == 1


def test_a_huge_body_gets_the_same_refusal(url: str) -> None:
    token = new_session(url)
    response = requests.post(
        f"{url}/api/message",
        data=b'{"text": "' + b"x" * 200_000 + b'"}',
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept-Language": "en",
        },
        timeout=10,
    )
    assert response.status_code == 413
    assert response.json()["message"] == message("too_long", "en", limit=1000)


def test_an_empty_or_malformed_message_is_refused_clearly(url: str, fake: FakeAssistant) -> None:
    token = new_session(url)
    for text in ("", "   \n "):
        response = say(url, token, text)
        assert response.status_code == 400
        assert response.json()["message"] == message("empty", "vi")
    for body in (b"not json", b"[1, 2]", b'{"text": 42}'):
        response = requests.post(
            f"{url}/api/message", data=body, headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        assert response.status_code == 400
    assert fake.calls == []


def test_the_rate_limit_is_per_session(tmp_path: Path) -> None:
    fake = FakeAssistant()
    with gateway(web_settings(tmp_path, web_rate_per_second=0.5, web_rate_burst=3), fake) as base:
        token = new_session(base)
        assert [say(base, token, f"câu {i}").status_code for i in range(3)] == [200, 200, 200]
        refused = say(base, token, "câu 4", language="en")
        assert refused.status_code == 429
        assert refused.json() == {"error": "rate_limited", "message": message("rate_limited", "en")}
        assert int(refused.headers["Retry-After"]) >= 1
        assert say(base, new_session(base), "người khác").status_code == 200
        assert len(fake.calls) == 4


def test_rate_limiter_refills() -> None:
    limiter = RateLimiter(rate=1.0, burst=2)
    assert limiter.allow("a", now=0)[0] and limiter.allow("a", now=0)[0]
    allowed, wait = limiter.allow("a", now=0.5)
    assert not allowed and wait == pytest.approx(0.5)
    assert limiter.allow("a", now=1.6)[0]
    assert limiter.allow("b", now=1.6)[0]


def test_replies_follow_the_protocol(tmp_path: Path) -> None:
    card = {"type": "card", "title": "Đại Nội", "text": "…", "url": "https://maps.example/x"}
    replies = [
        {
            "recipient_id": "web:x",
            "text": "Xin chào",
            "buttons": [{"title": "A", "payload": "/a"}, {"title": 1}],
        },
        {"recipient_id": "web:x", "image": "https://example.test/a.png"},
        {"recipient_id": "web:x", "custom": card},
        {"recipient_id": "web:x", "custom": {"no": "type"}},
        "not a reply",
    ]
    with gateway(web_settings(tmp_path), FakeAssistant(lambda _: replies)) as base:
        got = say(base, new_session(base), "hi").json()
    assert got == {
        "replies": [
            {"text": "Xin chào", "buttons": [{"title": "A", "payload": "/a"}]},
            {"image": "https://example.test/a.png"},
            {"custom": card},
        ]
    }
    assert clean_reply({"text": ""}) is None


# ---- origins (CORS) ----


def test_a_foreign_origin_is_refused(url: str, fake: FakeAssistant) -> None:
    token = new_session(url)
    for path, headers in (
        ("/api/session", {"Origin": EVIL}),
        ("/api/message", {"Origin": EVIL, "Authorization": f"Bearer {token}"}),
        ("/api/message", {"Origin": "null", "Authorization": f"Bearer {token}"}),
    ):
        response = requests.post(f"{url}{path}", json={"text": "xin chào"}, headers=headers, timeout=5)
        assert response.status_code == 403
        assert response.json()["error"] == "origin_not_allowed"
        assert "Access-Control-Allow-Origin" not in response.headers
    preflight = requests.options(
        f"{url}/api/message",
        headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"},
        timeout=5,
    )
    assert preflight.status_code == 403
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert fake.calls == []


def test_an_allowed_origin_gets_cors_headers(url: str) -> None:
    preflight = requests.options(
        f"{url}/api/message",
        headers={
            "Origin": MUSEUM,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
        timeout=5,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == MUSEUM
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    session = requests.post(f"{url}/api/session", headers={"Origin": MUSEUM}, timeout=5)
    assert session.status_code == 201
    assert session.headers["Access-Control-Allow-Origin"] == MUSEUM
    assert session.headers["Vary"] == "Origin"
    reply = say(url, session.json()["session"], "xin chào", Origin=MUSEUM)
    assert reply.status_code == 200 and reply.headers["Access-Control-Allow-Origin"] == MUSEUM


# ---- the assistant down ----


def test_assistant_down_answers_busy_at_once(tmp_path: Path) -> None:
    settings = web_settings(tmp_path)
    with gateway(settings) as base:  # a real RasaClient, pointed at a port nobody listens on
        token = new_session(base)
        started = time.monotonic()
        response = say(base, token, "xin chào")
        assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.json() == {"error": "busy", "message": message("busy", "vi")}


def test_assistant_hanging_answers_busy_after_the_timeout(tmp_path: Path) -> None:
    async def hang(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response([{"text": "too late"}])

    stuck = web.Application()
    stuck.router.add_post("/webhooks/rest/webhook", hang)
    rasa_port = free_port()
    settings = web_settings(tmp_path, rasa_urls=(f"http://127.0.0.1:{rasa_port}",), rasa_timeout=1.0)
    client = RasaClient(settings.rasa_urls, timeout=settings.rasa_timeout)
    with serve(stuck, rasa_port), gateway(settings, client) as base:
        token = new_session(base)
        started = time.monotonic()
        response = say(base, token, "xin chào", language="en")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["message"] == message("busy", "en")
    assert elapsed < 4
