"""The channels' Rasa client (bot/rasa_client.py) over several stand-in Rasa servers that share one tracker store:
it tries another server only when the message surely was not handled, so no message is handled twice."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from aiohttp import web

from bot.rasa_client import AssistantUnavailable, RasaClient, recorded_replies
from tests.telegram.servers import ThreadedServer

ANSWER = [{"text": "Đại Nội ở Huế."}]


class SharedTrackers:
    """The tracker store the stand-ins share: sender -> events."""

    def __init__(self) -> None:
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.lock = threading.Lock()

    def handle(self, body: dict[str, Any], replies: list[dict[str, Any]]) -> None:
        """Record a handled message as Rasa does: the user's event with its metadata, then the bot's."""
        with self.lock:
            events = self.events.setdefault(body["sender"], [])
            events.append({"event": "user", "text": body["message"], "metadata": body.get("metadata") or {}})
            events.append({"event": "action", "name": "action_answer"})
            for reply in replies:
                data = {k: v for k, v in reply.items() if k != "text"}
                events.append({"event": "bot", "text": reply.get("text"), "data": data})

    def user_messages(self, sender: str) -> list[str]:
        with self.lock:
            return [e["text"] for e in self.events.get(sender, []) if e["event"] == "user"]


class StandInRasa(ThreadedServer):
    """A Rasa server that behaves as told: "answer", "drop" (the connection breaks before it handles the
    message), "drop_after" (it handles and saves the message, then dies before answering), "hang", "status N"."""

    def __init__(
        self, trackers: SharedTrackers, behaviour: str = "answer", shows_trackers: bool = True
    ) -> None:
        super().__init__()
        self.trackers = trackers
        self.behaviour = behaviour
        self.shows_trackers = shows_trackers
        self.posts: list[dict[str, Any]] = []

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        app.router.add_get("/conversations/{sender}/tracker", self._tracker)
        return app

    async def _webhook(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.posts.append(body)
        if self.behaviour in ("drop", "drop_after"):
            if self.behaviour == "drop_after":
                self.trackers.handle(body, ANSWER)
            assert request.transport is not None
            request.transport.abort()
            return web.Response()
        if self.behaviour == "hang":
            await asyncio.sleep(5)
        if self.behaviour.startswith("status"):
            return web.Response(status=int(self.behaviour.split()[1]))
        self.trackers.handle(body, ANSWER)
        return web.json_response(ANSWER)

    async def _tracker(self, request: web.Request) -> web.Response:
        if not self.shows_trackers:
            return web.Response(status=500)
        assert request.query.get("include_events") == "ALL"
        with self.trackers.lock:
            events = list(self.trackers.events.get(request.match_info["sender"], []))
        return web.json_response({"sender_id": request.match_info["sender"], "events": events})


def send(urls: list[str], message: str = "Đại Nội ở đâu?", timeout: float = 2.0) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        client = RasaClient(urls, timeout=timeout)
        try:
            return await client.send("web:abc", message, {"channel": "web"})
        finally:
            await client.close()

    return asyncio.run(run())


@pytest.fixture
def trackers() -> SharedTrackers:
    return SharedTrackers()


def test_a_server_that_refuses_the_connection_is_skipped(trackers: SharedTrackers) -> None:
    down = StandInRasa(trackers)  # its port is taken but nobody listens: connections are refused
    with StandInRasa(trackers) as up:
        assert send([down.url, up.url]) == ANSWER
    assert len(up.posts) == 1
    assert trackers.user_messages("web:abc") == ["Đại Nội ở đâu?"]


def test_a_message_lost_with_its_server_goes_to_the_next_once(trackers: SharedTrackers) -> None:
    with StandInRasa(trackers, "drop") as dying, StandInRasa(trackers) as up:
        assert send([dying.url, up.url]) == ANSWER
    assert len(dying.posts) == 1 and len(up.posts) == 1
    key = dying.posts[0]["metadata"]["message_key"]
    assert up.posts[0]["metadata"]["message_key"] == key  # the same message, not a new one
    assert up.posts[0]["metadata"]["channel"] == "web"
    assert trackers.user_messages("web:abc") == ["Đại Nội ở đâu?"]


def test_a_message_handled_before_its_server_died_is_not_sent_again(trackers: SharedTrackers) -> None:
    with StandInRasa(trackers, "drop_after") as dying, StandInRasa(trackers) as up:
        assert send([dying.url, up.url]) == ANSWER  # the replies recorded in the tracker
    assert up.posts == []
    assert trackers.user_messages("web:abc") == ["Đại Nội ở đâu?"]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_checked_then_retried(trackers: SharedTrackers, status: int) -> None:
    with StandInRasa(trackers, f"status {status}") as failing, StandInRasa(trackers) as up:
        assert send([failing.url, up.url]) == ANSWER
    assert len(up.posts) == 1
    assert trackers.user_messages("web:abc") == ["Đại Nội ở đâu?"]


def test_when_no_server_can_tell_the_message_is_not_sent_again(trackers: SharedTrackers) -> None:
    with (
        StandInRasa(trackers, "drop", shows_trackers=False) as dying,
        StandInRasa(trackers, shows_trackers=False) as up,
    ):
        with pytest.raises(AssistantUnavailable):
            send([dying.url, up.url])
    assert up.posts == []


def test_a_timeout_is_never_retried(trackers: SharedTrackers) -> None:
    with StandInRasa(trackers, "hang") as slow, StandInRasa(trackers) as up:
        with pytest.raises(AssistantUnavailable):
            send([slow.url, up.url], timeout=1.0)
    assert up.posts == []  # the slow server may still handle it


def test_a_refusal_is_the_same_everywhere_and_not_retried(trackers: SharedTrackers) -> None:
    with StandInRasa(trackers, "status 400") as refusing, StandInRasa(trackers) as up:
        with pytest.raises(AssistantUnavailable):
            send([refusing.url, up.url])
    assert up.posts == []


def test_requests_take_turns_over_the_servers(trackers: SharedTrackers) -> None:
    with StandInRasa(trackers) as first, StandInRasa(trackers) as second:

        async def run() -> None:
            client = RasaClient([first.url, second.url], timeout=2.0)
            for n in range(4):
                await client.send("web:abc", f"câu {n}")
            await client.close()

        asyncio.run(run())
    assert [p["message"] for p in first.posts] == ["câu 0", "câu 2"]
    assert [p["message"] for p in second.posts] == ["câu 1", "câu 3"]


def test_recorded_replies_are_those_after_the_keyed_message() -> None:
    events = [
        {"event": "user", "text": "a", "metadata": {"message_key": "k1"}},
        {"event": "bot", "text": "answer a", "data": {}},
        {"event": "user", "text": "b", "metadata": {"message_key": "k2"}},
        {"event": "action", "name": "action_answer"},
        {"event": "bot", "text": "answer b", "data": {"buttons": [{"title": "t", "payload": "/p"}]}},
        {"event": "bot", "text": None, "data": {"image": "https://example.org/a.png"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "c", "metadata": {}},
        {"event": "bot", "text": "answer c", "data": {}},
    ]
    assert recorded_replies(events, "k2") == [
        {"text": "answer b", "buttons": [{"title": "t", "payload": "/p"}]},
        {"image": "https://example.org/a.png"},
    ]
    assert recorded_replies(events, "k1") == [{"text": "answer a"}]
    assert recorded_replies(events, "k3") is None
