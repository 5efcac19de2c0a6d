"""The staff command's client of the action server's POST /knowledge/reload (on this machine)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

RELOAD_TIMEOUT = 120.0  # seconds the action server may take to validate and load


def post_reload(port: int) -> tuple[int, dict[str, Any]]:
    """POST /knowledge/reload to the action server on this machine: (HTTP status, JSON body)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/knowledge/reload", data=b"", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=RELOAD_TIMEOUT) as reply:  # noqa: S310 (fixed http URL)
            return reply.status, json.loads(reply.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        body = error.read().decode("utf-8", errors="replace")
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, {"ok": False, "error": body[:200]}


def not_running(error: urllib.error.URLError) -> bool:
    return isinstance(error.reason, ConnectionRefusedError)
