"""What the bridges' small HTTP servers share: GET /health, the webhook's secret and path, and serving.

A bridge serves GET /health in both of its modes (the supervisor waits for it) and, in webhook mode, the webhook
on the path of its public URL. A webhook request whose secret header is wrong or missing gets 403 and is not
processed; the default secret is derived from the bot's token, so that restarts and replicas agree on it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from urllib.parse import urlsplit

from aiohttp import web

logger = logging.getLogger(__name__)

# Largest webhook body accepted (an update is a few kilobytes).
MAX_BODY = 1024 * 1024


class ConfigError(Exception):
    """The bridge's settings cannot work; the message says what to set."""


def derived_secret(token: str, purpose: str) -> str:
    """A webhook secret derived from the bot's token (64 hexadecimal digits), the same on every start."""
    return hmac.new(token.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def chosen_secret(given: str, rule: re.Pattern[str], refusal: str, token: str, purpose: str) -> str:
    """The secret set (`given`, which must match `rule`, else ConfigError(`refusal`)), or one derived from the
    token."""
    if given:
        if not rule.fullmatch(given):
            raise ConfigError(refusal)
        return given
    return derived_secret(token, purpose)


def webhook_path(url: str, missing: str, default: str) -> str:
    """The local path of the webhook: the path of its public `url` (`default` when it has none); ConfigError
    (`missing`) when no URL is set."""
    if not url:
        raise ConfigError(missing)
    return urlsplit(url).path or default


def has_secret(request: web.Request, header: str, secret: str) -> bool:
    """Whether the request carries the webhook's secret in `header` (a refusal is logged)."""
    given = request.headers.get(header, "")
    if hmac.compare_digest(given.encode(), secret.encode()):
        return True
    logger.warning("webhook request from %s with a wrong or missing secret token: refused", request.remote)
    return False


async def health(request: web.Request) -> web.Response:
    """The bridge is up: its token was accepted and it is receiving updates."""
    return web.json_response({"status": "ok"})


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve `app` on host:port, with GET /health added."""
    app.router.add_get("/health", health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    logger.info("listening on %s:%s", host, port)
    return runner
