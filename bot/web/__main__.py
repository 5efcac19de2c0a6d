"""`python -m bot.web`: serve the chat widget, its demo page and its API on WEB_HOST:WEB_PORT."""

from __future__ import annotations

import logging

from aiohttp import web

from assistant.settings import get_settings
from bot.web.app import create_app


def main() -> None:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    host = "localhost" if settings.web_host in ("127.0.0.1", "localhost") else settings.web_host
    print(f"web: chat widget and demo page on http://{host}:{settings.web_port}/", flush=True)
    web.run_app(app, host=settings.web_host, port=settings.web_port, print=None)


if __name__ == "__main__":
    main()
