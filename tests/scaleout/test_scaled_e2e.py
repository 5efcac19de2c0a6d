"""End to end: `runtime/supervisor.py --scaled` (two Rasa servers sharing a PostgreSQL tracker store and a Redis lock
store, two action servers, the knowledge on PostgreSQL, the web gateway) and the Telegram bridge against it.

The assistant is started once for the module, on a PostgreSQL server of the module's own (so that one test can
stop and restart it) and a Redis key prefix of its own. The tests run in file order and the later ones take
processes away: the database outage is undone, then one Rasa server is killed, then one action server.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import yaml

from assistant.answering.wording import format_number
from bot.messages import message
from bot.rasa_client import RasaClient
from runtime.harness import ROOT, RunningAssistant, listener_pid, running_scaled_assistant
from tests.scaleout.conftest import PrivatePostgres
from tests.telegram.conftest import Bridge, start_bridge
from tests.telegram.fake_telegram import FakeTelegram
from tests.telegram.test_bridge_e2e import shown

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

# Seconds a Rasa server's conversation lock outlives the server (short, so a killed server is waited out soon).
LEASE = "5"
# Seconds the tests' Rasa client waits for an answer: more than a lease plus a busy machine's handling time.
CLIENT_TIMEOUT = 60.0
LOCK_PROBLEMS = ("LockError", "Could not acquire lock", "lapsed")
QUESTIONS = [
    "Quảng Ngãi đón bao nhiêu khách du lịch năm 2022?",
    "Đại Nội Huế ở đâu?",
    "Where is My Son Sanctuary?",
    "dang ky khai sinh truc tuyen the nao",
    "Khách quốc tế đến Quảng Ngãi năm 2022 là bao nhiêu?",
]


def figure(entry_id: str) -> str:
    """The value of a tourism statistic of knowledge/, written as the Vietnamese answers write it."""
    entries = yaml.safe_load((ROOT / "knowledge" / "tourism_statistics.yml").read_text(encoding="utf-8"))
    [entry] = [e for e in entries["entries"] if e["id"] == entry_id]
    return format_number(entry["value"], "vi")


@pytest.fixture(scope="module")
def scaled(
    private_postgres: PrivatePostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningAssistant]:
    env = {
        "DATABASE_URL": private_postgres.url("assistant_knowledge"),
        "TRACKER_STORE_URL": private_postgres.url("assistant_tracker"),
        "LOCK_LEASE_SECONDS": LEASE,
        "TODAY": "2026-11-23",
        "WEB_RATE_PER_SECOND": "50",
        "WEB_RATE_BURST": "100",
        "RASA_TIMEOUT": str(CLIENT_TIMEOUT),
    }
    with running_scaled_assistant(tmp_path_factory.mktemp("scaled"), env=env) as running:
        yield running


@pytest.fixture(scope="module")
def bridge(scaled: RunningAssistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    """The Telegram bridge, spreading over both Rasa servers, against a fake Telegram."""
    log = tmp_path_factory.mktemp("scaled-telegram") / "bridge.log"
    with FakeTelegram() as fake:
        running = start_bridge(fake, ",".join(scaled.rasa_urls), log, RASA_TIMEOUT=str(CLIENT_TIMEOUT))
        try:
            yield running
        finally:
            running.stop()


def rest(rasa_url: str, sender: str, text: str) -> list[dict[str, Any]]:
    """One message straight to one Rasa server's REST channel."""
    answer = requests.post(
        f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=CLIENT_TIMEOUT
    )
    answer.raise_for_status()
    return answer.json()


def web_say(scaled: RunningAssistant, session: str, text: str, language: str) -> requests.Response:
    """One message through the web gateway's API."""
    return requests.post(
        f"{scaled.web_url}/api/message",
        json={"text": text, "language": language},
        headers={"Authorization": f"Bearer {session}"},
        timeout=CLIENT_TIMEOUT,
    )


