"""The bridge's small HTTP server: GET /health in both modes and, in webhook mode, the webhook.

python-telegram-bot's own webhook server needs tornado; this one uses aiohttp (already installed for Rasa), as
the library's custom-webhook example allows. A webhook request whose X-Telegram-Bot-Api-Secret-Token header is
wrong or missing gets 403 and its update is not processed (bot/webhooks.py).
"""

from __future__ import annotations

import logging
import re

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from assistant.settings import Settings
from bot import webhooks
from bot.webhooks import MAX_BODY, has_secret, serve

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
DEFAULT_WEBHOOK_PATH = "/telegram"
# Telegram's rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")

APPLICATION = web.AppKey("application", Application)
SECRET = web.AppKey("secret", str)


def webhook_secret(settings: Settings) -> str:
    """TELEGRAM_WEBHOOK_SECRET, or one derived from the token (the same across restarts and replicas)."""
    return webhooks.chosen_secret(
        settings.telegram_webhook_secret,
        SECRET_PATTERN,
        "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -",
        settings.telegram_token,
        "telegram-webhook-secret",
    )


def webhook_path(settings: Settings) -> str:
    """The local path of the webhook: the path of TELEGRAM_WEBHOOK_URL (default /telegram)."""
    return webhooks.webhook_path(
        settings.telegram_webhook_url,
        "TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_URL (the public https URL Telegram posts to)",
        DEFAULT_WEBHOOK_PATH,
    )


async def webhook(request: web.Request) -> web.Response:
    """One update from Telegram: checked against the secret, then queued for the handlers."""
    if not has_secret(request, SECRET_HEADER, request.app[SECRET]):
        return web.Response(status=403)
    application = request.app[APPLICATION]
    try:
        data = await request.json()
        if not isinstance(data, dict):
            raise TypeError("an update is a JSON object")
        update = Update.de_json(data, application.bot)
    # not UTF-8 or JSON, an unknown charset, nested too deep, or not shaped like an update
    except (ValueError, LookupError, RecursionError, TypeError, AttributeError) as error:
        logger.warning("webhook request with an unreadable update: %s", type(error).__name__)
        return web.Response(status=400)
    await application.update_queue.put(update)
    return web.Response()


async def start_server(application: Application, settings: Settings) -> web.AppRunner:
    """Serve /health (and the webhook in webhook mode) on TELEGRAM_HOST:TELEGRAM_PORT."""
    app = web.Application(client_max_size=MAX_BODY)
    app[APPLICATION] = application
    if settings.telegram_mode == "webhook":
        app[SECRET] = webhook_secret(settings)
        app.router.add_post(webhook_path(settings), webhook)
    return await serve(app, settings.telegram_host, settings.telegram_port)
