"""The Telegram channel: a python-telegram-bot Application that forwards each message to the assistant's REST
channel and sends back its replies.

Each chat is one conversation with the assistant (sender id `tg:<chat_id>`). Commands: /start greets and shows
the four topics, /help says what the assistant answers, /lang vi|en chooses the language, /reset starts over.
A tapped button sends its payload; a shared location is forwarded for nearby sites. Stickers, voice, photos
and edited messages get a polite reply. When the assistant is down or slow the user is told it is busy; when it
answers nothing (its action server or database is down), that it cannot look things up right now.

Usage: TELEGRAM_TOKEN=... python -m bot.telegram (long polling; TELEGRAM_MODE=webhook for a webhook).
Press Ctrl-C to stop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from collections import deque
from typing import Any
from weakref import WeakValueDictionary

from telegram import BotCommand, Message, Update
from telegram.error import BadRequest, InvalidToken, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from assistant.settings import Settings, get_settings
from assistant.text import LANGUAGES
from bot.inbound import MAX_MESSAGE_CHARS, Refused, user_text
from bot.logs import configure_logging
from bot.messages import message
from bot.rasa_client import AssistantUnavailable, RasaClient
from bot.telegram.limiter import BridgeRateLimiter
from bot.telegram.render import PayloadStore, plan
from bot.telegram.send import MediaFetcher, deliver, send_text
from bot.telegram.server import start_server, webhook_path, webhook_secret
from bot.webhooks import ConfigError

logger = logging.getLogger(__name__)

COMMANDS = ("start", "help", "lang", "reset")
# Keyboards (message ids) per chat whose button was already tapped: a second tap sends nothing.
TAPPED_MEMORY = 100
# Seconds python-telegram-bot waits on Telegram, and startup retries when Telegram cannot be reached.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 20.0
WRITE_TIMEOUT = 20.0
POOL_TIMEOUT = 5.0
BOOTSTRAP_RETRIES = 3


def chat_data(context: ContextTypes.DEFAULT_TYPE) -> dict[Any, Any]:
    """The chat's own data (python-telegram-bot keeps one for every chat an update comes from)."""
    data = context.chat_data
    if data is None:  # only updates without a chat, which no handler here receives
        raise RuntimeError("an update without a chat")
    return data


def sender_id(chat_id: int) -> str:
    """The assistant's conversation id for a Telegram chat."""
    return f"tg:{chat_id}"


