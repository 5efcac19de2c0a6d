"""The action server: rasa_sdk's app for the actions package, bound to 127.0.0.1 by default.

Run with `python -m actions.server`. ACTION_HOST chooses another interface.
"""

from __future__ import annotations

import logging
import os

from rasa_sdk.endpoint import create_app

from actions.settings import get_settings


def main() -> None:
    """Build the app and serve it until stopped."""
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app("actions", cors_origins=None)
    host = os.environ.get("ACTION_HOST", "127.0.0.1")
    app.run(host, settings.action_port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
