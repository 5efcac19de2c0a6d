"""A stand-in for the assistant's REST channel with canned replies, and for the web gateway's files.

For the bridge's rendering of what the trained assistant does not say yet (images, venues, cards, files) and for
an assistant slower than the bridge's timeout.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from aiohttp import web

from tests.telegram.servers import ThreadedServer

# The smallest valid PNG (1x1 pixel), served as /charts/<name>.png.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


class StubRasa(ThreadedServer):
    """POST /webhooks/rest/webhook answers `replies[message]` (default: nothing), after `delays[message]` s."""

    def __init__(self, replies: dict[str, list[dict[str, Any]]] | None = None) -> None:
        super().__init__()
        self.replies = replies or {}
        self.delays: dict[str, float] = {}
        self.received: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def messages(self, sender: str | None = None) -> list[str]:
        """The messages received so far (from `sender`, if given)."""
        with self._lock:
            return [b["message"] for b in self.received if sender is None or b["sender"] == sender]

    def wait_for_messages(self, sender: str, count: int, timeout: float = 20) -> list[str]:
        """The messages from `sender` once there are `count` of them (or all there are after `timeout` s)."""
        deadline = time.monotonic() + timeout
        while len(self.messages(sender)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages(sender)

    def bodies(self, sender: str) -> list[dict[str, Any]]:
        """The requests received from `sender`."""
        with self._lock:
            return [b for b in self.received if b["sender"] == sender]

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        app.router.add_get("/charts/{name}", self._chart)
        app.router.add_get("/files/{name}", self._file)
        return app

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            self.received.append(body)
        delay = self.delays.get(body["message"], 0)
        if delay:
            await asyncio.sleep(delay)
        return web.json_response(self.replies.get(body["message"], []))

    async def _chart(self, request: web.Request) -> web.Response:
        return web.Response(body=PNG, content_type="image/png")

    async def _file(self, request: web.Request) -> web.Response:
        return web.Response(body=ICS, content_type="text/calendar")