def chosen_language(context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The chat's /lang choice, if it made one."""
    chosen = context.chat_data.get("language") if context.chat_data is not None else None
    return str(chosen) if chosen in LANGUAGES else None


def chat_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The chat's /lang choice, else the user's Telegram language when it is English, else Vietnamese."""
    if chosen := chosen_language(context):
        return chosen
    user = update.effective_user
    return "en" if user and (user.language_code or "").lower().startswith("en") else "vi"


def metadata(context: ContextTypes.DEFAULT_TYPE) -> dict[str, str]:
    """What the bridge tells the assistant about the message (bot/PROTOCOL.md)."""
    chosen = chosen_language(context)
    return {"channel": "telegram", "language": chosen} if chosen else {"channel": "telegram"}


def greet_payload(context: ContextTypes.DEFAULT_TYPE) -> str:
    """The greeting as a forced intent, in the chat's chosen language if there is one."""
    chosen = chosen_language(context)
    return f"/greet{json.dumps({'language': chosen})}" if chosen else "/greet"


def chat_lock(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> asyncio.Lock:
    """The lock that keeps one chat's messages and replies in order while other chats run concurrently."""
    locks: WeakValueDictionary[int, asyncio.Lock] = context.bot_data["locks"]
    lock = locks.get(chat_id)
    if lock is None:
        lock = asyncio.Lock()
        locks[chat_id] = lock
    return lock


async def converse(update: Update, context: ContextTypes.DEFAULT_TYPE, *texts: str) -> None:
    """Send `texts` to the assistant as the chat's messages, in order, and deliver every reply."""
    chat = update.effective_chat
    if chat is None:
        return
    # Taken now: a /lang sent right after this message must not change how this one is sent.
    language, data = chat_language(update, context), metadata(context)
    rasa: RasaClient = context.bot_data["rasa"]
    async with chat_lock(context, chat.id):
        replies = []
        try:
            for text in texts:
                replies += await rasa.send(sender_id(chat.id), text, data)
        except (AssistantUnavailable, asyncio.TimeoutError) as error:
            logger.error("assistant unavailable for chat %s: %s", chat.id, str(error) or type(error).__name__)
            await send_text(context.bot, chat.id, message("busy", language))
            return
        outgoing = plan(replies, language)
        if not outgoing:  # Rasa answers nothing when its action server or its database is down
            logger.error("the assistant answered nothing for chat %s", chat.id)
            await send_text(context.bot, chat.id, message("unavailable", language))
            return
        await deliver(
            context.bot,
            chat.id,
            outgoing,
            payloads=context.bot_data["payloads"],
            media=context.bot_data["media"],
            language=language,
        )


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
    """Answer with the bridge's own message `key` (bot/messages.yml) in the chat's language."""
    if update.effective_chat:
        text = message(key, chat_language(update, context), limit=MAX_MESSAGE_CHARS)
        await send_text(context.bot, update.effective_chat.id, text)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the user and show the four topics (/start)."""
    if update.effective_message:
        await converse(update, context, greet_payload(context))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what the assistant can answer (/help)."""
    if update.effective_message:
        await converse(update, context, "/help")


async def lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Choose the chat's language (/lang vi or /lang en) and greet in it."""
    if not update.effective_message:
        return
    choice = context.args[0].lower() if context.args else ""
    if choice not in LANGUAGES:
        await reply(update, context, "lang_usage")
        return
    chat_data(context)["language"] = choice
    await converse(update, context, greet_payload(context))


async def reset(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Restart the conversation with the assistant (/reset) and greet again."""
    if update.effective_message:
        await converse(update, context, "/restart", greet_payload(context))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands when the user sends one the bridge does not know."""
    if update.effective_message:
        await reply(update, context, "unknown_command")


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forward the user's text to the assistant and send its replies; empty or too long text is answered here."""
    if not update.effective_message:
        return
    try:
        text = user_text(update.effective_message.text or "")  # cleaned, forced intents filtered
    except Refused as refused:
        await reply(update, context, refused.key)
        return
    await converse(update, context, text)


async def shared_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forward a shared location (or venue) so the assistant can list nearby sites."""
    location = update.effective_message.location if update.effective_message else None
    if location:
        point = {"latitude": location.latitude, "longitude": location.longitude}
        await converse(update, context, f"/share_location{json.dumps(point)}")


async def edited_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask the user to send an edited question again as a new message."""
    if update.effective_message:
        await reply(update, context, "edited")


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply politely to stickers, voice, photos and anything else that is not text or a location."""
    if update.effective_message:
        await reply(update, context, "unsupported")


async def button_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a tapped button's payload to the assistant, once per keyboard, and remove the keyboard."""
    query = update.callback_query
    if query is None:
        return
    language = chat_language(update, context)
    payload = context.bot_data["payloads"].decode(query.data or "")
    try:
        payload = user_text(payload) if payload is not None else None  # callback data comes from the client
    except Refused:
        payload = None
    if payload is None:
        await query.answer(message("button_expired", language))
        return
    keyboard = query.message.message_id if query.message else query.id
    tapped: deque[int | str] = chat_data(context).setdefault("tapped", deque(maxlen=TAPPED_MEMORY))
    first_tap = keyboard not in tapped
    tapped.append(keyboard)  # before any await: a second tap arriving meanwhile sees it
    try:
        await query.answer()
    except BadRequest as error:  # e.g. the query is too old; the payload is still worth sending
        logger.info("callback query %s not answered: %s", query.id, error)
    if not first_tap:
        return
    if isinstance(query.message, Message):
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except BadRequest as error:  # e.g. the keyboard was already removed
            logger.info("keyboard of message %s not removed: %s", query.message.message_id, error)
    await converse(update, context, payload)


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error and, when it happened for a chat, tell the user to try again."""
    if not isinstance(update, Update):
        logger.warning("Telegram error outside an update: %s", context.error)
        return
    chat = update.effective_chat
    logger.error(
        "update %s (chat %s) failed", update.update_id, chat.id if chat else None, exc_info=context.error
    )
    if chat:
        try:
            await send_text(context.bot, chat.id, message("busy", chat_language(update, context)))
        except TelegramError as error:
            logger.warning("could not tell chat %s about the error: %s", chat.id, error)


async def register_commands(application: Application) -> None:
    """Show the commands in Telegram's menu, in Vietnamese and (for English-speaking users) in English."""
    for language in LANGUAGES:
        commands = [BotCommand(name, message(f"command_{name}", language)) for name in COMMANDS]
        try:
            await application.bot.set_my_commands(
                commands, language_code=None if language == "vi" else language
            )
        except TelegramError as error:
            logger.warning("could not register the command menu (%s): %s", language, error)


async def post_init(application: Application) -> None:
    """Open the assistant client and the media session, register the commands, start the HTTP server."""
    settings: Settings = application.bot_data["settings"]
    rasa = RasaClient(settings.rasa_urls, timeout=settings.rasa_timeout, token=settings.rasa_token)
    media = MediaFetcher(settings.media_url)
    application.bot_data.update(rasa=rasa, media=media, payloads=PayloadStore(), locks=WeakValueDictionary())
    await rasa.start()
    await media.start()
    await register_commands(application)
    application.bot_data["server"] = await start_server(application, settings)
    logger.info("bridge for @%s started (%s mode)", application.bot.username, settings.telegram_mode)


async def post_shutdown(application: Application) -> None:
    """Stop the HTTP server and close the sessions."""
    if server := application.bot_data.pop("server", None):
        await server.cleanup()
    for name in ("rasa", "media"):
        if client := application.bot_data.pop(name, None):
            await client.close()


def file_url(base_url: str) -> str:
    """python-telegram-bot's base_file_url for a Bot API base URL (https://host/bot -> https://host/file/bot)."""
    return f"{base_url.removesuffix('/bot')}/file/bot" if base_url.endswith("/bot") else base_url


def build_application(settings: Settings) -> Application:
    """The bridge's Application, its handlers registered."""
    application = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_url(settings.telegram_api_base_url))
        .rate_limiter(BridgeRateLimiter())
        .concurrent_updates(True)
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .write_timeout(WRITE_TIMEOUT)
        .pool_timeout(POOL_TIMEOUT)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data["settings"] = settings
    new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("start", start, filters=new))
    application.add_handler(CommandHandler("help", help_command, filters=new))
    application.add_handler(CommandHandler("lang", lang, filters=new))
    application.add_handler(CommandHandler("reset", reset, filters=new))
    application.add_handler(MessageHandler(new & filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(new & filters.TEXT, text_message))
    application.add_handler(MessageHandler(new & filters.LOCATION, shared_location))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, edited_message))
    application.add_handler(MessageHandler(new, unsupported))
    application.add_handler(CallbackQueryHandler(button_tap))
    application.add_error_handler(error_handler)
    return application