def assert_told_unavailable(scaled: RunningAssistant, bridge: Bridge, chat_id: int) -> None:
    """A web user (in English) and a Telegram user (in Vietnamese) are told the assistant cannot look it up."""
    session = requests.post(f"{scaled.web_url}/api/session", timeout=10).json()["session"]
    web = web_say(scaled, session, "Where is My Son Sanctuary?", "en")
    assert web.status_code == 503
    assert web.json() == {"error": "unavailable", "message": message("unavailable", "en")}
    bridge.fake.send_text(chat_id, "Đại Nội Huế ở đâu?")
    [sent] = bridge.fake.wait_for("sendMessage", chat_id)
    assert shown(sent) == message("unavailable", "vi")


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def events(scaled: RunningAssistant, sender: str) -> list[dict[str, Any]]:
    """The conversation's events, read through whichever Rasa server answers (the tracker store is shared)."""
    for url in scaled.rasa_urls:
        try:
            answer = requests.get(
                f"{url}/conversations/{sender}/tracker", params={"include_events": "ALL"}, timeout=30
            )
        except requests.ConnectionError:
            continue
        answer.raise_for_status()
        return answer.json()["events"]
    raise AssertionError("no Rasa server shows the tracker")


def user_events(scaled: RunningAssistant, sender: str) -> list[dict[str, Any]]:
    return [e for e in events(scaled, sender) if e["event"] == "user"]


