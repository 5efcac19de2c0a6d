"""A local fake of the Telegram Bot API, enough for the bridge: it hands out updates the test pushes, records every
call the bridge makes, and can answer a call with 429 (retry_after) or 500 (tests/fake_bot_api.py).

Serves getMe, getUpdates, sendMessage, answerCallbackQuery, editMessageReplyMarkup, sendPhoto, sendVenue,
sendDocument, setMyCommands, setWebhook and deleteWebhook at /bot<token>/<method>, as python-telegram-bot calls
them (form or multipart parameters, JSON-encoded when not strings). Point the bridge at it with
TELEGRAM_API_BASE_URL=<url>/bot.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from aiohttp import web

from tests.fake_bot_api import Call, FakeBotApi

# Shaped like a real token (digits, colon, 35 characters), so a leak in a log would be found.
FAKE_TOKEN = "123456789:AAFakeTokenForTheTelegramBridgeTestsX"
BOT_USER = {"id": 7000001, "is_bot": True, "first_name": "Trợ lý", "username": "fake_assistant_bot"}


class TelegramCall(Call):
    """A call with python-telegram-bot's parameters: form fields, JSON-encoded when not strings."""

    def json(self, name: str) -> Any:
        """A parameter python-telegram-bot JSON-encoded (numbers, objects), decoded."""
        return json.loads(self.params[name]) if name in self.params else None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.json("reply_markup")

    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data) of each inline keyboard button, row by row."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


class FakeTelegram(FakeBotApi):
    """The fake Bot API server. Use as a context manager or start()/stop()."""

    def __init__(self, token: str = FAKE_TOKEN) -> None:
        super().__init__(token)
        self._message_ids = itertools.count(1000)

    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_API_BASE_URL."""
        return f"{self.url}/bot"

    # --- what the test does -------------------------------------------------------------------------------------

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

    async def _read_call(self, method: str, request: web.Request) -> Call:
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        filenames: dict[str, str] = {}
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[name] = value.file.read()
                filenames[name] = value.filename
            else:
                params[name] = str(value)
        return TelegramCall(method, params, files, filenames, time.monotonic())

    async def _get_updates(self, call: Call) -> list[dict[str, Any]]:
        offset = int(call.params.get("offset") or 0)
        limit = int(call.params.get("limit") or 100)

        def take() -> list[dict[str, Any]]:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            return self._updates[:limit]

        return await self._await_updates(float(call.params.get("timeout") or 0), take)

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
