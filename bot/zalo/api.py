"""A thin client of the Zalo Bot API on aiohttp (bot/zalo/README.md says why not python-zalo-bot).

Every method is `POST {ZALO_API_BASE_URL}/bot{token}/{method}` with a JSON body; the answer is
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": ..., "description": ...}` (with the same or another
HTTP status). `getUpdates` hands out one update per call and answers error_code 408 when none came in time.

Retries, with back-off (0.5, 1, 2 s): a connection that could not be made, a 5xx answer, and a 429 answer (after
its `retry_after` when it gives one). A connection that broke or timed out after a `send*` request was sent is
not retried, since Zalo may already have shown the message. The token is in every URL: errors never carry the
URL, only the method's name.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.http_session import HttpSessionOwner

logger = logging.getLogger(__name__)

# getUpdates answers this error_code when no update came within its timeout.
NO_UPDATE = 408
# Answers that say the token is wrong or revoked (Zalo, like Telegram, answers 401 or 404 for a bad token).
TOKEN_REFUSED = frozenset({401, 403, 404})
RETRIES = 3
BACKOFF_SECONDS = 0.5
# Longest wait for a 429's retry_after; a longer one is not waited for.
MAX_RETRY_AFTER = 60.0


class ZaloError(Exception):
    """A Bot API call that failed; the message names the method, never the URL (which holds the token)."""

    def __init__(self, method: str, reason: str) -> None:
        super().__init__(f"{method}: {reason}")
        self.method = method


class ZaloApiError(ZaloError):
    """Zalo answered the call with an error (`code` is its error_code, else the HTTP status)."""

    def __init__(self, method: str, code: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(method, f"{code} {description}".strip())
        self.code = code
        self.description = description
        self.retry_after = retry_after

    @property
    def token_refused(self) -> bool:
        """Whether Zalo refused the token (wrong or revoked)."""
        return self.code in TOKEN_REFUSED

    @property
    def refused(self) -> bool:
        """Whether Zalo refused the request itself (a 4xx but 429): sending it again would not help."""
        return 400 <= self.code < 500 and self.code != 429


class ZaloNetworkError(ZaloError):
    """No answer: the connection could not be made (`sent` False) or broke or timed out after the request."""

    def __init__(self, method: str, reason: str, sent: bool) -> None:
        super().__init__(method, reason)
        self.sent = sent


class ZaloBotApi(HttpSessionOwner):
    """The Bot API methods the bridge uses, with retries and back-off (see the module's docstring)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float = 20.0,
        retries: int = RETRIES,
        backoff: float = BACKOFF_SECONDS,
    ) -> None:
        super().__init__(timeout)
        self._base_url = f"{base_url.rstrip('/')}/bot{token}"
        self._retries = retries
        self._backoff = backoff

    async def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        retries: int | None = None,
        timeout: float = 0,
    ) -> Any:
        """The result of `method`; ZaloError when it fails after the retries it is allowed."""
        await self.start()
        allowed = self._retries if retries is None else retries
        for attempt in range(allowed + 1):
            try:
                return await self._post(method, params or {}, timeout)
            except ZaloError as error:
                wait = self._retry_in(error, attempt, allowed)
                if wait is None:
                    raise
                logger.warning("Zalo %s failed (%s); retrying in %.1f s", method, error, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    def _retry_in(self, error: ZaloError, attempt: int, allowed: int) -> float | None:
        """Seconds to wait before sending the call again, or None when it must not be sent again."""
        if attempt >= allowed:
            return None
        backoff = self._backoff * 2**attempt
        if isinstance(error, ZaloNetworkError):
            delivered_maybe = error.sent and error.method.startswith("send")
            return None if delivered_maybe else backoff
        if isinstance(error, ZaloApiError):
            if error.code == 429:
                if error.retry_after is None:
                    return backoff
                return error.retry_after if error.retry_after <= MAX_RETRY_AFTER else None
            if error.code >= 500:
                return backoff
        return None

    async def _post(self, method: str, params: dict[str, Any], timeout: float) -> Any:
        assert self._session is not None
        logger.debug("Zalo %s", method)
        request_timeout = aiohttp.ClientTimeout(total=timeout) if timeout else None
        try:
            async with self._session.post(
                f"{self._base_url}/{method}", json=params, timeout=request_timeout
            ) as response:
                status = response.status
                retry_header = response.headers.get("Retry-After")
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
        except aiohttp.ClientConnectorError as error:  # never connected: nothing was sent
            raise ZaloNetworkError(method, type(error).__name__, sent=False) from None
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise ZaloNetworkError(method, type(error).__name__ or "timeout", sent=True) from None
        if isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        raise _api_error(method, status, body, retry_header)

    async def get_me(self) -> dict[str, Any]:
        """The bot's account (checks the token)."""
        result = await self.call("getMe")
        return result if isinstance(result, dict) else {}

    async def get_update(self, timeout: int) -> dict[str, Any] | None:
        """The next update, waiting up to `timeout` seconds for one (long polling); None when none came."""
        try:
            result = await self.call("getUpdates", {"timeout": str(timeout)}, retries=0, timeout=timeout + 15)
        except ZaloApiError as error:
            if error.code == NO_UPDATE:
                return None
            raise
        return result if isinstance(result, dict) and result else None

    async def send_message(self, chat_id: str, text: str) -> None:
        """Send `text` (1-2,000 characters, shown as written)."""
        await self.call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, photo_url: str) -> None:
        """Send the image at `photo_url` (Zalo fetches it)."""
        await self.call("sendPhoto", {"chat_id": chat_id, "photo": photo_url})

    async def send_typing(self, chat_id: str) -> None:
        """Show "typing" in the chat for a few seconds (not retried: the next one comes soon)."""
        await self.call("sendChatAction", {"chat_id": chat_id, "action": "typing"}, retries=0)

    async def set_webhook(self, url: str, secret_token: str) -> None:
        """Have Zalo post updates to `url`, with `secret_token` in the X-Bot-Api-Secret-Token header."""
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        """Remove the webhook (getUpdates answers nothing while one is set)."""
        await self.call("deleteWebhook")


