"""Web sessions cannot be forged, stretched or carried over (with a fake assistant): tampering with any part of a
token, an expired token, and a token of a secret the gateway no longer uses all get 401 and reach nobody."""

from __future__ import annotations

import time
from pathlib import Path

import requests

from bot.web.sessions import SESSION_MAX_AGE, SessionSigner
from tests.web.support import FakeAssistant, gateway, web_settings

SECRET = "recognisable-web-secret-0123456789abcdef"
ROTATED = "a-new-web-secret-after-rotation-0123456789"


def say(url: str, token: str) -> int:
    response = requests.post(
        f"{url}/api/message",
        json={"text": "xin chào"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    return response.status_code


def new_session(url: str) -> str:
    return requests.post(f"{url}/api/session", timeout=5).json()["session"]


def flipped(char: str) -> str:
    return "B" if char == "A" else "A"


def test_every_tampered_character_is_refused(tmp_path: Path) -> None:
    fake = FakeAssistant()
    with gateway(web_settings(tmp_path, web_secret=SECRET, web_rate_burst=500), fake) as url:
        token = new_session(url)
        assert say(url, token) == 200
        for i, char in enumerate(token):
            if char == ".":
                continue
            assert say(url, token[:i] + flipped(char) + token[i + 1 :]) == 401, i
        assert say(url, token.upper()) == 401
        assert say(url, token.swapcase()) == 401
        assert say(url, token + "A") == 401
        assert say(url, token[:-1]) == 401
    assert len(fake.calls) == 1


def test_an_expired_or_future_token_is_refused(tmp_path: Path) -> None:
    fake = FakeAssistant()
    signer = SessionSigner(SECRET.encode())
    now = time.time()
    with gateway(web_settings(tmp_path, web_secret=SECRET), fake) as url:
        assert say(url, signer.issue(now=now - SESSION_MAX_AGE + 3600)) == 200  # 29 days old: still valid
        assert say(url, signer.issue(now=now - SESSION_MAX_AGE - 60)) == 401
        assert say(url, signer.issue(now=now + 3600)) == 401  # issued in the future
    assert len(fake.calls) == 1


def test_tokens_of_a_rotated_secret_are_refused(tmp_path: Path) -> None:
    with gateway(web_settings(tmp_path, web_secret=SECRET), FakeAssistant()) as url:
        token = new_session(url)
        assert say(url, token) == 200
    fake = FakeAssistant()
    with gateway(web_settings(tmp_path, web_secret=ROTATED), fake) as url:
        assert say(url, token) == 401  # rotating WEB_SECRET ends every session
        assert say(url, new_session(url)) == 200
    assert len(fake.calls) == 1


def test_one_session_never_reaches_another_conversation(tmp_path: Path) -> None:
    fake = FakeAssistant()
    with gateway(web_settings(tmp_path, web_secret=SECRET), fake) as url:
        mine, theirs = new_session(url), new_session(url)
        my_id, issued, signature = mine.split(".")
        their_id = theirs.split(".")[0]
        for forged in (
            f"{their_id}.{issued}.{signature}",
            f"{their_id}.{theirs.split('.')[1]}.{signature}",
            f"{my_id}.{theirs.split('.')[1]}.{theirs.split('.')[2]}",
            f"{their_id}",
            f"web:{their_id}",
        ):
            assert say(url, forged) == 401
        assert say(url, mine) == 200
    assert [call[0] for call in fake.calls] == [f"web:{my_id}"]
