"""The web gateway is a channel: it relays to the assistant and opens neither the knowledge nor a chart library."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Start the gateway's application as `python -m bot.web` does (its start-up included), then list what is loaded.
STARTED = """
import asyncio, json, sys
from aiohttp import web
from assistant.settings import get_settings
from bot.web.app import create_app

async def main():
    runner = web.AppRunner(create_app(get_settings()))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    loaded = sorted({name.split(".")[0] for name in sys.modules})
    await runner.cleanup()
    print(json.dumps(loaded))

asyncio.run(main())
"""


def test_the_started_gateway_has_no_database_or_chart_library_loaded(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", STARTED], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "aiohttp" in loaded and "bot" in loaded  # it did start
    assert not loaded & {"sqlalchemy", "matplotlib", "rasa", "rasa_sdk"}, loaded & {
        "sqlalchemy",
        "matplotlib",
    }


def test_no_channel_module_imports_the_actions_package() -> None:
    offenders = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "actions"]
    assert offenders == []