def _api_error(method: str, status: int, body: object, retry_header: str | None) -> ZaloApiError:
    data: dict[str, Any] = body if isinstance(body, dict) else {}
    code = data.get("error_code")
    if not isinstance(code, int) or isinstance(code, bool):
        code = status if status != 200 else 502  # a 200 that is not an answer: as a bad gateway
    description = str(data.get("description") or "")
    parameters = data.get("parameters")
    retry_after: Any = parameters.get("retry_after") if isinstance(parameters, dict) else None
    if retry_after is None:
        retry_after = retry_header
    try:
        wait = float(retry_after) if retry_after is not None else None
    except (TypeError, ValueError):
        wait = None
    return ZaloApiError(method, code, description, wait if wait is None or wait >= 0 else None)


@dataclass(frozen=True)
class Update:
    """One update from Zalo: what happened (`event_name`), in which chat, and the text of a text message."""

    event: str
    chat_id: str
    text: str | None = None


# A chat id as the bridge accepts it (Zalo's are about 20 letters and digits): it becomes part of a sender id.
CHAT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")


def read_update(data: object) -> Update | None:
    """The update in `data` (as getUpdates returns it or the webhook receives it), or None when it is not one:
    `{"event_name": ..., "message": {"chat": {"id": ...}, "text": ...}}`, possibly inside `{"ok", "result"}`."""
    if isinstance(data, dict) and data.get("ok") is True and "result" in data:
        data = data["result"]
    if not isinstance(data, dict):
        return None
    event, message = data.get("event_name"), data.get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    if isinstance(chat_id, int) and not isinstance(chat_id, bool):
        chat_id = str(chat_id)
    if not isinstance(event, str) or not isinstance(chat_id, str) or not CHAT_ID.fullmatch(chat_id):
        return None
    assert isinstance(message, dict)
    text = message.get("text")
    return Update(event, chat_id, text if isinstance(text, str) else None)
