"""The web gateway: the widget's assets, a demo page, and a small chat API in front of the assistant.

API (JSON):
- `POST /api/session` -> 201 `{"session": token}`: the server issues and signs every session id.
- `POST /api/message` with `Authorization: Bearer <token>` and `{"text": str, "language": "vi"|"en"}`
  -> 200 `{"replies": [...]}` (the replies of bot/PROTOCOL.md),
  or a refusal `{"error": key, "message": text}`: 401 session_invalid, 400 empty, 400 invalid (not JSON,
  not UTF-8, no text string), 413 too_long, 429 rate_limited, 503 busy (no answer in time), 503 unavailable
  (the assistant answered nothing: its action server or database is down). The wording is bot/messages.yml's.
  The text is cleaned and the forced-intent policy applied by bot/inbound.py before it reaches the assistant.
- Requests from an origin that is not allowed get 403 origin_not_allowed; allowed ones get CORS headers.
- `GET /health`: liveness (always 200 while the gateway runs); `GET /health/ready`: whether the assistant can
  answer (its Rasa servers and databases, bot/web/readiness.py), 503 when it cannot.

Files the answers point to, `GET /charts/<key>.png` (a statistics chart) and `GET /events/<id>.ics[?lang=en]`
(an event's calendar file), are made by the action server (MEDIA_URL): the gateway relays the request and the
answer (status, type, body), so the widget loads them from its own origin; 503 when the action server does not
answer.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import aiohttp
from aiohttp import web

from assistant.settings import Settings
from assistant.text import LANGUAGES
from bot.inbound import MAX_MESSAGE_CHARS, Refused, user_text
from bot.messages import message
from bot.rasa_client import AssistantUnavailable, RasaClient
from bot.web.ratelimit import RateLimiter
from bot.web.readiness import readiness
from bot.web.sessions import SessionSigner, load_secret

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
MAX_BODY_BYTES = 64 * 1024
MAX_MEDIA_BYTES = 10 * 1024 * 1024  # a relayed chart or calendar file
MEDIA_TIMEOUT = 30.0  # seconds the action server may take to render a chart
SENDER_PREFIX = "web:"
_dumps = functools.partial(json.dumps, ensure_ascii=False)

# Path -> (file in static/, Content-Type). Only these files are served: no directory listing, no traversal.
ASSETS = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/en": ("index.en.html", "text/html; charset=utf-8"),
    "/widget.js": ("widget.js", "text/javascript; charset=utf-8"),
    "/widget.css": ("widget.css", "text/css; charset=utf-8"),
    "/demo.css": ("demo.css", "text/css; charset=utf-8"),
    "/favicon.svg": ("favicon.svg", "image/svg+xml"),
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class AssistantClient(Protocol):
    """What the gateway needs from bot.rasa_client.RasaClient (tests pass a fake)."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]: ...


@dataclass
class Gateway:
    """The running gateway's parts; the signer and the client are made when the application starts."""

    settings: Settings
    client: AssistantClient | None
    allowed_origins: frozenset[str]
    headers: dict[str, str]
    limiter: RateLimiter
    signer: SessionSigner | None = None
    http: aiohttp.ClientSession | None = None  # relays files, asks the action server's health


GATEWAY = web.AppKey("gateway", Gateway)


def create_app(settings: Settings, rasa_client: AssistantClient | None = None) -> web.Application:
    """The gateway application for `settings`.

    It talks to the assistant through `rasa_client` if given, else through a RasaClient made when the
    application starts; either is closed when the application stops.
    """
    origins = allowed_origins(settings)
    app = web.Application(middlewares=[_api_guard], client_max_size=MAX_BODY_BYTES)
    app[GATEWAY] = Gateway(
        settings=settings,
        client=rasa_client,
        allowed_origins=origins,
        headers=security_headers(settings, origins),
        limiter=RateLimiter(settings.web_rate_per_second, settings.web_rate_burst),
    )
    app.cleanup_ctx.append(_lifecycle)
    app.on_response_prepare.append(_add_security_headers)  # type: ignore[arg-type]  # aiohttp's Signal typing
    app.router.add_get("/health", health)
    app.router.add_get("/health/ready", ready)
    for path, (name, content_type) in ASSETS.items():
        app.router.add_get(path, _asset(name, content_type))
    app.router.add_post("/api/session", create_session)
    app.router.add_post("/api/message", post_message)
    app.router.add_get("/charts/{name}", relay_file)
    app.router.add_get("/events/{name}", relay_file)
    return app


