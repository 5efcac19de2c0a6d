"""Start the whole assistant (runtime/supervisor.py) on free ports in the background, for tests, eval and benchmarks.

`running_scaled_assistant` starts `runtime/supervisor.py --scaled` the same way: two Rasa and two action servers on
databases and a Redis key prefix of its own, so that it never meets a developer's `make run-scaled`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Where the scaled assistant of the tests creates its databases and keeps its locks unless told otherwise.
TEST_POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


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
    # The scaled assistant: every Rasa and action server, and the stores they share.
    rasa_urls: tuple[str, ...] = ()
    action_urls: tuple[str, ...] = ()
    stores: dict[str, str] = field(default_factory=dict)
    console_url: str = ""  # the staff console (console/)


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


def stop(process: subprocess.Popen[bytes], timeout: float = 40) -> None:
    """Stop the assistant (or any process group) and every process it started: SIGTERM, then SIGKILL after
    `timeout` seconds."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def running_assistant(
    data_dir: Path, knowledge_dir: Path | None = None, env: dict[str, str] | None = None, timeout: float = 240
) -> Iterator[RunningAssistant]:
    """Train if needed, start the assistant on free ports with its own data folder, and stop it afterwards."""
    ports = {
        "RASA_PORT": free_port(),
        "ACTION_PORT": free_port(),
        "WEB_PORT": free_port(),
        "CONSOLE_PORT": free_port(),
    }
    settings = {
        **{k: str(v) for k, v in ports.items()},
        "DATABASE_URL": f"sqlite:///{data_dir / 'knowledge.db'}",
        **(env or {}),
    }
    with _running(data_dir, knowledge_dir, settings, [], timeout) as running:
        yield running


@contextlib.contextmanager
def running_scaled_assistant(
    data_dir: Path, env: dict[str, str] | None = None, replicas: int = 2, timeout: float = 420
) -> Iterator[RunningAssistant]:
    """`runtime/supervisor.py --scaled` on free ports, with `replicas` Rasa and action servers.

    Unless `env` says otherwise, the knowledge and the conversations go to new databases on TEST_POSTGRES_URL's
    server (dropped afterwards) and the locks to TEST_REDIS_URL under a new key prefix (deleted afterwards).
    """
    from assistant.stores import drop_database, drop_redis_keys

    rasa_ports = [free_port() for _ in range(replicas)]
    action_ports = [free_port() for _ in range(replicas)]
    web_port = free_port()
    tag = uuid.uuid4().hex[:10]
    server = TEST_POSTGRES_URL.rsplit("/", 1)[0]
    own = {
        "DATABASE_URL": f"{server}/test_kb_{tag}",
        "TRACKER_STORE_URL": f"{server}/test_tracker_{tag}",
        "LOCK_STORE_URL": TEST_REDIS_URL,
        "LOCK_STORE_KEY_PREFIX": f"test{tag}",
    }
    settings = {
        **own,
        "RASA_PORTS": ",".join(map(str, rasa_ports)),
        "ACTION_PORTS": ",".join(map(str, action_ports)),
        "RASA_PORT": str(rasa_ports[0]),
        "ACTION_PORT": str(action_ports[0]),
        "WEB_PORT": str(web_port),
        "CONSOLE_PORT": str(free_port()),
        **(env or {}),
    }
    stores = {name: settings[name] for name in own}
    try:
        with _running(data_dir, None, settings, ["--scaled"], timeout) as running:
            yield dataclasses.replace(
                running,
                rasa_urls=tuple(f"http://127.0.0.1:{port}" for port in rasa_ports),
                action_urls=tuple(f"http://127.0.0.1:{port}" for port in action_ports),
                stores=stores,
            )
    finally:
        for name in ("DATABASE_URL", "TRACKER_STORE_URL"):
            if stores[name] == own[name]:
                drop_database(own[name])
        if stores["LOCK_STORE_KEY_PREFIX"] == own["LOCK_STORE_KEY_PREFIX"]:
            drop_redis_keys(stores["LOCK_STORE_URL"], own["LOCK_STORE_KEY_PREFIX"])


@contextlib.contextmanager
def _running(
    data_dir: Path, knowledge_dir: Path | None, settings: dict[str, str], args: list[str], timeout: float
) -> Iterator[RunningAssistant]:
    """Train if needed, start runtime/supervisor.py with `args` and `settings` (RASA_PORT, ACTION_PORT and WEB_PORT
    included), wait until it is ready, and stop it afterwards."""
    subprocess.run([sys.executable, "-m", "runtime.train"], cwd=ROOT, check=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    if knowledge_dir is None:
        knowledge_dir = data_dir / "knowledge"
        subprocess.run(["cp", "-r", str(ROOT / "knowledge"), str(knowledge_dir)], check=True)
    child_env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "KNOWLEDGE_DIR": str(knowledge_dir),
        "TELEGRAM_TOKEN": "",
        "ZALO_BOT_TOKEN": "",
        "PYTHONPATH": str(ROOT),
        **settings,
    }
    for name in ("RASA_URL", "ACTION_SERVER_URL"):
        if name not in settings:
            child_env.pop(name, None)
    log = data_dir / "run.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "runtime.supervisor", *args],
        cwd=ROOT,
        env=child_env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_ready(process, log, timeout)
        yield RunningAssistant(
            rasa_url=f"http://127.0.0.1:{settings['RASA_PORT']}",
            action_url=f"http://127.0.0.1:{settings['ACTION_PORT']}",
            web_url=f"http://127.0.0.1:{settings['WEB_PORT']}",
            console_url=f"http://127.0.0.1:{settings['CONSOLE_PORT']}" if "CONSOLE_PORT" in settings else "",
            data_dir=data_dir,
            knowledge_dir=knowledge_dir,
            log=log,
            process=process,
        )
    finally:
        stop(process)


def listener_pid(port: int) -> int | None:
    """The id of the process listening on 127.0.0.1:`port` (or any address), from /proc (Linux)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as handle:
            for line in handle.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                        return int(pid)
    return None
