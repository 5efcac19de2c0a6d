"""The action server: rasa_sdk's app for the actions package, plus the knowledge watcher and its status, the
files answers point to, and the stores' health.

Run with `python -m actions.server` (bound to 127.0.0.1; ACTION_HOST chooses another interface).
The knowledge is loaded before the first request, and the folder is polled every KNOWLEDGE_POLL_SECONDS:
a valid change is swapped in whole, an invalid one is refused and reported on GET /knowledge/status.
POST /knowledge/reload (from this machine only) reloads at once: `python -m assistant.kb reload` calls it.

GET /knowledge/status also says whether the knowledge database answers (`"database": "up"|"down"`). Answers
come from the snapshot in memory, so they go on while the database is down; a change saved meanwhile is
loaded once the database is back (the watcher tries again until a reload succeeds).

This process holds the knowledge, so it makes and serves the files answers point to (assistant/media.py):
`GET /charts/<key>.png` and `GET /events/<id>.ics[?lang=en]`; an unknown key or id gets 404, a language other
than vi/en 400, and 503 while no valid knowledge can be read. `GET /health/stores` says whether the knowledge
database and, when configured, the conversations' database and the lock store answer.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request

from assistant.answering.wording import WordingError
from assistant.kb.errors import KnowledgeError
from assistant.media import CHART_FILE, EVENT_FILE, MediaFiles
from assistant.settings import Settings, get_settings
from assistant.state import KnowledgeState, folder_signature, knowledge_state
from assistant.stores import database_down, stores_status
from assistant.text import LANGUAGES

logger = logging.getLogger(__name__)


async def watch_knowledge(state: KnowledgeState, interval: float) -> None:
    """Reload the knowledge whenever the folder's files change (checked every `interval` seconds)."""
    loop = asyncio.get_running_loop()
    seen = await loop.run_in_executor(None, folder_signature, state.knowledge_dir)
    while True:
        await asyncio.sleep(interval)
        try:
            current = await loop.run_in_executor(None, folder_signature, state.knowledge_dir)
            if current != seen:
                await loop.run_in_executor(None, state.reload)
                seen = current  # only now: a reload that failed (database down) is tried again
        except Exception:  # a watcher that dies would silently stop reloads: log and keep watching
            logger.exception("knowledge watcher failed; retrying")


# Headers a reverse proxy adds: a request that went through one did not come from this machine.
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def is_local_request(request: Request) -> bool:
    """True when the request comes straight from this machine (a loopback address, not through a proxy)."""
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.ip.strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def status_body(state: KnowledgeState) -> dict[str, Any]:
    """The reload status as served by GET /knowledge/status."""
    status = state.status
    return {
        "ok": not status.problems,
        "entries": status.entries,
        "content_hash": status.content_hash,
        "loaded_at": status.loaded_at,
        "last_checked": status.last_checked,
        "problems": status.problems,
    }


def add_knowledge_routes(app: Sanic, state: KnowledgeState, interval: float) -> None:
    """Load the knowledge at start, watch the folder, serve GET /knowledge/status and POST /knowledge/reload."""

    async def load_knowledge(app: Sanic, _loop: object) -> None:
        await asyncio.get_running_loop().run_in_executor(None, state.reload)
        app.add_task(watch_knowledge(state, interval))

    app.register_listener(load_knowledge, "before_server_start")

    @app.get("/knowledge/status")
    async def knowledge_status(_request: Request) -> response.HTTPResponse:
        down = await asyncio.get_running_loop().run_in_executor(None, database_down, state.database_url)
        if down:
            logger.warning("the knowledge database is down: %s", down)
        return response.json({**status_body(state), "database": "down" if down else "up"})

    @app.post("/knowledge/reload")
    async def knowledge_reload(request: Request) -> response.HTTPResponse:
        """Reload now (staff tool); 200 when the knowledge in force is valid, 422 when the change was refused."""
        if not is_local_request(request):
            return response.json({"ok": False, "error": "only allowed from 127.0.0.1"}, status=403)
        try:
            changed = await asyncio.get_running_loop().run_in_executor(None, state.reload)
        except Exception as error:  # a database failure: report it, the previous knowledge keeps serving
            logger.exception("knowledge reload failed")
            return response.json({**status_body(state), "ok": False, "error": str(error)}, status=500)
        body = {**status_body(state), "changed": changed}
        return response.json(body, status=200 if body["ok"] else 422)


T = TypeVar("T")


class _Unavailable(Exception):
    """No valid knowledge can be read now."""


def add_media_routes(app: Sanic, files: MediaFiles) -> None:
    """Serve GET /charts/<key>.png and GET /events/<id>.ics from the knowledge in force.

    Refusals are returned, not raised: rasa_sdk's error handler would turn any exception into a 500.
    """

    async def from_knowledge(path: str, make: Callable[[], T]) -> T:
        try:
            return await asyncio.get_running_loop().run_in_executor(None, make)
        except (KnowledgeError, WordingError, OSError) as error:
            logger.error("knowledge unavailable for %s: %s", path, error)
            raise _Unavailable from error

    @app.get("/charts/<name>")
    async def chart_file(request: Request, name: str) -> response.HTTPResponse:
        """A statistics chart (assistant/answering/charts.py), rendered from the knowledge and cached."""
        match = CHART_FILE.fullmatch(name)
        if match is None:
            return response.text("no such chart", status=404)
        try:
            png = await from_knowledge(request.path, lambda: files.chart_png(match[1]))
        except _Unavailable:
            return response.text("knowledge unavailable", status=503)
        if png is None:
            return response.text("no such chart", status=404)
        return response.raw(png, content_type="image/png", headers={"Cache-Control": "public, max-age=300"})

    @app.get("/events/<name>")
    async def event_file(request: Request, name: str) -> response.HTTPResponse:
        """An event's calendar file (RFC 5545), offered for download as <id>.ics."""
        match = EVENT_FILE.fullmatch(name)
        if match is None:
            return response.text("no such event", status=404)
        language = request.args.get("lang", "vi")
        if language not in LANGUAGES:
            return response.text("lang must be vi or en", status=400)
        event_id = match[1]
        try:
            text = await from_knowledge(request.path, lambda: files.event_ics(event_id, language))
        except _Unavailable:
            return response.text("knowledge unavailable", status=503)
        if text is None:
            return response.text("no such event", status=404)
        return response.raw(
            text.encode("utf-8"),
            content_type="text/calendar; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{event_id}.ics"',
                "Cache-Control": "no-cache",
            },
        )


def add_health_routes(app: Sanic, settings: Settings) -> None:
    """Serve GET /health/stores: whether the stores of this set-up answer (the web gateway's readiness asks)."""

    @app.get("/health/stores")
    async def health_stores(_request: Request) -> response.HTTPResponse:
        status = await asyncio.get_running_loop().run_in_executor(
            None,
            stores_status,
            settings.database_url,
            settings.tracker_store_url,
            settings.lock_store_url,
        )
        return response.json(status, headers={"Cache-Control": "no-store"})


def create_action_app(settings: Settings, state: KnowledgeState) -> Sanic:
    """rasa_sdk's app for the actions package, with the knowledge, media and health routes."""
    app = create_app("actions", cors_origins=None)
    add_knowledge_routes(app, state, settings.knowledge_poll_seconds)
    add_media_routes(app, MediaFiles(state.current))
    add_health_routes(app, settings)
    return app


def main() -> None:
    """Build the app and serve it until stopped."""
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_action_app(settings, knowledge_state())
    host = os.environ.get("ACTION_HOST", "127.0.0.1")
    app.run(host, settings.action_port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