def allowed_origins(settings: Settings) -> frozenset[str]:
    """WEB_ALLOWED_ORIGINS, plus the gateway's own local origins (its demo page)."""
    own = {f"http://localhost:{settings.web_port}", f"http://127.0.0.1:{settings.web_port}"}
    return frozenset({o.rstrip("/").lower() for o in settings.web_allowed_origins} | own)


def _frame_ancestors(value: str) -> str:
    keywords = {"self": "'self'", "none": "'none'"}
    return " ".join(keywords.get(source.strip("'").lower(), source) for source in value.split()) or "'self'"


def security_headers(settings: Settings, origins: frozenset[str]) -> dict[str, str]:
    """The headers of every response: a strict Content-Security-Policy (no 'unsafe-inline') and friends."""
    csp = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: https:",
            "connect-src " + " ".join(["'self'", *sorted(origins)]),
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {_frame_ancestors(settings.web_frame_ancestors)}",
        ]
    )
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    gateway = app[GATEWAY]
    settings = gateway.settings
    gateway.signer = SessionSigner(load_secret(settings))
    if gateway.client is None:
        gateway.client = RasaClient(
            settings.rasa_urls, timeout=settings.rasa_timeout, token=settings.rasa_token
        )
    await gateway.client.start()
    gateway.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=MEDIA_TIMEOUT))
    yield
    await gateway.client.close()
    await gateway.http.close()


async def _add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in request.app[GATEWAY].headers.items():
        response.headers.setdefault(name, value)


def _asset(name: str, content_type: str) -> Handler:
    async def serve(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(
            STATIC_DIR / name, headers={"Content-Type": content_type, "Cache-Control": "no-cache"}
        )

    return serve


def refusal(status: int, key: str, language: str, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON refusal whose `message` is the channel wording `key` in `language`."""
    body = {"error": key, "message": message(key, language, limit=MAX_MESSAGE_CHARS)}
    return web.json_response(
        body, status=status, dumps=_dumps, headers={"Cache-Control": "no-store", **(headers or {})}
    )


def _header_language(request: web.Request) -> str:
    first = request.headers.get("Accept-Language", "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


@web.middleware
async def _api_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """CORS for the API: allowed origins get the headers, foreign ones get 403 and nothing else."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    origin = request.headers.get("Origin")
    if origin is not None and origin.lower() not in request.app[GATEWAY].allowed_origins:
        logger.info("refused a request from origin %r", origin[:100])
        return refusal(403, "origin_not_allowed", _header_language(request))
    if request.method == "OPTIONS":
        response: web.StreamResponse = web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Methods": "POST, OPTIONS",
                "Access-Control-Allow-Headers": "Authorization, Content-Type, Accept-Language",
                "Access-Control-Max-Age": "600",
            },
        )
    else:
        try:
            response = await handler(request)
        except web.HTTPException as error:
            response = web.json_response({"error": error.reason}, status=error.status, dumps=_dumps)
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    return response


async def health(request: web.Request) -> web.Response:
    """Liveness for runtime/supervisor.py and load balancers."""
    return web.json_response({"status": "ok"}, dumps=_dumps)


async def ready(request: web.Request) -> web.Response:
    """Whether the assistant can answer now: its Rasa servers and databases (bot/web/readiness.py)."""
    gateway = request.app[GATEWAY]
    assert gateway.http is not None
    status, body = await readiness(gateway.settings, gateway.http)
    return web.json_response(body, status=status, dumps=_dumps, headers={"Cache-Control": "no-store"})


async def create_session(request: web.Request) -> web.Response:
    """A new session token; the client cannot choose one."""
    signer = request.app[GATEWAY].signer
    assert signer is not None
    return web.json_response(
        {"session": signer.issue()}, status=201, dumps=_dumps, headers={"Cache-Control": "no-store"}
    )


def _session_id(request: web.Request) -> str | None:
    signer = request.app[GATEWAY].signer
    assert signer is not None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return signer.verify(token.strip())


