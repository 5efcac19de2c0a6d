"""The Zalo channel: forwards each message of a Zalo chat to the assistant's REST channel and sends back its
replies as plain text and photos, the choices numbered (bot/zalo/render.py).

Each chat is one conversation with the assistant (sender id `zl:<chat_id>`); its messages are handled in order,
different chats at once (bot/zalo/chats.py). A reply with a number ("2", "số 2", "chọn 2") picks one of the
choices listed last; "/start" greets. Images, stickers and what Zalo calls unsupported content get a polite
text answer. The chat shows "typing" while the assistant works; when it is down or slow the user is told it is
busy, and when it answers nothing (its action server or database is down), that it cannot look things up now.

Usage: ZALO_BOT_TOKEN=... python -m bot.zalo (long polling; ZALO_MODE=webhook for a webhook).
Press Ctrl-C to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import Any

from assistant.settings import Settings, get_settings
from bot.inbound import MAX_MESSAGE_CHARS, Refused, user_text
from bot.logs import configure_logging
from bot.messages import message
from bot.rasa_client import AssistantUnavailable, RasaClient
from bot.webhooks import ConfigError
from bot.zalo.api import Update, ZaloApiError, ZaloBotApi, ZaloError, ZaloNetworkError, read_update
from bot.zalo.chats import ChatQueues, Chats, picked_number
from bot.zalo.render import plan
from bot.zalo.send import deliver, typing
from bot.zalo.server import start_server, webhook_path, webhook_secret

logger = logging.getLogger(__name__)

TEXT_EVENT = "message.text.received"
# What a user may type to be greeted, and what the assistant is sent then.
START, GREETING = "/start", "/greet"
# Seconds getUpdates waits for an update (Zalo's default); after a failure the bridge waits POLL_RETRY seconds,
# doubling up to POLL_RETRY_MAX, before asking again.
POLL_SECONDS = 30
POLL_RETRY = 1.0
POLL_RETRY_MAX = 30.0
# Seconds the updates being handled may take to finish when the bridge stops.
SHUTDOWN_GRACE = 5.0


def sender_id(chat_id: str) -> str:
    """The assistant's conversation id for a Zalo chat."""
    return f"zl:{chat_id}"


class Bridge:
    """Handles the updates of every chat: the assistant's answers, the numbered choices, the bridge's own words."""

    def __init__(self, settings: Settings, api: ZaloBotApi, rasa: RasaClient) -> None:
        self._settings = settings
        self._api = api
        self._rasa = rasa
        self.chats = Chats(settings.zalo_choice_seconds)
        self._queues = ChatQueues(self._handle)

    def receive(self, update: Update) -> None:
        """Queue an update from Zalo behind the earlier ones of its chat."""
        self._queues.put(update)

    async def close(self, grace: float) -> None:
        """Let the updates being handled finish for up to `grace` seconds."""
        await self._queues.close(grace)

    async def _handle(self, update: Update) -> None:
        chat_id = update.chat_id
        try:
            if update.event == TEXT_EVENT:
                await self._text(chat_id, update.text or "")
            else:  # an image, a sticker, or what Zalo calls unsupported content
                logger.info("chat %s sent %s: answered as unsupported", chat_id, update.event)
                await self._say(chat_id, "zalo_unsupported")
        except Exception:
            logger.exception("update %s of chat %s failed", update.event, chat_id)
            with contextlib.suppress(ZaloError):
                await self._say(chat_id, "busy")

    async def _text(self, chat_id: str, raw: str) -> None:
        if raw.strip().lower() == START:
            await self._converse(chat_id, GREETING)
            return
        try:
            text = user_text(raw)  # cleaned, forced intents filtered (bot/inbound.py)
        except Refused as refused:
            await self._say(chat_id, refused.key)
            return
        self.chats.heard(chat_id, text)
        number = picked_number(text)
        if number is not None:
            await self._pick(chat_id, number)
            return
        await self._converse(chat_id, text)

    async def _pick(self, chat_id: str, number: int) -> None:
        choices = self.chats.choices(chat_id)
        if not choices:
            await self._say(chat_id, "choice_expired")
        elif not 1 <= number <= len(choices):
            await self._say(chat_id, "choice_out_of_range", count=len(choices))
        else:
            await self._converse(chat_id, user_text(choices[number - 1].payload))

    async def _converse(self, chat_id: str, text: str) -> None:
        """Send `text` to the assistant as the chat's message and deliver its replies."""
        language = self.chats.language(chat_id)
        known = self.chats.known_language(chat_id)
        metadata = {"channel": "zalo", "language": known} if known else {"channel": "zalo"}
        try:
            async with typing(self._api, chat_id):
                replies = await self._rasa.send(sender_id(chat_id), text, metadata)
        except (AssistantUnavailable, asyncio.TimeoutError) as error:
            logger.error("assistant unavailable for chat %s: %s", chat_id, str(error) or type(error).__name__)
            await self._say(chat_id, "busy")
            return
        planned = plan(replies, language, self._settings.public_base_url)
        if not planned.outgoing:  # Rasa answers nothing when its action server or its database is down
            logger.error("the assistant answered nothing for chat %s", chat_id)
            await self._say(chat_id, "unavailable")
            return
        self.chats.offer(chat_id, planned.choices)
        await deliver(self._api, chat_id, planned.outgoing, language)

    async def _say(self, chat_id: str, key: str, **values: object) -> None:
        """Answer with the bridge's own message `key` (bot/messages.yml) in the chat's language."""
        text = message(key, self.chats.language(chat_id), limit=MAX_MESSAGE_CHARS, **values)
        await self._api.send_message(chat_id, text)


