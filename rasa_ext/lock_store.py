"""A Redis lock store for several Rasa servers: atomic ticket changes, and tickets that lapse with their process.

Rasa serialises the messages of one conversation with a ticket lock (rasa.core.lock.TicketLock): each message
takes a numbered ticket and is handled when its ticket is the first one left. Rasa's RedisLockStore keeps a
conversation's tickets under one key and changes them by reading the key, changing the tickets and writing the
key back. Two Rasa processes doing that at the same moment overwrite each other's ticket, and the cleanup after
a message deletes the key even when another process has just added a ticket to it; then two messages of one
conversation are handled at once, one loses its events, or the other fails with "Could not acquire lock"
(RasaHQ/rasa#11256; the fix, ConcurrentRedisLockStore, was taken out of Rasa Open Source again in #11428).
Here every change of a conversation's tickets is one Redis transaction (WATCH/MULTI, tried again when another
process changed the key in between), and the key is deleted in that same transaction when no ticket is left.

Tickets are leases: one lasts `lease_seconds` and the process that holds it, waiting or handling the message,
renews it every third of that. A Rasa process that dies stops renewing, so the conversations it had locked are
free again within one lease (Rasa's tickets live a fixed 60 s, TICKET_LOCK_LIFETIME), and a long queue of
messages for one conversation never outlives its tickets. Waiting tickets look again every `poll_seconds`.

endpoints.scaled.yml names this class; `url` is a redis:// URL (or a host name, as for Rasa's lock store).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncGenerator, Callable
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.client import Pipeline

logger = logging.getLogger(__name__)

T = TypeVar("T")


def redis_options(url: str) -> dict[str, Any]:
    """RedisLockStore's connection arguments for `url`: redis://[user[:password]@]host[:port][/db], or a host."""
    if "://" not in url:
        return {"host": url or "localhost"}
    parts = urlsplit(url)
    options: dict[str, Any] = {"host": parts.hostname or "localhost", "port": parts.port or 6379}
    if parts.path.strip("/"):
        options["db"] = int(parts.path.strip("/"))
    if parts.username:
        options["username"] = unquote(parts.username)
    if parts.password:
        options["password"] = unquote(parts.password)
    if parts.scheme == "rediss":
        options["use_ssl"] = True
    return options


class LeasedRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket changes are atomic and whose tickets are renewed leases."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        lease_seconds: float = 10.0,
        poll_seconds: float = 0.1,
        **options: Any,
    ) -> None:
        settings = dict(endpoint_config.kwargs) if endpoint_config else {}
        lease_seconds = float(settings.pop("lease_seconds", lease_seconds))
        poll_seconds = float(settings.pop("poll_seconds", poll_seconds))
        key_prefix = str(settings.pop("key_prefix", options.pop("key_prefix", "")) or "")
        if key_prefix and not key_prefix.isalnum():  # Rasa would silently fall back to a shared default
            raise ValueError(
                f"the lock store's key_prefix must be letters and digits only, not {key_prefix!r}"
            )
        if endpoint_config is not None:
            options = {**redis_options(endpoint_config.url or ""), **settings, **options}
        super().__init__(key_prefix=key_prefix or None, **options)
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds

    def _change(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        """Apply `change` to the conversation's lock in one transaction and return what it returned."""
        key = self.key_prefix + conversation_id

        def attempt(pipe: Pipeline) -> T:
            raw = pipe.get(key)  # read while watching the key
            lock = TicketLock.from_dict(json.loads(raw)) if raw else TicketLock(conversation_id)
            result = change(lock)
            lock.remove_expired_tickets()
            pipe.multi()
            if lock.tickets:
                last_expiry = max(ticket.expires for ticket in lock.tickets)
                pipe.set(key, lock.dumps(), px=max(1, int((last_expiry - time.time()) * 1000)) + 1000)
            else:
                pipe.delete(key)
            return result

        return self.red.transaction(attempt, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A new ticket for the conversation, lasting `lock_lifetime` seconds unless renewed."""
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Drop the conversation's expired tickets."""
        self._change(conversation_id, lambda lock: None)

    def renew(self, conversation_id: str, ticket_number: int) -> bool:
        """Extend the ticket by one lease; False when it is gone (it lapsed)."""

        def extend(lock: TicketLock) -> bool:
            for ticket in lock.tickets:
                if ticket.number == ticket_number and not ticket.has_expired():
                    ticket.expires = time.time() + self.lease_seconds
                    return True
            return False

        return self._change(conversation_id, extend)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket; the key goes when it was the last one."""
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket (Rasa's cleanup deletes the key in a second step, racing other processes)."""
        self.finish_serving(conversation_id, ticket_number)

    async def _keep(self, conversation_id: str, ticket_number: int) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                if not self.renew(conversation_id, ticket_number):
                    logger.warning("ticket %s of conversation %s lapsed", ticket_number, conversation_id)
                    return
            except Exception:  # Redis unreachable for a moment: the lease still has time, try again
                logger.exception(
                    "could not renew ticket %s of conversation %s", ticket_number, conversation_id
                )

    async def _wait_for_turn(self, conversation_id: str, ticket_number: int) -> TicketLock:
        while True:
            lock = self.get_lock(conversation_id)
            numbers = [t.number for t in lock.tickets if not t.has_expired()] if lock else []
            if ticket_number not in numbers:
                raise LockError(f"The ticket of conversation '{conversation_id}' lapsed while it waited.")
            if numbers[0] == ticket_number:
                return lock
            await asyncio.sleep(self.poll_seconds)

    @contextlib.asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock (Rasa's interface; the lifetime is the lease, renewed while held)."""
        ticket = self.issue_ticket(conversation_id, self.lease_seconds)
        keeper = asyncio.create_task(self._keep(conversation_id, ticket))
        try:
            yield await self._wait_for_turn(conversation_id, ticket)
        finally:
            keeper.cancel()
            self.cleanup(conversation_id, ticket)
