"""The lock store of the scaled set-up (rasa_ext/lock_store.py) against the real Redis: tickets from several
processes at once, one holder at a time in ticket order, leases that lapse with their holder."""

from __future__ import annotations

import asyncio
import multiprocessing

import pytest
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from rasa_ext.lock_store import LeasedRedisLockStore, redis_options
from tests.scaleout.conftest import redis_client

pytestmark = pytest.mark.redis


def store(url: str, prefix: str, lease: float = 10.0) -> LeasedRedisLockStore:
    """The lock store as Rasa makes it from endpoints.scaled.yml (values are strings there)."""
    config = EndpointConfig(url=url, type="x", key_prefix=prefix, lease_seconds=str(lease))
    return LeasedRedisLockStore(endpoint_config=config)


def _issue_tickets(url: str, prefix: str, count: int, queue: multiprocessing.Queue) -> None:
    lock_store = store(url, prefix)
    queue.put([lock_store.issue_ticket("busy-conversation", 60) for _ in range(count)])


def test_tickets_taken_at_once_by_several_processes_are_all_distinct_and_kept(
    redis_url: str, key_prefix: str
) -> None:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_issue_tickets, args=(redis_url, key_prefix, 25, queue)) for _ in range(6)
    ]
    for worker in workers:
        worker.start()
    numbers = [number for _ in workers for number in queue.get(timeout=60)]
    for worker in workers:
        worker.join(10)
    assert sorted(numbers) == list(range(150))  # no number given twice, none skipped
    lock = store(redis_url, key_prefix).get_lock("busy-conversation")
    assert lock is not None and sorted(t.number for t in lock.tickets) == list(range(150))  # none overwritten


async def _hold_in_turn(url: str, prefix: str, tasks: int) -> list[str]:
    """Hold the conversation's lock from `tasks` tasks; what went wrong, if anything."""
    lock_store, counter = store(url, prefix), redis_client(url)
    problems: list[str] = []

    async def one() -> None:
        try:
            async with lock_store.lock("shared-conversation"):
                if counter.incr(f"{prefix}:inside") != 1:
                    problems.append("two holders at once")
                await asyncio.sleep(0.02)
                counter.decr(f"{prefix}:inside")
        except LockError as error:
            problems.append(f"LockError: {error}")

    await asyncio.gather(*(one() for _ in range(tasks)))
    return problems


def _hold(url: str, prefix: str, queue: multiprocessing.Queue) -> None:
    queue.put(asyncio.run(_hold_in_turn(url, prefix, 10)))


def test_two_processes_never_hold_one_conversation_at_once(redis_url: str, key_prefix: str) -> None:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_hold, args=(redis_url, key_prefix, queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    problems = [problem for _ in workers for problem in queue.get(timeout=120)]
    for worker in workers:
        worker.join(10)
    assert problems == []
    assert store(redis_url, key_prefix).get_lock("shared-conversation") is None  # the key went with the last


def test_the_lock_is_granted_in_ticket_order(redis_url: str, key_prefix: str) -> None:
    lock_store = store(redis_url, key_prefix)
    entered: list[int] = []

    async def holder(number: int) -> None:
        async with lock_store.lock("ordered"):
            entered.append(number)
            await asyncio.sleep(0.01)

    async def main() -> None:
        tasks = []
        for number in range(8):  # each task takes its ticket before the next one starts
            tasks.append(asyncio.create_task(holder(number)))
            await asyncio.sleep(0)
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert entered == list(range(8))


def test_a_dead_holders_ticket_lapses_and_the_next_one_gets_the_lock(redis_url: str, key_prefix: str) -> None:
    dead = store(redis_url, key_prefix, lease=1.0)
    dead.issue_ticket("orphaned", 1.0)  # taken, never renewed nor returned: its process died
    alive = store(redis_url, key_prefix, lease=1.0)

    async def take() -> int:
        async with alive.lock("orphaned") as lock:
            return len(lock.tickets)

    assert asyncio.run(asyncio.wait_for(take(), 20)) == 1  # only its own ticket is left


def test_a_living_holders_ticket_is_renewed_and_kept(redis_url: str, key_prefix: str) -> None:
    lock_store = store(redis_url, key_prefix, lease=0.6)
    events: list[str] = []

    async def long_holder() -> None:
        async with lock_store.lock("long"):
            events.append("first in")
            await asyncio.sleep(2.5)  # about four leases
            events.append("first out")

    async def next_holder() -> None:
        await asyncio.sleep(0.1)
        async with lock_store.lock("long"):
            events.append("second in")

    async def main() -> None:
        await asyncio.gather(long_holder(), next_holder())

    asyncio.run(main())
    assert events == ["first in", "first out", "second in"]


def test_configuration() -> None:
    assert redis_options("redis://:pw@10.0.0.5:6380/4") == {
        "host": "10.0.0.5",
        "port": 6380,
        "db": 4,
        "password": "pw",
    }
    assert redis_options("redis-host") == {"host": "redis-host"}
    with pytest.raises(ValueError, match="letters and digits"):
        LeasedRedisLockStore(EndpointConfig(url="redis://127.0.0.1:6379/1", type="x", key_prefix="my-bot"))
