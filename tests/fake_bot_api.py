"""What the tests' fake Bot API servers share (tests/telegram/fake_telegram.py, tests/zalo/fake_zalo.py): updates
the test pushes, handed to the bridge by long polling; every call the bridge makes, recorded; and failures
injected on request (an answer of 429 with retry_after, or 500).

Both platforms serve `/bot<token>/<method>` and answer `{"ok": true, "result": ...}` or `{"ok": false,
"error_code": ..., "description": ...}`; a subclass reads a call's parameters as its platform sends them and
answers each method in a method `_api_<method>(params)`.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.telegram.servers import ThreadedServer


@dataclass
class Call:
    """One request the bridge made."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    filenames: dict[str, str]
    at: float
    status: int = 200
    result: Any = None

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))


@dataclass
class Failure:
    method: str
    status: int
    retry_after: int | None
    chat_id: Any


class Refusal(Exception):
    """An error answer of the platform to a call: HTTP and error_code `status`, and its description."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


class FakeBotApi(ThreadedServer):
    """The common part of a fake Bot API server. Use as a context manager or start()/stop()."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.calls: list[Call] = []
        # When each update was first handed to the bridge (time.monotonic()), by update_id.
        self.delivered_at: dict[int, float] = {}
        self._lock = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._failures: list[Failure] = []
        self._update_ids = itertools.count(1)
        self._wake: asyncio.Event | None = None
        self._closing = False

    # --- what the test does -------------------------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update (its update_id is set here) for the next getUpdates; returns the update_id."""
        with self._lock:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **update})
        if self.loop and self._wake:
            self.loop.call_soon_threadsafe(self._wake.set)
        return update_id

    def fail_next(
        self, method: str, status: int, *, retry_after: int | None = None, chat_id: Any = None
    ) -> None:
        """Answer the next call of `method` (for `chat_id`, if given) with `status`: 429 carries retry_after."""
        with self._lock:
            self._failures.append(Failure(method, status, retry_after, chat_id))

    def recorded(self, method: str | None = None, chat_id: Any = None, ok_only: bool = True) -> list[Any]:
        """The calls made so far, optionally of one method and one chat; by default only the successful ones."""
        with self._lock:
            return [
                c
                for c in self.calls
                if (method is None or c.method == method)
                and (chat_id is None or c.chat_id == chat_id)
                and (not ok_only or c.status == 200)
            ]

    def wait_for(
        self, method: str, chat_id: Any = None, count: int = 1, timeout: float = 60, ok_only: bool = True
    ) -> list[Any]:
        """Wait until at least `count` such calls were made; return them all."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = self.recorded(method, chat_id, ok_only)
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    made = [(c.method, c.chat_id, c.status) for c in self.calls]
                    raise AssertionError(
                        f"no {count} {method} call(s) for chat {chat_id} in {timeout} s: {made}"
                    )
                self._lock.wait(remaining)

    # --- the server ---------------------------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        self._wake = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        return app

    async def on_stop(self) -> None:
        self._closing = True
        if self._wake:
            self._wake.set()

    async def _read_call(self, method: str, request: web.Request) -> Call:
        """The call as the platform reads its parameters."""
        raise NotImplementedError

    async def _get_updates(self, call: Call) -> Any:
        """The answer to getUpdates (raise Refusal for an error answer)."""
        raise NotImplementedError

    async def _answer(self, call: Call) -> Any:
        """The result of a call other than getUpdates (raise Refusal for an error answer)."""
        handler = getattr(self, f"_api_{call.method}", None)
        if handler is None:
            raise Refusal(404, "Not Found: method not found")
        return handler(call.params)

    @staticmethod
    def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
            body["description"] = f"Too Many Requests: retry after {retry_after}"
        return web.json_response(body, status=status)

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        call = await self._read_call(request.match_info["method"], request)
        failure = self._take_failure(call)
        try:
            if failure:
                raise Refusal(failure.status, "Injected failure")
            if call.method == "getUpdates":
                call.result = await self._get_updates(call)
            else:
                call.result = await self._answer(call)
        except Refusal as refusal:
            call.status = refusal.status
            self._record(call)
            return self._error(refusal.status, refusal.description, failure.retry_after if failure else None)
        self._record(call)
        return web.json_response({"ok": True, "result": call.result})

    def _take_failure(self, call: Call) -> Failure | None:
        with self._lock:
            for failure in self._failures:
                if failure.method == call.method and failure.chat_id in (None, call.chat_id):
                    self._failures.remove(failure)
                    return failure
        return None

    def _record(self, call: Call) -> None:
        if call.method == "getUpdates":
            return
        with self._lock:
            self.calls.append(call)
            self._lock.notify_all()

    async def _await_updates(
        self, timeout: float, take: Callable[[], list[dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        """What `take` (called under the lock) gives, waiting up to `timeout` seconds (30 at most) for it."""
        assert self.loop and self._wake
        deadline = self.loop.time() + min(timeout, 30)
        while True:
            self._wake.clear()  # before taking: an update pushed after this wakes the wait below
            with self._lock:
                pending = take()
                now = time.monotonic()
                for update in pending:
                    self.delivered_at.setdefault(update["update_id"], now)
            remaining = deadline - self.loop.time()
            if pending or remaining <= 0 or self._closing:
                return pending
            try:
                await asyncio.wait_for(self._wake.wait(), remaining)
            except asyncio.TimeoutError:
                pass
