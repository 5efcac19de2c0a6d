"""A local fake of the Zalo Bot API, enough for the bridge (the common part is tests/fake_bot_api.py).

It hands out the updates the test pushes, one per getUpdates call (error_code 408 when none came within the
call's timeout), records every call, and checks what Zalo documents: a text of 1-2,000 characters, a photo URL
it can fetch (it fetches the photo, as Zalo does, and keeps its bytes), a secret_token of 8-256 characters, the
`typing` action. It can answer a call with 429 (retry_after) or 500.

Serves getMe, getUpdates, setWebhook, deleteWebhook, getWebhookInfo, sendMessage, sendPhoto, sendSticker and
sendChatAction at /bot<token>/<method>, POST JSON. Point the bridge at it with ZALO_API_BASE_URL=<url>.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import aiohttp
from aiohttp import web

from tests.fake_bot_api import Call, FakeBotApi, Refusal

# Shaped like a real token ({bot_id}:{access_token}), so a leak in a log would be found.
FAKE_TOKEN = "1459232241454765289:FakeZaloAccessTokenForTheBridgeTestsQwErTy"
BOT = {
    "id": "1459232241454765289",
    "account_name": "bot.FakeTroLy",
    "account_type": "BASIC",
    "can_join_groups": False,
}
TEXT_LIMIT = 2000
LARGEST_PHOTO = 10 * 1024 * 1024


class FakeZalo(FakeBotApi):
    """The fake Zalo Bot API server. Use as a context manager or start()/stop()."""

    def __init__(self, token: str = FAKE_TOKEN) -> None:
        super().__init__(token)
        self._message_ids = itertools.count(1)
        self.webhook: dict[str, str] = {}

    @property
    def base_url(self) -> str:
        """The value for ZALO_API_BASE_URL."""
        return self.url

    # --- what the test does -------------------------------------------------------------------------------------

    def send_text(self, chat_id: str, text: str) -> int:
        """The user types `text`."""
        return self.push(self.update("message.text.received", chat_id, text=text))

    def send_image(self, chat_id: str) -> int:
        """The user sends a photo."""
        photo = "https://zalo-photo.example/u/1.jpg"
        return self.push(self.update("message.image.received", chat_id, photo=photo, caption=""))

    def send_sticker(self, chat_id: str) -> int:
        """The user sends a sticker."""
        return self.push(self.update("message.sticker.received", chat_id, sticker="bfe458bf64fa8da4d4eb"))

    def send_unsupported(self, chat_id: str) -> int:
        """The user sends something Zalo does not pass on to bots (a voice message, a file, a location)."""
        return self.push(self.update("message.unsupported.received", chat_id))

    def texts(self, chat_id: str) -> list[str]:
        """The text of every message the bridge sent the chat, in order."""
        return [c.text for c in self.recorded("sendMessage", chat_id)]

    # --- Zalo objects -------------------------------------------------------------------------------------------

    def update(self, event_name: str, chat_id: str, **body: Any) -> dict[str, Any]:
        """An update as getUpdates returns it and the webhook receives it."""
        message = {
            "chat": {"id": chat_id, "chat_type": "PRIVATE"},
            "from": {"id": chat_id, "display_name": "Khách", "is_bot": False},
            "message_id": f"{next(self._message_ids):020x}",
            "date": int(time.time() * 1000),
            **body,
        }
        return {"event_name": event_name, "message": message}

    def _sent(self) -> dict[str, Any]:
        return {"message_id": f"{next(self._message_ids):020x}", "date": int(time.time() * 1000)}

    # --- the server ---------------------------------------------------------------------------------------------

    async def _read_call(self, method: str, request: web.Request) -> Call:
        try:
            body = await request.json()
        except ValueError:
            body = None
        params = body if isinstance(body, dict) else {}
        return Call(method, params, {}, {}, time.monotonic())

    async def _get_updates(self, call: Call) -> dict[str, Any]:
        def take() -> list[dict[str, Any]]:
            return [self._updates.pop(0)] if self._updates else []

        taken = await self._await_updates(float(call.params.get("timeout") or 30), take)
        if not taken:
            raise Refusal(408, "Request timeout")
        return {key: value for key, value in taken[0].items() if key != "update_id"}

    async def _answer(self, call: Call) -> Any:
        if call.method != "sendPhoto":
            return await super()._answer(call)
        self._check_chat(call.params)
        url = call.params.get("photo")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise Refusal(400, "photo must be a URL")
        call.files["photo"] = await self._fetch(url)
        return self._sent()

    @staticmethod
    async def _fetch(url: str) -> bytes:
        """The image at `url`, as Zalo fetches it; a refusal when it cannot."""
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
                async with session.get(url) as response:
                    if response.status != 200 or not response.content_type.startswith("image/"):
                        raise Refusal(
                            400, f"photo not fetched: HTTP {response.status} {response.content_type}"
                        )
                    return await response.content.read(LARGEST_PHOTO)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise Refusal(400, f"photo not fetched: {type(error).__name__}") from None

    @staticmethod
    def _check_chat(params: dict[str, Any]) -> None:
        if not isinstance(params.get("chat_id"), str) or not params["chat_id"]:
            raise Refusal(400, "chat_id is required")

    # One method per Bot API method the bridge may use: parameters in, result out.

    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(BOT)

    def _api_setWebhook(self, params: dict[str, Any]) -> dict[str, Any]:
        url, secret = params.get("url"), params.get("secret_token")
        if not isinstance(url, str) or not url.startswith(("https://", "http://127.0.0.1")):
            raise Refusal(400, "url must be an https URL")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            raise Refusal(400, "secret_token must be 8-256 characters")
        self.webhook = {"url": url, "secret_token": secret}
        return {"url": url, "updated_at": int(time.time() * 1000)}

    def _api_deleteWebhook(self, params: dict[str, Any]) -> dict[str, Any]:
        self.webhook = {}
        return {"url": "", "updated_at": int(time.time() * 1000)}

    def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook.get("url", ""), "updated_at": int(time.time() * 1000)}

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        self._check_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT:
            raise Refusal(400, f"text must be 1-{TEXT_LIMIT} characters")
        return self._sent()

    def _api_sendSticker(self, params: dict[str, Any]) -> dict[str, Any]:
        self._check_chat(params)
        return self._sent()

    def _api_sendChatAction(self, params: dict[str, Any]) -> None:
        self._check_chat(params)
        if params.get("action") != "typing":
            raise Refusal(400, "action must be typing")
