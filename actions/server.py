"""The action server: rasa_sdk's app for the actions package, plus the knowledge watcher and its status.

Run with `python -m actions.server` (bound to 127.0.0.1; ACTION_HOST chooses another interface).
The knowledge is loaded before the first request, and the folder is polled every KNOWLEDGE_POLL_SECONDS:
a valid change is swapped in whole, an invalid one is refused and reported on GET /knowledge/status.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request

from actions.settings import get_settings
from actions.state import KnowledgeState, knowledge_state

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
                seen = current
                await loop.run_in_executor(None, state.reload)
        except Exception:  # a watcher that dies would silently stop reloads: log and keep watching
            logger.exception("knowledge watcher failed; retrying")


def add_knowledge_routes(app: Sanic, state: KnowledgeState, interval: float) -> None:
    """Load the knowledge at start, watch the folder, and serve GET /knowledge/status."""

    @app.listener("before_server_start")
    async def load_knowledge(app: Sanic, _loop: object) -> None:
        await asyncio.get_running_loop().run_in_executor(None, state.reload)
        app.add_task(watch_knowledge(state, interval))

    @app.get("/knowledge/status")
    async def knowledge_status(_request: Request) -> response.HTTPResponse:
        status = state.status
        return response.json(
            {
                "ok": not status.problems,
                "entries": status.entries,
                "content_hash": status.content_hash,
                "loaded_at": status.loaded_at,
                "last_checked": status.last_checked,
                "problems": status.problems,
            }
        )


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
