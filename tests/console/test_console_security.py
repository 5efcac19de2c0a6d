"""The console's guards over plain HTTP: no page and no data without a login, viewers cannot change anything,
every POST needs its form token, no form can write outside knowledge/, failed logins are slowed then locked,
the session cookie's flags and idle timeout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.records import record_turn, record_unanswered
from console import store
from console.auth import LoginThrottle
from tests.console.conftest import PASSWORDS, SENDER_KEY, RunningConsole, csrf

SECRET_QUESTION = "Câu hỏi bí mật về Hội An"
PAGES = [
    "/",
    "/overview.csv",
    "/unanswered",
    "/feedback",
    "/knowledge",
    "/knowledge/portals/dvc-national",
    "/knowledge/new?topic=portals",
    "/documents/new",
    "/try",
    "/audit",
]
POSTS = [
    "/unanswered/mark",
    "/knowledge/portals/dvc-national",
    "/knowledge/new?topic=portals",
    "/documents/new",
    "/try",
    "/logout",
]


def _seed(console: RunningConsole) -> None:
    console.db(lambda s: record_unanswered(s, SECRET_QUESTION, "vi", "web", None))
    console.db(
        lambda s: record_turn(
            s,
            text=SECRET_QUESTION,
            reply_text="x",
            outcome="unanswered",
            entry=None,
            channel="web",
            language="vi",
            intent=None,
            sender="u",
            key=SENDER_KEY.encode(),
        )
    )


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_no_page_and_no_data_without_login(console: RunningConsole) -> None:
    _seed(console)
    client = console.http()
    for path in PAGES:
        response = client.get(console.url + path, allow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["Location"].startswith("/login?next="), path
        assert "Hội An" not in response.text and "dvc" not in response.text.lower()
    for path in POSTS:
        response = client.post(
            console.url + path, data={"csrf_token": "x", "key": "k"}, allow_redirects=False
        )
        assert response.status_code == 403, path
        assert "Hội An" not in response.text
    login = client.get(console.url + "/login")
    assert login.status_code == 200 and SECRET_QUESTION not in login.text
    assert client.get(console.url + "/health").json() == {"ok": True}


def test_every_page_sends_strict_headers_and_never_a_script(console: RunningConsole) -> None:
    client = console.http("an")
    for path in PAGES:
        response = client.get(console.url + path)
        assert response.status_code == 200, path
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
        assert "<script" not in response.text.lower()


def test_a_viewer_reads_but_cannot_change_anything(console: RunningConsole) -> None:
    _seed(console)
    before = _snapshot(console.knowledge)
    client = console.http("chi")
    page = client.get(console.url + "/knowledge/portals/dvc-national")
    assert (
        page.status_code == 200
        and "Tài khoản chỉ xem" in page.text
        and '<fieldset class="plain" disabled>' in page.text
    )
    assert "Kiểm tra và lưu" not in page.text
    token = csrf(page.text)
    hashed = page.text.split('name="file_hash" value="')[1].split('"')[0]
    edits = {
        "/knowledge/portals/dvc-national": {
            "file_hash": hashed,
            "description.vi": "Sửa lén.",
            "description.en": "x",
        },
        "/knowledge/new?topic=portals": {"file_hash": hashed, "id": "sneaky"},
        "/documents/new": {"title": "Lén", "date": "2024", "text": "Một câu đủ dài để thành đoạn."},
        "/unanswered/mark": {"key": "hoi an", "status": "ignored"},
    }
    for path, form in edits.items():
        response = client.post(console.url + path, data={**form, "csrf_token": token}, allow_redirects=False)
        assert response.status_code == 403, path
        assert "Không có quyền sửa" in response.text
    assert client.get(console.url + "/knowledge/new?topic=portals").status_code == 403
    assert _snapshot(console.knowledge) == before
    assert console.db(store.marks) == {} and console.db(lambda s: store.recent_audit(s)) == []
    assert client.get(console.url + "/unanswered").text.count("Đánh dấu đã xử lý") == 0


def test_a_post_without_a_valid_form_token_is_refused(console: RunningConsole) -> None:
    before = _snapshot(console.knowledge)
    client = console.http("an")
    page = client.get(console.url + "/knowledge/portals/dvc-national")
    hashed = page.text.split('name="file_hash" value="')[1].split('"')[0]
    form = {"file_hash": hashed, "description.vi": "Đổi.", "description.en": "Changed."}
    for token in (None, "", "forged-token", csrf(page.text) + "x"):
        data = form if token is None else {**form, "csrf_token": token}
        response = client.post(
            console.url + "/knowledge/portals/dvc-national", data=data, allow_redirects=False
        )
        assert response.status_code == 403 and "Biểu mẫu không hợp lệ" in response.text
    # another console user's token is not this session's
    other = console.http("binh")
    other_token = csrf(other.get(console.url + "/try").text)
    response = client.post(
        console.url + "/knowledge/portals/dvc-national",
        data={**form, "csrf_token": other_token},
        allow_redirects=False,
    )
    assert response.status_code == 403
    assert _snapshot(console.knowledge) == before
    # the login form needs the token of its own cookie
    fresh = console.http()
    fresh.get(console.url + "/login")
    response = fresh.post(
        console.url + "/login",
        data={"username": "an", "password": PASSWORDS["an"], "csrf_token": "forged"},
        allow_redirects=False,
    )
    assert response.status_code == 403 and "console_session" not in response.cookies


@pytest.mark.parametrize(
    ("path", "form"),
    [
        (
            "/documents/new",
            {"id": "../../evil", "title": "x", "date": "2024", "licence": "x", "text": "Một câu đủ dài."},
        ),
        (
            "/documents/new",
            {
                "id": "../heritage_sites",
                "title": "x",
                "date": "2024",
                "licence": "x",
                "text": "Một câu đủ dài.",
            },
        ),
        (
            "/documents/new",
            {"id": "/tmp/evil", "title": "x", "date": "2024", "licence": "x", "text": "Một câu đủ dài."},
        ),
        (
            "/documents/new",
            {"title": "../../../../tmp/evil", "date": "2024", "licence": "x", "text": "Một câu đủ dài."},
        ),
        ("/knowledge/new?topic=../../evil", {"id": "evil"}),
        ("/knowledge/..%2F..%2Fevil/x", {"id": "evil"}),
        ("/knowledge/portals/..%2F..%2Fevil", {"id": "evil"}),
    ],
)
def test_a_path_in_a_form_cannot_write_outside_knowledge(
    console: RunningConsole, path: str, form: dict[str, str]
) -> None:
    root = console.knowledge.parent
    before = _snapshot(root)
    client = console.http("an")
    token = csrf(client.get(console.url + "/documents/new").text)
    response = client.post(console.url + path, data={**form, "csrf_token": token}, allow_redirects=False)
    assert response.status_code in (400, 404, 409, 422), response.status_code
    after = _snapshot(root)
    written = set(after) - set(before)
    assert {w for w in written if not w.endswith(("knowledge.db", "knowledge.db-journal"))} == set()
    assert not Path("/tmp/evil.md").exists() and not (root.parent / "evil.md").exists()


def test_the_login_locks_after_repeated_failures(make_console: Callable[..., RunningConsole]) -> None:
    console = make_console(
        console_login_slow_after=100, console_login_max_failures=3, console_lock_minutes=15
    )
    client = console.http()
    for _ in range(3):
        response = console.login(client, "an", "wrong password")
        assert response.status_code == 401
    assert "tạm khóa" in response.text
    refused = console.login(client, "an", PASSWORDS["an"])  # right password, but locked
    assert (
        refused.status_code == 429 and "tạm khóa" in refused.text and "console_session" not in client.cookies
    )
    console.clock.now += 15 * 60 + 1
    assert console.login(client, "an", PASSWORDS["an"]).status_code == 200
    assert "console_session" in client.cookies


def test_failed_logins_are_slowed_before_the_lock() -> None:
    now = [0.0]
    throttle = LoginThrottle(slow_after=2, max_failures=5, lock_seconds=600, clock=lambda: now[0])
    keys = ["user:an", "ip:127.0.0.1"]
    for _ in range(2):
        assert throttle.check(keys).allowed
        throttle.failed(keys)
    waits = []
    for _ in range(3):
        verdict = throttle.check(keys)
        assert not verdict.allowed and not verdict.locked
        waits.append(verdict.wait_seconds)
        now[0] += verdict.wait_seconds
        assert throttle.check(keys).allowed
        throttle.failed(keys)
    assert waits == [1.0, 2.0, 4.0]
    locked = throttle.check(keys)
    assert locked.locked and locked.wait_seconds == 600
    now[0] += 601
    assert throttle.check(["user:an"]).allowed
    # a success forgets an account's failures
    throttle.failed(["user:binh"])
    throttle.succeeded(["user:binh"])
    assert throttle.check(["user:binh"]).allowed


def test_the_session_cookie_is_strict_and_ends_when_idle(make_console: Callable[..., RunningConsole]) -> None:
    console = make_console(console_secure_cookies=False, console_idle_minutes=30)
    client = console.http()
    token = csrf(client.get(console.url + "/login").text)
    response = client.post(
        console.url + "/login",
        data={"username": "an", "password": PASSWORDS["an"], "csrf_token": token},
        allow_redirects=False,
    )
    cookie = response.headers["Set-Cookie"]
    assert "console_session=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie
    client.cookies.set("console_session", response.cookies["console_session"])
    assert client.get(console.url + "/", allow_redirects=False).status_code == 200
    console.clock.now += 29 * 60
    assert client.get(console.url + "/", allow_redirects=False).status_code == 200
    console.clock.now += 31 * 60
    assert client.get(console.url + "/", allow_redirects=False).status_code == 303
    # behind https every cookie is Secure (the browser then never sends it over plain http)
    secure = make_console(console_secure_cookies=True)
    response = secure.http().get(secure.url + "/login")
    assert "Secure" in response.headers["Set-Cookie"] and "SameSite=Strict" in response.headers["Set-Cookie"]


def test_logging_out_ends_the_session(console: RunningConsole) -> None:
    client = console.http("an")
    token = csrf(client.get(console.url + "/").text)
    stolen = client.cookies["console_session"]
    client.post(console.url + "/logout", data={"csrf_token": token})
    again = console.http()
    again.cookies.set("console_session", stolen)
    assert again.get(console.url + "/", allow_redirects=False).status_code == 303


def test_after_login_only_a_local_path_is_followed(console: RunningConsole) -> None:
    client = console.http()
    for target, expected in (
        ("/feedback", "/feedback"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
    ):
        client.cookies.clear()
        token = csrf(client.get(console.url + "/login").text)
        response = client.post(
            console.url + "/login",
            data={"username": "an", "password": PASSWORDS["an"], "csrf_token": token, "next": target},
            allow_redirects=False,
        )
        assert response.headers["Location"] == expected