async def _read_body(request: web.Request) -> dict[str, Any] | None:
    """The JSON object of the request, or None; raises HTTPRequestEntityTooLarge for a huge body."""
    try:
        data = await request.json()
    except (ValueError, LookupError, RecursionError):  # not JSON or not UTF-8, an unknown charset, too deep
        return None
    return data if isinstance(data, dict) else None


async def post_message(request: web.Request) -> web.Response:
    """Forward the user's message of a verified session to the assistant and return its replies."""
    gateway = request.app[GATEWAY]
    language = _header_language(request)
    session_id = _session_id(request)
    if session_id is None:
        return refusal(401, "session_invalid", language)
    try:
        data = await _read_body(request)
    except web.HTTPRequestEntityTooLarge:
        return refusal(413, "too_long", language)
    if data is not None and data.get("language") in LANGUAGES:
        language = str(data["language"])
    allowed, wait = gateway.limiter.allow(session_id)
    if not allowed:
        return refusal(429, "rate_limited", language, headers={"Retry-After": str(math.ceil(wait))})
    raw = data.get("text", "") if data is not None else None
    if not isinstance(raw, str):
        return refusal(400, "invalid", language)
    try:
        text = user_text(raw)  # cleaned; a forced intent only if our buttons send it (bot/inbound.py)
    except Refused as refused:
        return refusal(413 if refused.key == "too_long" else 400, refused.key, language)
    metadata = {"channel": "web", "language": language}
    assert gateway.client is not None
    deadline = gateway.settings.rasa_timeout * len(gateway.settings.rasa_urls) + 1
    sending = gateway.client.send(SENDER_PREFIX + session_id, text, metadata)
    try:
        replies = await asyncio.wait_for(sending, deadline)
    except (AssistantUnavailable, asyncio.TimeoutError, aiohttp.ClientError) as error:
        logger.warning("the assistant did not answer: %s", type(error).__name__)
        return refusal(503, "busy", language)
    cleaned = [r for r in (clean_reply(reply) for reply in replies) if r]
    if not cleaned:  # Rasa answers nothing when its action server or its database is down
        logger.warning("the assistant answered nothing")
        return refusal(503, "unavailable", language)
    return web.json_response({"replies": cleaned}, dumps=_dumps, headers={"Cache-Control": "no-store"})


# What may follow /charts/ or /events/: a file name; what it names is the action server's to check.
FILE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,130}")
# Headers of the action server's answer that the relay keeps.
RELAYED_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control")


async def relay_file(request: web.Request) -> web.Response:
    """A chart or calendar file from the action server (MEDIA_URL), relayed as it answered."""
    gateway = request.app[GATEWAY]
    kind, name = request.path.split("/")[1], request.match_info["name"]
    if FILE_NAME.fullmatch(name) is None:
        raise web.HTTPNotFound()
    params = {"lang": request.query["lang"]} if "lang" in request.query else None
    assert gateway.http is not None
    try:
        async with gateway.http.get(f"{gateway.settings.media_url}/{kind}/{name}", params=params) as answer:
            if (answer.content_length or 0) > MAX_MEDIA_BYTES:
                raise web.HTTPBadGateway()
            body = await answer.content.read(MAX_MEDIA_BYTES + 1)
            headers = {h: answer.headers[h] for h in RELAYED_HEADERS if h in answer.headers}
            status = answer.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        logger.error("the action server did not give %s: %s", request.path, type(error).__name__)
        raise web.HTTPServiceUnavailable(text="files unavailable") from error
    if len(body) > MAX_MEDIA_BYTES:
        raise web.HTTPBadGateway()
    return web.Response(body=body, status=status, headers=headers)


def clean_reply(reply: Any) -> dict[str, Any] | None:
    """The parts of a Rasa reply that bot/PROTOCOL.md defines, with their types; None if nothing is left."""
    if not isinstance(reply, dict):
        return None
    cleaned: dict[str, Any] = {}
    if isinstance(reply.get("text"), str) and reply["text"]:
        cleaned["text"] = reply["text"]
    buttons = [
        {"title": b["title"], "payload": b["payload"]}
        for b in reply.get("buttons") or []
        if isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str)
    ]
    if buttons:
        cleaned["buttons"] = buttons
    if isinstance(reply.get("image"), str) and reply["image"]:
        cleaned["image"] = reply["image"]
    custom = reply.get("custom")
    if isinstance(custom, dict) and isinstance(custom.get("type"), str):
        cleaned["custom"] = custom
    return cleaned or None
