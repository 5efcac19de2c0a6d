"""The real action server (python -m actions.server) in a child process, on a free port, for tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import PROJECT_ROOT
from runtime.harness import free_port


@dataclass
class ActionServer:
    port: int
    knowledge_dir: Path
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def status(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url("/knowledge/status"), timeout=10) as reply:
            return json.loads(reply.read())


@contextmanager
def action_server(root: Path, knowledge_dir: Path, **env: str) -> Iterator[ActionServer]:
    """The action server over `knowledge_dir` with its own SQLite under `root`, stopped afterwards.

    It is ready when its status answers: with entries loaded, or with the problems of a folder it refused.
    """
    port = free_port()
    child_env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "ACTION_PORT": str(port),
        "KNOWLEDGE_DIR": str(knowledge_dir),
        "DATABASE_URL": f"sqlite:///{root / 'var' / 'knowledge.db'}",
        "DATA_DIR": str(root / "var"),
        "KNOWLEDGE_POLL_SECONDS": "3600",  # only explicit reloads in these tests
        "LOG_LEVEL": "WARNING",
        "TRACKER_STORE_URL": "",
        "LOCK_STORE_URL": "",
        **env,
    }
    log_path = root / "server.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "actions.server"],
        cwd=PROJECT_ROOT,
        env=child_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    running = ActionServer(port, knowledge_dir, log_path)
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                pytest.fail(f"action server exited: {log_path.read_text()[-2000:]}")
            try:
                status = running.status()
                if status["entries"] > 0 or status["problems"]:
                    break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"action server not ready: {log_path.read_text()[-2000:]}")
            time.sleep(0.5)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
