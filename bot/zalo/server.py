"""The Zalo bridge's small HTTP server: GET /health in both modes and, in webhook mode, the webhook.

Zalo posts each update to the webhook with the secret given to setWebhook in the X-Bot-Api-Secret-Token header;
a request whose header is wrong or missing gets 403 and is not processed (bot/webhooks.py), one that is not an
update gets 400. An update is queued for its chat and answered 200 at once: the answer goes out through the API.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from aiohttp import web

from assistant.settings import Settings
from bot import webhooks
from bot.webhooks import MAX_BODY, has_secret, serve
from bot.zalo.api import Update, read_update

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
DEFAULT_WEBHOOK_PATH = "/zalo"
# Zalo asks for a secret_token of 8-256 characters; these are safe in a header.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,256}")

Receive = Callable[[Update], None]
RECEIVE: web.AppKey[Receive] = web.AppKey("receive")
SECRET = web.AppKey("secret", str)


def webhook_secret(settings: Settings) -> str:
    """ZALO_WEBHOOK_SECRET, or one derived from the token (the same across restarts and replicas)."""
    return webhooks.chosen_secret(
        settings.zalo_webhook_secret,
        SECRET_PATTERN,
        "ZALO_WEBHOOK_SECRET must be 8-256 characters of A-Z, a-z, 0-9, _ and -",
        settings.zalo_bot_token,
        "zalo-webhook-secret",
    )


def webhook_path(settings: Settings) -> str:
    """The local path of the webhook: the path of ZALO_WEBHOOK_URL (default /zalo)."""
    return webhooks.webhook_path(
        settings.zalo_webhook_url,
        "ZALO_MODE=webhook needs ZALO_WEBHOOK_URL (the public https URL Zalo posts to)",
        DEFAULT_WEBHOOK_PATH,
    )


async def webhook(request: web.Request) -> web.Response:
    """One update from Zalo: checked against the secret, then queued for its chat."""
    if not has_secret(request, SECRET_HEADER, request.app[SECRET]):
        return web.Response(status=403)
    try:
        update = read_update(await request.json())
    except (ValueError, LookupError, RecursionError) as error:  # not UTF-8 or JSON, unknown charset, too deep
        logger.warning("webhook request with an unreadable update: %s", type(error).__name__)
        return web.Response(status=400)
    if update is None:
        logger.warning("webhook request with an unreadable update: not shaped like a Zalo update")
        return web.Response(status=400)
    request.app[RECEIVE](update)
    return web.Response()


async def start_server(settings: Settings, receive: Receive) -> web.AppRunner:
    """Serve /health (and the webhook in webhook mode) on ZALO_HOST:ZALO_PORT."""
    app = web.Application(client_max_size=MAX_BODY)
    app[RECEIVE] = receive
    if settings.zalo_mode == "webhook":
        app[SECRET] = webhook_secret(settings)
        app.router.add_post(webhook_path(settings), webhook)
    return await serve(app, settings.zalo_host, settings.zalo_port)
