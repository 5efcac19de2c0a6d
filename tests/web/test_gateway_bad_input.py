"""Bad input through the web gateway (with a fake assistant): every message is answered or clearly refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from bot.inbound import MAX_MESSAGE_CHARS
from bot.messages import message
from tests.bad_inputs import CASES, ONE_MB, Case
from tests.web.support import FakeAssistant, gateway, web_settings


@pytest.fixture(scope="module")
def fake() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory, fake: FakeAssistant) -> Iterator[str]:
    settings = web_settings(
        tmp_path_factory.mktemp("gateway"), web_rate_per_second=100.0, web_rate_burst=1000
    )
    with gateway(settings, fake) as base:
        yield base


@pytest.fixture(scope="module")
def token(url: str) -> str:
    return requests.post(f"{url}/api/session", timeout=5).json()["session"]


def post(url: str, token: str, body: bytes, language: str = "vi") -> requests.Response:
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept-Language": language,
    }
    return requests.post(f"{url}/api/message", data=body, headers=headers, timeout=10)


def refused_as(response: requests.Response, status: int, key: str, language: str = "vi") -> bool:
    expected = {"error": key, "message": message(key, language, limit=MAX_MESSAGE_CHARS)}
    return response.status_code == status and response.json() == expected


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_answered_or_refused_clearly(
    url: str, token: str, fake: FakeAssistant, case: Case
) -> None:
    before = len(fake.calls)
    for language in ("vi", "en"):
        response = requests.post(
            f"{url}/api/message",
            json={"text": case.text, "language": language},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        if case.outcome == "sent":
            assert response.status_code == 200
            assert response.json() == {"replies": [{"text": f"echo: {case.expected}"}]}
            assert fake.calls[-1][1:] == (case.expected, {"channel": "web", "language": language})
        else:
            status = 413 if case.expected == "too_long" else 400
            assert refused_as(response, status, case.expected, language)
    assert len(fake.calls) == before + (2 if case.outcome == "sent" else 0)


def test_a_1_mb_message_gets_413(url: str, token: str, fake: FakeAssistant) -> None:
    before = len(fake.calls)
    body = b'{"text": "' + ONE_MB.encode() + b'", "language": "en"}'
    assert refused_as(post(url, token, body, "en"), 413, "too_long", "en")
    assert len(fake.calls) == before


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "\xff\xfe ch\xe0o"}',  # not UTF-8
        b'{"text": "Hu\xc3"}',  # a truncated UTF-8 sequence
        b"\xef\xbb\xbf\x00\x00",
        b"not json",
        b'{"text": "unterminated',
        b"[1, 2]",
        b'"just a string"',
        b"null",
        b'{"text": 42}',
        b'{"text": ["a"]}',
        b'{"text": {"nested": true}}',
        b"[" * 20000 + b"]" * 20000,  # deeper than the JSON parser recurses
    ],
    ids=[
        "latin1",
        "truncated",
        "bom-nul",
        "not-json",
        "unterminated",
        "array",
        "string",
        "null",
        "number",
        "list",
        "object",
        "deep",
    ],
)
def test_a_body_that_is_not_a_utf8_json_message_gets_400(
    url: str, token: str, fake: FakeAssistant, body: bytes
) -> None:
    before = len(fake.calls)
    assert refused_as(post(url, token, body), 400, "invalid")
    assert refused_as(post(url, token, body, "en"), 400, "invalid", "en")
    assert len(fake.calls) == before


def test_an_unknown_charset_gets_400(url: str, token: str) -> None:
    response = requests.post(
        f"{url}/api/message",
        data=b'{"text": "hi"}',
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json; charset=no-such-charset",
        },
        timeout=10,
    )
    assert refused_as(response, 400, "invalid")


def test_a_lone_surrogate_is_dropped(url: str, token: str, fake: FakeAssistant) -> None:
    response = post(url, token, b'{"text": "Hu\\ud800\\u1ebf \\udfff"}')
    assert response.status_code == 200
    assert fake.calls[-1][1] == "Huế"


def test_a_missing_text_is_empty(url: str, token: str) -> None:
    assert refused_as(post(url, token, b'{"language": "en"}'), 400, "empty", "en")
