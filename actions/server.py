"""The action server: rasa_sdk's app for the actions package, plus the knowledge watcher and its status.

Run with `python -m actions.server` (bound to 127.0.0.1; ACTION_HOST chooses another interface).
The knowledge is loaded before the first request, and the folder is polled every KNOWLEDGE_POLL_SECONDS:
a valid change is swapped in whole, an invalid one is refused and reported on GET /knowledge/status.
POST /knowledge/reload (from this machine only) reloads at once: `python -m actions.kb reload` calls it.

GET /knowledge/status also says whether the knowledge database answers (`"database": "up"|"down"`). Answers
come from the snapshot in memory, so they go on while the database is down; a change saved meanwhile is
loaded once the database is back (the watcher tries again until a reload succeeds).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
from pathlib import Path
from typing import Any

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request

from actions.settings import get_settings
from actions.state import KnowledgeState, knowledge_state
from scaleout.stores import database_down

logger = logging.getLogger(__name__)


def folder_signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the knowledge files: changes when a file is saved."""
    files = sorted(p for p in folder.rglob("*.yml") if p.is_file())
    return tuple((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


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

    @app.listener("before_server_start")
    async def load_knowledge(app: Sanic, _loop: object) -> None:
        await asyncio.get_running_loop().run_in_executor(None, state.reload)
        app.add_task(watch_knowledge(state, interval))

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


def main() -> None:
    """Build the app and serve it until stopped."""
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app("actions", cors_origins=None)
    add_knowledge_routes(app, knowledge_state(), settings.knowledge_poll_seconds)
    host = os.environ.get("ACTION_HOST", "127.0.0.1")
    app.run(host, settings.action_port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
