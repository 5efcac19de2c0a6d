"""Start the assistant (runtime/supervisor.py) and the stock `rasa init` bot on free ports, timing the cold start.

Cold start is the time from starting the processes to the first successful reply on the REST channel (a reply
that needs the action server, for the assistant).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml

from runtime.harness import TEST_REDIS_URL, free_port, stop
from scripts.bench.machine import descendants, process_label

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ASSISTANT_PROBE = "Đại Nội ở đâu?"
REFERENCE_PROBE = "hello"
START_TIMEOUT = 300.0

# The same for both bots: no telemetry calls, quiet TensorFlow.
COMMON_ENV = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONDONTWRITEBYTECODE": "1"}


@dataclass
class Bot:
    """A started bot: where its REST channel is, its process tree, and how long it took to answer first."""

    name: str
    rest_url: str
    process: subprocess.Popen[bytes]
    log: Path
    cold_start_s: float = 0.0
    action_url: str = ""
    knowledge_dir: Path | None = None
    extra: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def pids(self) -> dict[str, int]:
        """Every process of the bot by a readable label (the supervisor, Rasa, the action server, ...)."""
        roots = [self.process.pid, *(p.pid for p in self.extra)]
        found: dict[str, int] = {}
        for pid in [*roots, *(d for r in roots for d in descendants(r))]:
            label = process_label(pid)
            if label in found:
                label = f"{label} ({pid})"
            found[label] = pid
        return found


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


async def _first_reply(
    rest_url: str, probe: str, processes: list[subprocess.Popen[bytes]], log: Path
) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        attempt = 0
        while time.monotonic() < deadline:
            for process in processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args!r} exited while starting:\n{_tail(log)}")
            attempt += 1
            body = {"sender": f"bench-probe-{attempt}", "message": probe}
            try:
                async with session.post(rest_url, json=body) as response:
                    if response.status == 200 and await response.json(content_type=None):
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"no reply from {rest_url} within {START_TIMEOUT:.0f} s:\n{_tail(log)}")


def wait_first_reply(rest_url: str, probe: str, processes: list[subprocess.Popen[bytes]], log: Path) -> None:
    """Block until the REST channel answers `probe` with at least one message."""
    asyncio.run(_first_reply(rest_url, probe, processes, log))


def _wait_log(log: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            raise RuntimeError(f"the assistant stopped:\n{_tail(log)}")
        time.sleep(0.2)
    raise RuntimeError(f"{text!r} not in {log} after {timeout:.0f} s")


def model_file(root: Path) -> Path:
    """The model runtime/supervisor.py of `root` starts (named by the hash of what it is trained from)."""
    code = "from runtime.train import model_path; print(model_path())"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(result.stdout.strip())


def ensure_model(root: Path) -> None:
    """Give `root` its model: the project's when it has the same one, else train it (runtime/train.py)."""
    target = model_file(root)
    shared = ROOT / "models" / target.name
    if root != ROOT and not target.exists() and shared.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(shared, target)
    subprocess.run([sys.executable, "-m", "runtime.train"], cwd=root, check=True)


