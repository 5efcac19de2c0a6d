"""The shared stores of the scaled set-up: create a PostgreSQL database, check PostgreSQL and Redis.

Used by runtime/supervisor.py --scaled before it starts anything, and by the action server's GET /health/stores
(which the web gateway's readiness asks) to report a store down.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit, urlunsplit

import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

# Seconds to wait for a store before calling it down.
CONNECT_TIMEOUT = 3
logger = logging.getLogger(__name__)

DATABASE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class StoreError(Exception):
    """A store cannot be reached or prepared; the message says which (without its password) and why."""


def public_url(url: str) -> str:
    """`url` with its password hidden, for logs and messages."""
    if not url:
        return "(none)"
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _engine(url: str, **options: object) -> Engine:
    return create_engine(
        url, future=True, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT}, **options
    )


def _reason(error: SQLAlchemyError) -> str:
    """The first line of the driver's message (it names host and port, never the password)."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return lines[0] if lines else error.__class__.__name__


def _admin(url: str) -> tuple[Engine, str]:
    """An engine on the server's `postgres` database, and the name of the database of `url`."""
    parsed = make_url(url)
    name = parsed.database or ""
    if not DATABASE_NAME.fullmatch(name):
        raise StoreError(f"{public_url(url)}: the database name must be letters, digits and _")
    return _engine(parsed.set(database="postgres").render_as_string(hide_password=False)), name


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database of `url` when it does not exist; True when it was created."""
    admin, name = _admin(url)
    try:
        with admin.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if found.first() is not None:
                return False
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            return True
    except SQLAlchemyError as error:
        raise StoreError(f"PostgreSQL at {public_url(url)} cannot be used: {_reason(error)}") from error
    finally:
        admin.dispose()


def database_down(url: str) -> str | None:
    """None when the database of `url` answers a query, else why not (one line, no password)."""
    engine = (
        _engine(url) if url.startswith("postgresql") else create_engine(url, future=True, poolclass=NullPool)
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None
    except SQLAlchemyError as error:
        return _reason(error)
    finally:
        engine.dispose()


def ping_redis(url: str) -> None:
    """Raise StoreError unless the Redis server of `url` answers."""
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT
        )
        client.ping()
        client.close()
    except (redis.RedisError, ValueError) as error:
        raise StoreError(f"Redis at {public_url(url)} cannot be used: {error}") from error


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database of `url` if it exists, closing its connections (tests clean up with it)."""
    admin, name = _admin(url)
    try:
        with admin.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def drop_redis_keys(url: str, key_prefix: str) -> None:
    """Delete the keys under `key_prefix` (a lock store's) from the Redis server of `url`."""
    client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT)
    try:
        keys = list(client.scan_iter(match=f"{key_prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def stores_status(database_url: str, tracker_store_url: str = "", lock_store_url: str = "") -> dict[str, str]:
    """ "up" or "down" for the knowledge database and, when configured, the conversations' database and the
    lock store; why a store is down goes to the log, never into the result (it names addresses)."""
    status = {"database": _up(database_url, database_down(database_url))}
    if tracker_store_url:
        status["tracker_store"] = _up(tracker_store_url, database_down(tracker_store_url))
    if lock_store_url:
        try:
            ping_redis(lock_store_url)
            status["lock_store"] = "up"
        except StoreError as error:
            logger.warning("store check: %s", error)
            status["lock_store"] = "down"
    return status


def _up(url: str, reason: str | None) -> str:
    if reason:
        logger.warning("store check: the database %s is down: %s", public_url(url), reason)
    return "down" if reason else "up"
