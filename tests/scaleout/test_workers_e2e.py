"""End to end: `runtime/supervisor.py` with RASA_WORKERS=2, one Rasa server with two Sanic workers sharing the
conversations and their locks in the real Redis (endpoints.workers.yml), as `make bench` measures it.

The assistant is started once for the module, on a Redis key prefix of its own (deleted afterwards).
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis
import requests

from assistant.settings import Settings
from assistant.stores import StoreError, drop_redis_keys, ping_redis
from runtime import supervisor as run
from runtime.harness import TEST_REDIS_URL, RunningAssistant, running_assistant
from scripts.bench.machine import command_line, cpu_seconds, descendants
from tests.scaleout.conftest import unavailable
from tests.scaleout.test_scaled_e2e import QUESTIONS, figure, texts

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

TIMEOUT = 60.0


@pytest.fixture(scope="module")
def prefix() -> str:
    return f"test{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory, prefix: str) -> Iterator[RunningAssistant]:
    try:
        ping_redis(TEST_REDIS_URL)
    except StoreError as error:
        unavailable(str(error))
    env = {
        "RASA_WORKERS": "2",
        "LOCK_STORE_URL": TEST_REDIS_URL,
        "LOCK_STORE_KEY_PREFIX": prefix,
        "TODAY": "2026-11-23",
        "RASA_TIMEOUT": str(TIMEOUT),
    }
    try:
        with running_assistant(tmp_path_factory.mktemp("workers"), env=env) as running:
            yield running
    finally:
        drop_redis_keys(TEST_REDIS_URL, prefix)


def rasa_workers(running: RunningAssistant) -> list[int]:
    """The Sanic workers: the processes of the Rasa server that have a parent of the same program."""
    rasa = [p for p in descendants(running.process.pid) if "rasa_ext.server" in command_line(p)]
    return [p for p in rasa if any(q != p and p in descendants(q) for q in rasa)]


def post(running: RunningAssistant, sender: str, text: str) -> requests.Response:
    answer = requests.post(
        f"{running.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=TIMEOUT
    )
    answer.raise_for_status()
    return answer


def test_one_rasa_server_runs_two_workers(workers: RunningAssistant) -> None:
    assert len(rasa_workers(workers)) == 2
    assert "conversations and locks in" in workers.log.read_text(errors="replace")


def test_conversations_are_shared_in_redis_and_keep_their_follow_ups(
    workers: RunningAssistant, prefix: str
) -> None:
    sender = "workers-follow-up"
    turns = [
        (QUESTIONS[0], "qng-2022-visitors"),
        ("Còn khách quốc tế thì sao?", "qng-2022-international-visitors"),
        ("Doanh thu du lịch thì sao?", "qng-2022-revenue"),
    ]
    for text, entry in turns * 3:  # nine turns: each worker gets some, and every follow-up keeps its context
        replies = texts(post(workers, sender, text).json())
        assert figure(entry) in replies, (text, replies)
        assert "Quảng Ngãi" in replies
    key = f"{prefix}:tracker:{sender}"
    server = redis.Redis.from_url(TEST_REDIS_URL)
    assert server.exists(key), "the conversation is not in Redis"
    assert 0 < server.ttl(key) <= 86400  # kept a day after its last message (endpoints.workers.yml)


def test_every_reply_closes_its_connection(workers: RunningAssistant) -> None:
    answer = post(workers, "workers-close", "xin chào")
    assert answer.headers.get("Connection", "").lower() == "close"


async def _users(url: str, users: int, turns: int) -> list[list[dict[str, Any]]]:
    async def user(number: int) -> list[dict[str, Any]]:
        found = []
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as session:
            for turn in range(turns):
                body = {"sender": f"workers-load-{number}", "message": QUESTIONS[turn % len(QUESTIONS)]}
                async with session.post(f"{url}/webhooks/rest/webhook", json=body) as answer:
                    assert answer.status == 200
                    found.append(await answer.json())
        return found

    return await asyncio.gather(*(user(n) for n in range(users)))


def test_under_load_both_workers_answer(workers: RunningAssistant) -> None:
    pids = rasa_workers(workers)
    before = {pid: cpu_seconds(pid) or 0.0 for pid in pids}
    answers = asyncio.run(_users(workers.rasa_url, users=8, turns=6))
    assert all(all(replies for replies in user) for user in answers)  # 48 messages, every one answered
    used = {pid: (cpu_seconds(pid) or 0.0) - before[pid] for pid in pids}
    total = sum(used.values())
    # kept-alive connections could leave one worker with every user; new connections go to a free worker
    assert all(share >= 0.15 * total for share in used.values()), used


def settings(**changes: Any) -> Settings:
    return dataclasses.replace(Settings.from_env(), **changes)


def test_two_workers_without_redis_do_not_start() -> None:
    with pytest.raises(run.StartError, match="LOCK_STORE_URL=redis://"):
        run.plan(settings(rasa_workers=2, lock_store_url=""), Path("model.tar.gz"))
    with pytest.raises(run.StartError, match="RASA_WORKERS must be 1 or more"):
        run.plan(settings(rasa_workers=0), Path("model.tar.gz"))


def test_one_worker_keeps_the_default_endpoints() -> None:
    [_, rasa, *_] = run.plan(settings(rasa_workers=1), Path("model.tar.gz"))
    assert rasa.argv[rasa.argv.index("--endpoints") + 1].endswith("/endpoints.yml")
    assert "SANIC_WORKERS" not in rasa.env
    [_, rasa, *_] = run.plan(
        settings(rasa_workers=2, lock_store_url="redis://127.0.0.1:6379/1"), Path("model.tar.gz")
    )
    assert rasa.argv[rasa.argv.index("--endpoints") + 1].endswith("/endpoints.workers.yml")
    assert rasa.env["SANIC_WORKERS"] == "2"
