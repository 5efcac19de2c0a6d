"""A local fake of the Telegram Bot API, enough for the bridge: it hands out updates the test pushes, records every
call the bridge makes, and can answer a call with 429 (retry_after) or 500.

Serves getMe, getUpdates, sendMessage, answerCallbackQuery, editMessageReplyMarkup, sendPhoto, sendVenue,
sendDocument, setMyCommands, setWebhook and deleteWebhook at /bot<token>/<method>, as python-telegram-bot calls
them (form or multipart parameters, JSON-encoded when not strings). Point the bridge at it with
TELEGRAM_API_BASE_URL=<url>/bot.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.telegram.servers import ThreadedServer

# Shaped like a real token (digits, colon, 35 characters), so a leak in a log would be found.
FAKE_TOKEN = "123456789:AAFakeTokenForTheTelegramBridgeTestsX"
BOT_USER = {"id": 7000001, "is_bot": True, "first_name": "Trợ lý", "username": "fake_assistant_bot"}


@dataclass
class Call:
    """One request the bridge made."""

    method: str
    params: dict[str, str]
    files: dict[str, bytes]
    filenames: dict[str, str]
    at: float
    status: int = 200
    result: Any = None

    def json(self, name: str) -> Any:
        """A parameter python-telegram-bot JSON-encoded (numbers, objects), decoded."""
        return json.loads(self.params[name]) if name in self.params else None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return self.params.get("text", "")

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.json("reply_markup")

    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data) of each inline keyboard button, row by row."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


@dataclass
class Failure:
    method: str
    status: int
    retry_after: int | None
    chat_id: int | None


class FakeTelegram(ThreadedServer):
    """The fake Bot API server. Use as a context manager or start()/stop()."""

    def __init__(self, token: str = FAKE_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.calls: list[Call] = []
        # When each update was first handed to the bridge (time.monotonic()), by update_id.
        self.delivered_at: dict[int, float] = {}
        self._lock = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._failures: list[Failure] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._wake: asyncio.Event | None = None
        self._closing = False

    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_API_BASE_URL."""
        return f"{self.url}/bot"

    # --- what the test does -------------------------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update (its update_id is set here) for the next getUpdates; returns the update_id."""
        with self._lock:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **update})
        if self.loop and self._wake:
            self.loop.call_soon_threadsafe(self._wake.set)
        return update_id

    def send_text(self, chat_id: int, text: str, language_code: str = "vi") -> int:
        """The user types `text` (a leading /command gets its bot_command entity, as Telegram sends it)."""
        body: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.push({"message": self.user_message(chat_id, language_code, **body)})

    def send_location(self, chat_id: int, latitude: float, longitude: float) -> int:
        """The user shares a location."""
        location = {"latitude": latitude, "longitude": longitude}
        return self.push({"message": self.user_message(chat_id, location=location)})

    def send_content(self, chat_id: int, **content: Any) -> int:
        """The user sends something other than text, e.g. sticker={...} or voice={...}."""
        return self.push({"message": self.user_message(chat_id, **content)})

    def edit_text(self, chat_id: int, text: str) -> int:
        """The user edits an earlier message."""
        message = self.user_message(chat_id, text=text, edit_date=int(time.time()))
        return self.push({"edited_message": message})

    def tap(self, chat_id: int, sent: Call, callback_data: str) -> int:
        """The user taps a button of the message the bridge sent in `sent`."""
        query = {
            "id": f"cq{next(self._update_ids)}",
            "from": self.user(chat_id),
            "chat_instance": f"ci{chat_id}",
            "data": callback_data,
            "message": sent.result,
        }
        return self.push({"callback_query": query})

    def fail_next(
        self, method: str, status: int, *, retry_after: int | None = None, chat_id: int | None = None
    ) -> None:
        """Answer the next call of `method` (for `chat_id`, if given) with `status`: 429 carries retry_after."""
        with self._lock:
            self._failures.append(Failure(method, status, retry_after, chat_id))

    def recorded(
        self, method: str | None = None, chat_id: int | None = None, ok_only: bool = True
    ) -> list[Call]:
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
        self,
        method: str,
        chat_id: int | None = None,
        count: int = 1,
        timeout: float = 60,
        ok_only: bool = True,
    ) -> list[Call]:
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

    # --- Telegram objects ---------------------------------------------------------------------------------------

    @staticmethod
    def user(chat_id: int, language_code: str = "vi") -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "Khách", "language_code": language_code}

    def user_message(self, chat_id: int, language_code: str = "vi", **body: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Khách"},
            "from": self.user(chat_id, language_code),
            **body,
        }

    def _bot_message(self, params: dict[str, str], **body: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private", "first_name": "Khách"},
            "from": BOT_USER,
            **body,
        }
        markup = json.loads(params.get("reply_markup", "null"))
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

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

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params: dict[str, str] = {}
        files: dict[str, bytes] = {}
        filenames: dict[str, str] = {}
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[name] = value.file.read()
                filenames[name] = value.filename
            else:
                params[name] = str(value)
        call = Call(method, params, files, filenames, time.monotonic())
        failure = self._take_failure(call)
        if failure:
            call.status = failure.status
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.status,
                "description": "Injected failure",
            }
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
                body["description"] = f"Too Many Requests: retry after {failure.retry_after}"
            self._record(call)
            return web.json_response(body, status=failure.status)
        if method == "getUpdates":
            call.result = await self._get_updates(params)
        else:
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                call.status = 404
                self._record(call)
                return web.json_response(
                    {"ok": False, "error_code": 404, "description": "Not Found: method not found"}, status=404
                )
            call.result = handler(params)
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

    async def _get_updates(self, params: dict[str, str]) -> list[dict[str, Any]]:
        assert self.loop and self._wake
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = self.loop.time() + min(float(params.get("timeout") or 0), 30)
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                pending = self._updates[:limit]
                now = time.monotonic()
                for update in pending:
                    self.delivered_at.setdefault(update["update_id"], now)
            remaining = deadline - self.loop.time()
            if pending or remaining <= 0 or self._closing:
                return pending
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    # One method per Bot API method the bridge uses: parameters in, result out.

    def _api_getMe(self, params: dict[str, str]) -> dict[str, Any]:
        return {**BOT_USER, "can_join_groups": True, "can_read_all_group_messages": False}

    def _api_deleteWebhook(self, params: dict[str, str]) -> bool:
        return True

    def _api_setWebhook(self, params: dict[str, str]) -> bool:
        return True

    def _api_setMyCommands(self, params: dict[str, str]) -> bool:
        return True

    def _api_answerCallbackQuery(self, params: dict[str, str]) -> bool:
        return True

    def _api_sendMessage(self, params: dict[str, str]) -> dict[str, Any]:
        return self._bot_message(params, text=params["text"])

    def _api_editMessageReplyMarkup(self, params: dict[str, str]) -> dict[str, Any]:
        return self._bot_message(params, text="", message_id=int(params["message_id"]))

    def _api_sendPhoto(self, params: dict[str, str]) -> dict[str, Any]:
        photo = [{"file_id": "photo1", "file_unique_id": "p1", "width": 640, "height": 480}]
        return self._bot_message(params, photo=photo)

    def _api_sendVenue(self, params: dict[str, str]) -> dict[str, Any]:
        location = {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}
        venue = {"location": location, "title": params["title"], "address": params["address"]}
        return self._bot_message(params, venue=venue, location=location)

    def _api_sendDocument(self, params: dict[str, str]) -> dict[str, Any]:
        document = {"file_id": "doc1", "file_unique_id": "d1", "file_name": "file"}
        return self._bot_message(params, document=document)
