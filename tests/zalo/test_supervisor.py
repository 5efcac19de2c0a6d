"""`make run` (runtime/supervisor.py) starts the Zalo bridge when, and only when, ZALO_BOT_TOKEN is set."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from assistant.settings import Settings
from runtime import supervisor


def bridges(**changes: object) -> dict[str, supervisor.Service]:
    settings = dataclasses.replace(Settings.from_env(), telegram_token="", **changes)
    return {
        s.name: s for s in supervisor.plan(settings, Path("model.tar.gz")) if s.name in ("telegram", "zalo")
    }


def test_the_bridge_starts_only_with_a_token() -> None:
    assert bridges(zalo_bot_token="") == {}
    [zalo] = bridges(zalo_bot_token="1:abc", zalo_host="0.0.0.0", zalo_port=8555).values()  # noqa: S104
    assert zalo.argv[-2:] == ["-m", "bot.zalo"]
    assert zalo.health_url == "http://127.0.0.1:8555/health"
