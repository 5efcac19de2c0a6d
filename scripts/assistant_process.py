"""Start the whole assistant (scripts/run.py) on free ports in the background, for tests, eval and benchmarks."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningAssistant:
    """Where a started assistant listens, and its folders."""

    rasa_url: str
    action_url: str
    web_url: str
    data_dir: Path
    knowledge_dir: Path
    log: Path
    process: subprocess.Popen[bytes]


def _wait_ready(process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if "run: ready" in text:
            return
        if process.poll() is not None:
            raise RuntimeError(f"the assistant did not start:\n{text[-3000:]}")
        time.sleep(0.5)
    raise RuntimeError(
        f"the assistant was not ready in {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}"
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the assistant and every process it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def running_assistant(
    data_dir: Path, knowledge_dir: Path | None = None, env: dict[str, str] | None = None, timeout: float = 240
) -> Iterator[RunningAssistant]:
    """Train if needed, start the assistant on free ports with its own data folder, and stop it afterwards."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "train.py")], cwd=ROOT, check=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    if knowledge_dir is None:
        knowledge_dir = data_dir / "knowledge"
        subprocess.run(["cp", "-r", str(ROOT / "knowledge"), str(knowledge_dir)], check=True)
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "WEB_PORT": free_port()}
    child_env = {
        **os.environ,
        **{k: str(v) for k, v in ports.items()},
        "DATA_DIR": str(data_dir),
        "KNOWLEDGE_DIR": str(knowledge_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'knowledge.db'}",
        "TELEGRAM_TOKEN": "",
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    for name in ("RASA_URL", "ACTION_SERVER_URL"):
        if name not in (env or {}):
            child_env.pop(name, None)
    log = data_dir / "run.log"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run.py")],
        cwd=ROOT,
        env=child_env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_ready(process, log, timeout)
        yield RunningAssistant(
            rasa_url=f"http://127.0.0.1:{ports['RASA_PORT']}",
            action_url=f"http://127.0.0.1:{ports['ACTION_PORT']}",
            web_url=f"http://127.0.0.1:{ports['WEB_PORT']}",
            data_dir=data_dir,
            knowledge_dir=knowledge_dir,
            log=log,
            process=process,
        )
    finally:
        stop(process)
