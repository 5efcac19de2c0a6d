"""The bridge's small HTTP server: GET /health in both modes and, in webhook mode, the webhook.

python-telegram-bot's own webhook server needs tornado; this one uses aiohttp (already installed for Rasa), as
the library's custom-webhook example allows. A webhook request whose X-Telegram-Bot-Api-Secret-Token header is
wrong or missing gets 403 and its update is not processed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from assistant.settings import Settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
DEFAULT_WEBHOOK_PATH = "/telegram"
# Telegram's rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Largest webhook body accepted (an update is a few kilobytes).
MAX_BODY = 1024 * 1024

APPLICATION = web.AppKey("application", Application)
SECRET = web.AppKey("secret", str)


class ConfigError(Exception):
    """The webhook settings cannot work; the message says what to set."""


def webhook_secret(settings: Settings) -> str:
    """TELEGRAM_WEBHOOK_SECRET, or one derived from the token (the same across restarts and replicas)."""
    if settings.telegram_webhook_secret:
        if not SECRET_PATTERN.fullmatch(settings.telegram_webhook_secret):
            raise ConfigError("TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return settings.telegram_webhook_secret
    return hmac.new(settings.telegram_token.encode(), b"telegram-webhook-secret", hashlib.sha256).hexdigest()


def webhook_path(settings: Settings) -> str:
    """The local path of the webhook: the path of TELEGRAM_WEBHOOK_URL (default /telegram)."""
    if not settings.telegram_webhook_url:
        raise ConfigError(
            "TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_URL (the public https URL Telegram posts to)"
        )
    return urlsplit(settings.telegram_webhook_url).path or DEFAULT_WEBHOOK_PATH


async def health(request: web.Request) -> web.Response:
    """The bridge is up: its token was accepted and it is receiving updates."""
    return web.json_response({"status": "ok"})


async def webhook(request: web.Request) -> web.Response:
    """One update from Telegram: checked against the secret, then queued for the handlers."""
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), request.app[SECRET].encode()):
        logger.warning(
            "webhook request from %s with a wrong or missing secret token: refused", request.remote
        )
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
    app.router.add_get("/health", health)
    if settings.telegram_mode == "webhook":
        app[SECRET] = webhook_secret(settings)
        app.router.add_post(webhook_path(settings), webhook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.telegram_host, settings.telegram_port).start()
    logger.info("listening on %s:%s", settings.telegram_host, settings.telegram_port)
    return runner
