"""Bad input and security against the real assistant (the session's, started as `make run` starts it, with
RASA_TOKEN and WEB_SECRET set): Rasa's REST channel answers every readable message and refuses the rest with
a clear 4xx, forced intents users may not send are answered politely, the HTTP API needs the token and listens
on 127.0.0.1 only, and no secret reaches any log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.inbound import MAX_MESSAGE_CHARS, clean_text
from bot.messages import message
from tests.bad_inputs import CASES, ONE_MB, Case
from tests.conftest import RASA_TOKEN, WEB_SECRET, Assistant

pytestmark = pytest.mark.e2e


def rest(assistant: Assistant, body: bytes, **headers: str) -> requests.Response:
    return requests.post(
        f"{assistant.rasa_url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=60,
    )


def say(assistant: Assistant, text: str, sender: str, **metadata: Any) -> requests.Response:
    body = {"sender": sender, "message": text, "metadata": metadata}
    return rest(assistant, json.dumps(body).encode())


def texts_of(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text[:300]
    return [reply["text"] for reply in response.json() if reply.get("text")]


def refused(response: requests.Response, status: int, key: str, language: str = "vi") -> bool:
    expected = {"error": key, "message": message(key, language, limit=MAX_MESSAGE_CHARS)}
    return response.status_code == status and response.json() == expected


# ---- the REST channel ----

# Forced intents reach Rasa unfiltered over REST (the channels send theirs): /restart restarts, quietly.
REST_CASES = [c for c in CASES if c.id != "restart"]


@pytest.mark.parametrize("case", REST_CASES, ids=[c.id for c in REST_CASES])
def test_rest_answers_or_refuses_every_message(assistant: Assistant, case: Case) -> None:
    response = say(assistant, case.text, f"bad-input-{case.id}")
    if case.outcome == "refused" and not clean_text(case.text).startswith("/"):  # "/" is Rasa's to read
        assert refused(response, 413 if case.expected == "too_long" else 400, case.expected)
    else:
        assert texts_of(response), f"no reply to {case.text!r}"


@pytest.mark.parametrize("text", ["/no_such_intent", "/ask_site_info{not json", "/nlu_fallback", "/inform"])
def test_forced_intents_outside_the_domain_get_a_polite_reply(assistant: Assistant, text: str) -> None:
    for language in ("vi", "en"):
        replies = texts_of(say(assistant, text, f"forced-{language}-{text}", language=language))
        assert replies and all(reply.strip() for reply in replies)


def test_rest_refusals_are_in_the_users_language(assistant: Assistant) -> None:
    assert refused(say(assistant, "   ", "lang-1", language="en"), 400, "empty", "en")
    assert refused(say(assistant, "how many visitors " * 100, "lang-2"), 413, "too_long", "en")
    assert refused(say(assistant, "bao nhiêu khách " * 100, "lang-3"), 413, "too_long", "vi")


def test_rest_refuses_a_1_mb_message(assistant: Assistant) -> None:
    body = json.dumps({"sender": "huge", "message": ONE_MB}).encode()
    assert refused(rest(assistant, body), 413, "too_long")


@pytest.mark.parametrize(
    "body",
    [
        b'{"sender": "u", "message": "\xff\xfe ch\xe0o"}',
        b"not json",
        b"[1, 2]",
        b'{"sender": "u", "message": 42}',
        b'{"sender": ["u"], "message": "xin ch\\u00e0o"}',
        b'{"sender": "u", "message": "xin ch\\u00e0o", "metadata": "x"}',
        b'{"sender": "' + b"u" * 300 + b'", "message": "xin ch\\u00e0o"}',
        b"[" * 20000 + b"]" * 20000,
    ],
    ids=[
        "not-utf8",
        "not-json",
        "array",
        "number",
        "sender-list",
        "metadata-string",
        "sender-too-long",
        "deep",
    ],
)
def test_rest_refuses_unreadable_bodies(assistant: Assistant, body: bytes) -> None:
    assert refused(rest(assistant, body), 400, "invalid")


def test_rest_keeps_the_conversation_after_bad_input(assistant: Assistant) -> None:
    sender = "bad-then-good"
    assert rest(assistant, b'{"sender": "bad-then-good", "message": "\xff"}').status_code == 400
    assert say(assistant, "\u200b", sender).status_code == 400
    assert texts_of(say(assistant, "Mỹ Sơn ở đâu?", sender))


# ---- the web gateway, end to end ----


def test_the_gateway_sends_disallowed_forced_intents_as_text(assistant: Assistant) -> None:
    session = requests.post(f"{assistant.web_url}/api/session", timeout=10).json()["session"]
    for text in ("/no_such_intent", "/restart", "'; DROP TABLE entries; --", "😀"):
        response = requests.post(
            f"{assistant.web_url}/api/message",
            json={"text": text, "language": "vi"},
            headers={"Authorization": f"Bearer {session}"},
            timeout=60,
        )
        assert response.status_code == 200
        assert [r for r in response.json()["replies"] if r.get("text")], text


# ---- Rasa's HTTP API ----


def test_the_http_api_needs_the_token(assistant: Assistant) -> None:
    url = assistant.rasa_url
    for path in ("/status", "/conversations/tester/tracker", "/domain"):
        assert requests.get(f"{url}{path}", timeout=10).status_code == 401
        assert requests.get(f"{url}{path}", params={"token": "wrong"}, timeout=10).status_code == 401
        headers = {"Authorization": f"Bearer {RASA_TOKEN}"}  # a JWT header is not the token
        assert requests.get(f"{url}{path}", headers=headers, timeout=10).status_code == 401
    assert requests.post(f"{url}/model/parse", json={"text": "hi"}, timeout=10).status_code == 401
    events = [{"event": "slot", "name": "province", "value": "quang-ngai"}]
    posted = requests.post(f"{url}/conversations/victim/tracker/events", json=events, timeout=10)
    assert posted.status_code == 401
    assert requests.get(f"{url}/status", params={"token": RASA_TOKEN}, timeout=10).status_code == 200
    tracker = requests.get(f"{url}/conversations/victim/tracker", params={"token": RASA_TOKEN}, timeout=10)
    assert tracker.status_code == 200 and tracker.json()["slots"].get("province") is None


def _listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, _, hex_port = fields[1].rpartition(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_rasa_listens_on_127_0_0_1_only(assistant: Assistant) -> None:
    port = int(assistant.rasa_url.rsplit(":", 1)[1])
    assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing on other addresses


# ---- secrets never logged (last: the logs hold everything the tests above did) ----


def test_no_secret_reaches_any_log(assistant: Assistant) -> None:
    logs = [assistant.log, *sorted((assistant.data_dir / "log").glob("*.log"))]
    assert len(logs) >= 4  # the supervisor, the action server, Rasa, the gateway
    for log in logs:
        text = log.read_text(errors="replace")
        assert RASA_TOKEN not in text, log.name
        assert WEB_SECRET not in text, log.name