def handlings(all_events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The events split at each user message: one list per message, the user's event first."""
    runs: list[list[dict[str, Any]]] = []
    for event in all_events:
        if event["event"] == "user":
            runs.append([event])
        elif runs:
            runs[-1].append(event)
    return runs


def bot_texts(run: list[dict[str, Any]]) -> list[str]:
    return [e.get("text") or "" for e in run if e["event"] == "bot"]


def rasa_logs(scaled: RunningAssistant) -> str:
    return "\n".join(
        p.read_text(errors="replace") for p in sorted((scaled.data_dir / "log").glob("rasa-*.log"))
    )


async def channel_send(
    client: RasaClient, sender: str, text: str, number: int
) -> tuple[int, list[dict[str, Any]]]:
    """Send as a channel does, with the message's number in its metadata (kept in the tracker)."""
    return number, await client.send(sender, text, {"channel": "test", "number": number})


def test_a_conversation_alternating_between_rasa_servers_keeps_its_context(scaled: RunningAssistant) -> None:
    first, second = scaled.rasa_urls
    sender = "alternating"
    assert figure("qng-2022-visitors") in texts(rest(first, sender, QUESTIONS[0]))
    follow_up = texts(rest(second, sender, "Còn khách quốc tế thì sao?"))
    assert figure("qng-2022-international-visitors") in follow_up  # Quảng Ngãi, 2022, from the first server
    assert "Quảng Ngãi" in follow_up and "2022" in follow_up
    assert [e["text"] for e in user_events(scaled, sender)] == [QUESTIONS[0], "Còn khách quốc tế thì sao?"]


def test_twenty_messages_at_once_for_one_sender_are_all_answered_one_after_another(
    scaled: RunningAssistant,
) -> None:
    """The 20 requests are in flight together, spread over both Rasa servers. "In order" means: the Redis lock
    lets one message of the conversation be handled at a time, in the order the messages took their tickets
    (the order they reached the Rasa servers). So the tracker holds the 20 user messages, each once, and each
    is followed by its own whole handling (its action, its bot messages, action_listen) before the next user
    message starts; and each HTTP answer is exactly what the tracker recorded after that very message."""
    sender = "burst"

    async def burst() -> list[tuple[int, list[dict[str, Any]]]]:
        client = RasaClient(scaled.rasa_urls, timeout=CLIENT_TIMEOUT)
        try:
            sends = [channel_send(client, sender, QUESTIONS[n % len(QUESTIONS)], n) for n in range(20)]
            return await asyncio.gather(*sends)
        finally:
            await client.close()

    answers = dict(asyncio.run(burst()))
    assert all(answers[n] for n in range(20)), "every message gets an answer"
    runs = handlings(events(scaled, sender))
    numbers = [run[0]["metadata"]["number"] for run in runs]
    assert sorted(numbers) == list(range(20))  # all 20, each exactly once
    for run in runs:
        number = run[0]["metadata"]["number"]
        assert run[0]["text"] == QUESTIONS[number % len(QUESTIONS)]
        actions = [e["name"] for e in run if e["event"] == "action"]
        assert actions[-1] == "action_listen" and "action_listen" not in actions[:-1]  # one whole handling
        assert bot_texts(run) == [r.get("text") or "" for r in answers[number]]
    timestamps = [run[0]["timestamp"] for run in runs]
    assert timestamps == sorted(timestamps)
    logs = rasa_logs(scaled)
    assert not [problem for problem in LOCK_PROBLEMS if problem in logs]


def test_database_down_is_reported_told_and_recovered_without_losing_events(
    scaled: RunningAssistant, private_postgres: PrivatePostgres, bridge: Bridge
) -> None:
    sender = "outage"

    async def say(text: str) -> list[dict[str, Any]]:
        client = RasaClient(scaled.rasa_urls, timeout=CLIENT_TIMEOUT)
        try:
            return await client.send(sender, text, {"channel": "test"})
        finally:
            await client.close()

    assert figure("qng-2022-visitors") in texts(asyncio.run(say(QUESTIONS[0])))
    before = events(scaled, sender)
    private_postgres.stop()
    try:
        ready = requests.get(f"{scaled.web_url}/health/ready", timeout=30)
        assert ready.status_code == 503
        assert ready.json()["tracker_store"] == "down" and ready.json()["database"] == "down"
        assert ready.json()["rasa"] == ["up", "up"]
        status = requests.get(f"{scaled.action_url}/knowledge/status", timeout=30).json()
        assert status["database"] == "down" and status["ok"]  # the knowledge in memory is still valid
        assert_told_unavailable(scaled, bridge, 401)
        assert asyncio.run(say("Còn khách quốc tế thì sao?")) == []  # over REST: nothing (bot/PROTOCOL.md)
    finally:
        private_postgres.start()
    deadline = time.monotonic() + 120
    while requests.get(f"{scaled.web_url}/health/ready", timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "the assistant did not see the database come back"
        time.sleep(1)
    for _ in range(10):  # each Rasa server may fail once more on a connection the restart closed
        if all(asyncio.run(channel_probe(scaled))):
            break
    follow_up = texts(asyncio.run(say("Còn khách quốc tế thì sao?")))
    assert figure("qng-2022-international-visitors") in follow_up  # the context from before the outage
    after = events(scaled, sender)
    assert after[: len(before)] == before  # nothing before the outage lost or changed
    runs = handlings(after)
    assert [run[0]["text"] for run in runs] == [QUESTIONS[0], "Còn khách quốc tế thì sao?"]
    assert all(bot_texts(run) for run in runs)
    keys = [run[0]["metadata"]["message_key"] for run in runs]
    assert len(set(keys)) == len(keys)  # no message handled twice


async def channel_probe(scaled: RunningAssistant) -> list[list[dict[str, Any]]]:
    """One message to each Rasa server from a throw-away sender: non-empty answers once both work again."""
    answers = []
    for url in scaled.rasa_urls:
        client = RasaClient([url], timeout=CLIENT_TIMEOUT)
        try:
            answers.append(await client.send(f"probe-{time.monotonic_ns()}", "xin chào", {"channel": "test"}))
        finally:
            await client.close()
    return answers


def kill(port: int) -> None:
    """SIGKILL the process listening on `port` and everything it started."""
    pid = listener_pid(port)
    assert pid is not None, f"nothing listens on {port}"
    os.killpg(os.getpgid(pid), signal.SIGKILL)


def wait_for_log(scaled: RunningAssistant, line: str) -> None:
    """Wait until the supervisor's output holds `line` (it looks at its processes twice a second)."""
    deadline = time.monotonic() + 20
    while line not in scaled.log.read_text(errors="replace"):
        assert time.monotonic() < deadline, f"the supervisor never said: {line}"
        time.sleep(0.2)


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_killing_a_rasa_server_during_a_stream_loses_no_message(
    scaled: RunningAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Four senders send ten questions each, one after another, through the channels' client. After a few
    answers Rasa server 1 is frozen (SIGSTOP); once every sender waits for it (no answer comes any more: each
    sender's next message went to the frozen server), it is killed (SIGKILL): those messages were surely on
    their way in it."""
    caplog.set_level(logging.WARNING, logger="bot.rasa_client")
    victim = listener_pid(port_of(scaled.rasa_urls[0]))
    assert victim is not None
    answered: list[int] = []

    async def stream(client: RasaClient, sender: str) -> list[tuple[int, list[dict[str, Any]]]]:
        answers = []
        for n in range(10):
            answers.append(await channel_send(client, sender, QUESTIONS[n % len(QUESTIONS)], n))
            answered.append(n)
        return answers

    async def until(condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 60
        while not condition():
            assert time.monotonic() < deadline, "the stream did not get there"
            await asyncio.sleep(0.1)

    async def all_waiting() -> None:
        """Until no answer came for 2 s."""
        while True:
            count = len(answered)
            await asyncio.sleep(2)
            if len(answered) == count:
                return

    async def run() -> dict[str, list[tuple[int, list[dict[str, Any]]]]]:
        client = RasaClient(scaled.rasa_urls, timeout=CLIENT_TIMEOUT)
        senders = [f"stream-{n}" for n in range(4)]
        try:
            streams = asyncio.gather(*(stream(client, s) for s in senders))
            await until(lambda: len(answered) >= 6)  # both servers answer
            os.killpg(os.getpgid(victim), signal.SIGSTOP)
            await asyncio.wait_for(all_waiting(), 60)
            assert len(answered) < 40, "every sender has a message on its way in the frozen server"
            os.killpg(os.getpgid(victim), signal.SIGKILL)
            return dict(zip(senders, await streams, strict=True))
        finally:
            await client.close()

    results = asyncio.run(run())
    assert re.search(r"failed: (ServerDisconnectedError|ClientOSError|ClientPayloadError)", caplog.text), (
        "some messages were on their way in the killed server"
    )
    for sender, answers in results.items():
        assert all(replies for _, replies in answers), f"{sender}: every message gets an answer"
        runs = handlings(events(scaled, sender))
        assert [run[0]["metadata"]["number"] for run in runs] == list(range(10))  # each once, in order
        for (number, replies), run in zip(answers, runs, strict=True):
            assert bot_texts(run) == [r.get("text") or "" for r in replies], f"{sender} message {number}"
    wait_for_log(scaled, "run: rasa-1 stopped (exit -9); rasa-2 still serving")
    logs = rasa_logs(scaled)
    assert not [problem for problem in LOCK_PROBLEMS if problem in logs]


def test_action_server_down_gets_a_polite_fallback_on_both_channels(
    scaled: RunningAssistant, bridge: Bridge
) -> None:
    """Rasa server 1 is gone (previous test); Rasa server 2's action server is killed now."""
    kill(port_of(scaled.action_urls[1]))
    assert_told_unavailable(scaled, bridge, 402)
    assert rest(scaled.rasa_urls[1], "rest-user", "Đại Nội Huế ở đâu?") == []  # REST: nothing, Rasa logs it
    assert "Encountered an exception while running action 'action_answer'" in rasa_logs(scaled)
    wait_for_log(scaled, "run: action-server-2 stopped (exit -9); action-server-1 still serving")