async def run_webhook(application: Application, settings: Settings) -> None:
    """Webhook mode: register the webhook and its secret, then process what the HTTP server queues."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await application.initialize()
    try:
        await post_init(application)
        await application.bot.set_webhook(
            settings.telegram_webhook_url,
            secret_token=webhook_secret(settings),
            allowed_updates=Update.ALL_TYPES,
        )
        await application.start()
        await stop.wait()
    finally:
        if application.running:
            await application.stop()
        await application.shutdown()
        await post_shutdown(application)


def main() -> int:
    """Run the bridge until Ctrl-C or SIGTERM."""
    settings = get_settings()
    configure_logging(settings.log_level, secrets=[settings.telegram_token])
    if not settings.telegram_token:
        logger.error("TELEGRAM_TOKEN is not set: create a bot with @BotFather and put its token there")
        return 2
    try:
        if settings.telegram_mode not in ("polling", "webhook"):
            raise ConfigError(f"TELEGRAM_MODE must be polling or webhook, not {settings.telegram_mode!r}")
        if settings.telegram_mode == "webhook":
            webhook_path(settings)
            configure_logging(settings.log_level, secrets=[settings.telegram_token, webhook_secret(settings)])
        application = build_application(settings)
        if settings.telegram_mode == "webhook":
            asyncio.run(run_webhook(application, settings))
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=BOOTSTRAP_RETRIES)
    except ConfigError as error:
        logger.error("%s", error)
        return 2
    except InvalidToken:
        logger.error("Telegram rejected TELEGRAM_TOKEN: check it with @BotFather (/mybots, API Token)")
        return 1
    except Exception:
        logger.exception("the bridge stopped on an error")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
