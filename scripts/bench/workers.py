"""Does a second Sanic worker buy throughput on this machine? (`python scripts/bench/__main__.py --only workers`)

Next to the running assistant, a Rasa server of the same model is started with SANIC_WORKERS=1, then 2, each
time with the stores Rasa requires for more than one worker (endpoints.workers.yml: conversations and locks
in Redis), under a key prefix of their own in TEST_REDIS_URL's server (deleted afterwards). It answers through
the assistant's action server. Each is driven with the bench's conversations at 10 users; the figures are
throughput, p95, each Rasa process's share of the CPU, and its resident (RSS) and proportional (PSS, shared
pages counted once) memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runtime.harness import free_port, stop
from scripts.bench import bots, loadgen
from scripts.bench.machine import cpu_seconds, descendants, pss_mb, rss_mb


@contextlib.contextmanager
def rasa_with_workers(root: Path, work: Path, action_url: str, workers: int) -> Iterator[bots.Bot]:
    """A Rasa server of `root`'s model with `workers` Sanic workers and Redis stores; stopped afterwards."""
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = work / "rasa.log"
    argv = [
        sys.executable,
        "-m",
        "rasa_ext.server",
        "run",
        "--model",
        str(bots.model_file(root)),
    ]
    argv += [
        "--port",
        str(port),
        "--endpoints",
        str(root / "endpoints.workers.yml"),
        "--credentials",
        str(root / "credentials.yml"),
    ]
    with bots.redis_stores() as stores:
        env = {
            **os.environ,
            **bots.COMMON_ENV,
            **stores,
            "SANIC_WORKERS": str(workers),
            "ACTION_SERVER_URL": f"{action_url}/webhook",
            "LOCK_LEASE_SECONDS": "10",
            "PYTHONPATH": str(root),
        }
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, cwd=root, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
        )
        rest_url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        try:
            bots.wait_first_reply(rest_url, bots.ASSISTANT_PROBE, [process], log)
            yield bots.Bot(
                f"assistant, {workers} worker(s)", rest_url, process, log, time.perf_counter() - started
            )
        finally:
            stop(process, timeout=30)


def _cpu_s(pid: int) -> float:
    return cpu_seconds(pid) or 0.0


def _memory_mb(pid: int) -> dict[str, float]:
    found = {"rss": rss_mb(pid), "pss": pss_mb(pid)}
    return {name: round(mb, 1) for name, mb in found.items() if mb is not None}


def measure(bot: bots.Bot, messages: int) -> dict[str, Any]:
    """Warm up, then `messages` at 10 users: throughput, p95 and each Rasa process's CPU share and memory."""
    asyncio.run(loadgen.warm_up(bot.rest_url, loadgen.ASSISTANT_SCRIPTS, "bench-workers"))
    pids = [bot.process.pid, *descendants(bot.process.pid)]
    before = {pid: _cpu_s(pid) for pid in pids}
    result = asyncio.run(
        loadgen.run_load(bot.name, bot.rest_url, loadgen.ASSISTANT_SCRIPTS, 10, messages, {})
    )
    processes = [
        {
            "pid": pid,
            "cpu_pct": round((_cpu_s(pid) - before[pid]) / result.duration_s * 100, 1),
            **_memory_mb(pid),
        }
        for pid in pids
    ]
    return {
        "throughput": result.throughput,
        "p95_ms": result.p95_ms,
        "errors": result.errors,
        "messages": result.messages,
        "processes": processes,
        "pss_total_mb": round(sum(p.get("pss", 0.0) for p in processes), 1),
    }


def run(root: Path, work: Path, action_url: str, messages: int) -> list[dict[str, Any]]:
    """One Rasa server with 1 worker, then one with 2, on the same action server."""
    found = []
    for workers in (1, 2):
        with rasa_with_workers(root, work / f"workers-{workers}", action_url, workers) as bot:
            found.append({"workers": workers, **measure(bot, messages)})
    return found


HEADERS = (
    "Sanic workers",
    "msgs",
    "msg/s",
    "p95 ms",
    "errors",
    "CPU % per Rasa process",
    "RSS MB",
    "PSS MB all",
)


def rows(found: list[dict[str, Any]]) -> list[list[Any]]:
    table = []
    for r in found:
        busy = [p for p in r["processes"] if p["cpu_pct"] >= 1 or len(r["processes"]) == 1]
        table.append(
            [
                r["workers"],
                r["messages"],
                r["throughput"],
                r["p95_ms"],
                r["errors"],
                " / ".join(f"{p['cpu_pct']:.0f}" for p in busy),
                " / ".join(f"{p.get('rss', 0):.0f}" for p in r["processes"]),
                r["pss_total_mb"],
            ]
        )
    return table