def action_endpoint_resolves(root: Path) -> bool:
    """True when Rasa reads the action server's URL from endpoints.yml with ${ACTION_SERVER_URL} substituted."""
    url = "http://127.0.0.1:9/webhook"
    code = (
        "import sys\n"
        "from rasa.utils.endpoints import read_endpoint_config\n"
        "config = read_endpoint_config(sys.argv[1], 'action_endpoint')\n"
        "print(config.url if config else '')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(root / "endpoints.yml")],
        env={**os.environ, **COMMON_ENV, "ACTION_SERVER_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip().endswith(url)


SNAPSHOT_SKIP = {
    ".git",
    ".venv",
    "models",
    "var",
    "tests",
    ".rasa",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
}


def snapshot(folder: Path) -> tuple[Path, bool]:
    """A copy of the project to measure (other work may edit the project meanwhile), with its own models
    folder; True when its endpoints.yml had to be fixed: ${VAR} unquoted, as Rasa 3.6 substitutes only
    plain scalars."""
    shutil.copytree(
        ROOT,
        folder,
        ignore=lambda where, names: [
            n for n in names if n == "__pycache__" or (Path(where) == ROOT and n in SNAPSHOT_SKIP)
        ],
    )
    (folder / "models").mkdir()
    if action_endpoint_resolves(folder):
        return folder, False
    endpoints = folder / "endpoints.yml"
    endpoints.write_text(re.sub(r"[\"'](\$\{\w+\})[\"']", r"\1", endpoints.read_text()))
    return folder, True


# The assistant as measured by `make bench` and `make soak`: the layout docs/benchmarks.md recommends for a
# server of 2 cores, one Rasa server with two Sanic workers (RASA_WORKERS, runtime/supervisor.py).
RASA_WORKERS = 2


@contextlib.contextmanager
def redis_stores() -> Iterator[dict[str, str]]:
    """LOCK_STORE_URL and LOCK_STORE_KEY_PREFIX for conversations and locks in TEST_REDIS_URL's server under a
    key prefix of their own, whose keys are deleted afterwards."""
    from assistant.stores import drop_redis_keys

    prefix = f"bench{uuid.uuid4().hex[:10]}"
    try:
        yield {"LOCK_STORE_URL": TEST_REDIS_URL, "LOCK_STORE_KEY_PREFIX": prefix}
    finally:
        drop_redis_keys(TEST_REDIS_URL, prefix)


@contextlib.contextmanager
def layout(workers: int) -> Iterator[dict[str, str]]:
    """The environment of an assistant with `workers` Rasa workers: with more than one, the conversations and
    their locks go to Redis (redis_stores)."""
    if workers <= 1:
        yield {"RASA_WORKERS": "1"}
        return
    with redis_stores() as stores:
        yield {"RASA_WORKERS": str(workers), **stores}


@contextlib.contextmanager
def assistant(data_dir: Path, root: Path, env: dict[str, str] | None = None) -> Iterator[Bot]:
    """Start runtime/supervisor.py of `root` with its own data and knowledge copy on free ports; stop it afterwards."""
    data_dir.mkdir(parents=True, exist_ok=True)
    knowledge_dir = data_dir / "knowledge"
    if knowledge_dir.exists():
        shutil.rmtree(knowledge_dir)
    shutil.copytree(root / "knowledge", knowledge_dir)
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "WEB_PORT": free_port()}
    child_env = {
        **os.environ,
        **COMMON_ENV,
        **{k: str(v) for k, v in ports.items()},
        "DATA_DIR": str(data_dir),
        "KNOWLEDGE_DIR": str(knowledge_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'knowledge.db'}",
        "TELEGRAM_TOKEN": "",
        "PYTHONPATH": str(root),
        **(env or {}),
    }
    for name in ("RASA_URL", "ACTION_SERVER_URL"):
        if name not in (env or {}):
            child_env.pop(name, None)
    log = data_dir / "run.log"
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "runtime.supervisor"],
        cwd=root,
        env=child_env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    rasa_url = f"http://127.0.0.1:{ports['RASA_PORT']}"
    try:
        wait_first_reply(f"{rasa_url}/webhooks/rest/webhook", ASSISTANT_PROBE, [process], log)
        cold_start = time.perf_counter() - started
        _wait_log(log, "run: ready", process, START_TIMEOUT)  # the web gateway too, for its memory
        yield Bot(
            name="assistant",
            rest_url=f"{rasa_url}/webhooks/rest/webhook",
            process=process,
            log=log,
            cold_start_s=round(cold_start, 2),
            action_url=f"http://127.0.0.1:{ports['ACTION_PORT']}",
            knowledge_dir=knowledge_dir,
        )
    finally:
        stop(process)


def init_reference(folder: Path, log: Path) -> float:
    """`rasa init --no-prompt` in `folder` (it scaffolds and trains the mood bot); the seconds it took."""
    folder.mkdir(parents=True)  # with --no-prompt, rasa init needs the folder to exist
    started = time.perf_counter()
    with log.open("wb") as out:
        subprocess.run(
            [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(folder)],
            cwd=folder.parent,
            env={**os.environ, **COMMON_ENV},
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if not list((folder / "models").glob("*.tar.gz")):
        raise RuntimeError(f"rasa init trained no model:\n{_tail(log)}")
    return time.perf_counter() - started


def _action_endpoint(folder: Path) -> str:
    endpoints = yaml.safe_load((folder / "endpoints.yml").read_text()) or {}
    endpoint = endpoints.get("action_endpoint") or {}
    return str(endpoint.get("url") or "")


def _popen(argv: list[str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv,
        cwd=cwd,
        env={**os.environ, **COMMON_ENV},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@contextlib.contextmanager
def reference(folder: Path) -> Iterator[Bot]:
    """Run the trained `rasa init` bot in `folder` (and its action server only if its endpoints name one)."""
    port = free_port()
    log = folder / "bench-run.log"
    rasa = str(BIN / "rasa")
    started = time.perf_counter()
    extra = []
    if _action_endpoint(folder):  # rasa init's default leaves action_endpoint commented out
        extra.append(_popen([rasa, "run", "actions"], folder, log))
    argv = [rasa, "run", "--enable-api", "-i", "127.0.0.1", "--port", str(port), "--model", "models"]
    process = _popen(argv, folder, log)
    rest_url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    try:
        wait_first_reply(rest_url, REFERENCE_PROBE, [process, *extra], log)
        yield Bot(
            name="reference",
            rest_url=rest_url,
            process=process,
            log=log,
            cold_start_s=round(time.perf_counter() - started, 2),
            extra=extra,
        )
    finally:
        for child in [process, *extra]:
            stop(child, timeout=30)