async def poll(api: ZaloBotApi, bridge: Bridge) -> None:
    """Hand every update getUpdates gives to the bridge until cancelled; raises when Zalo refuses the token."""
    pause = POLL_RETRY
    while True:
        try:
            data = await api.get_update(POLL_SECONDS)
        except ZaloError as error:
            if isinstance(error, ZaloApiError) and error.token_refused:
                raise
            logger.warning("Zalo getUpdates failed (%s); asking again in %.0f s", error, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, POLL_RETRY_MAX)
            continue
        pause = POLL_RETRY
        if data is None:
            continue
        update = read_update(data)
        if update is None:
            logger.warning("skipping an update that is not shaped like a Zalo update")
            continue
        bridge.receive(update)


async def run(settings: Settings) -> int:
    """Run the bridge until SIGINT or SIGTERM; the exit code."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    api = ZaloBotApi(settings.zalo_api_base_url, settings.zalo_bot_token)
    rasa = RasaClient(settings.rasa_urls, timeout=settings.rasa_timeout, token=settings.rasa_token)
    bridge = Bridge(settings, api, rasa)
    tasks: list[asyncio.Task[Any]] = []
    server = None
    try:
        me = await api.get_me()
        if settings.zalo_mode == "webhook":
            await api.set_webhook(settings.zalo_webhook_url, webhook_secret(settings))
        else:
            await api.delete_webhook()  # getUpdates answers nothing while a webhook is set
        server = await start_server(settings, bridge.receive)
        logger.info(
            "bridge for %s started (%s mode)", me.get("account_name") or "the bot", settings.zalo_mode
        )
        tasks.append(asyncio.create_task(stop.wait()))
        if settings.zalo_mode == "polling":
            tasks.append(asyncio.create_task(poll(api, bridge)))
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # polling stops only on an error
        return 0
    except ZaloApiError as error:
        if error.token_refused:
            logger.error("Zalo refused ZALO_BOT_TOKEN: check it in Zalo Bot Creator (or create a new one)")
        else:
            logger.error("Zalo answered an error: %s", error)
        return 1
    except ZaloNetworkError as error:
        logger.error("Zalo cannot be reached (%s): check ZALO_API_BASE_URL and the network", error)
        return 1
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if server is not None:
            await server.cleanup()
        await bridge.close(SHUTDOWN_GRACE)
        await api.close()
        await rasa.close()


def main() -> int:
    """Run the bridge until Ctrl-C or SIGTERM."""
    settings = get_settings()
    configure_logging(settings.log_level, secrets=[settings.zalo_bot_token])
    if not settings.zalo_bot_token:
        logger.error("ZALO_BOT_TOKEN is not set: create a bot with Zalo Bot Creator and put its token there")
        return 2
    try:
        if settings.zalo_mode not in ("polling", "webhook"):
            raise ConfigError(f"ZALO_MODE must be polling or webhook, not {settings.zalo_mode!r}")
        if settings.zalo_mode == "webhook":
            webhook_path(settings)
            configure_logging(settings.log_level, secrets=[settings.zalo_bot_token, webhook_secret(settings)])
        return asyncio.run(run(settings))
    except ConfigError as error:
        logger.error("%s", error)
        return 2
    except Exception:
        logger.exception("the bridge stopped on an error")
        return 1


if __name__ == "__main__":
    sys.exit(main())
