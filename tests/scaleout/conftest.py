"""Fixtures of the scale-out and fault tests: the real Redis and PostgreSQL servers, or a PostgreSQL of our own.

When a server cannot be reached (or PostgreSQL's programs are missing) the tests that need it are skipped,
except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from assistant.stores import StoreError, database_down, drop_redis_keys, ping_redis
from runtime.harness import TEST_REDIS_URL, free_port


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip the test, or fail it under CI."""
    if in_ci():
        pytest.fail(f"{reason} (required under CI)")
    pytest.skip(reason)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """TEST_REDIS_URL, checked."""
    try:
        ping_redis(TEST_REDIS_URL)
    except StoreError as error:
        unavailable(str(error))
    yield TEST_REDIS_URL


@pytest.fixture
def key_prefix(redis_url: str) -> Iterator[str]:
    """A Redis key prefix of this test's own, whose keys are deleted afterwards."""
    prefix = f"test{uuid.uuid4().hex[:10]}"
    yield prefix
    drop_redis_keys(redis_url, prefix)


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class PrivatePostgres:
    """A PostgreSQL server of the test's own (initdb + pg_ctl) on a free port; stop() and start() it at will."""

    bin: Path
    data: Path
    port: int
    log: Path

    @property
    def server_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def url(self, database: str = "postgres") -> str:
        return f"{self.server_url}/{database}"

    def _as_owner(self, *argv: str) -> list[str]:
        # initdb and the server refuse to run as root: run them as the `postgres` user then.
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else list(argv)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.data.parent, "postgres")
        command = [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"]
        subprocess.run(self._as_owner(*command), check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.data}"
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w"]
        subprocess.run(self._as_owner(*command, "start"), check=True, capture_output=True)
        deadline = time.monotonic() + 30
        while database_down(self.url()) and time.monotonic() < deadline:
            time.sleep(0.2)

    def stop(self) -> None:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
        subprocess.run(self._as_owner(*command), check=True, capture_output=True)


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running PostgreSQL server of this module's own, removed afterwards.

    Its folder is made with tempfile, not pytest's tmp_path: pytest's folders are private to root, and the
    server runs as the `postgres` user.
    """
    binaries = _postgres_bin()
    if binaries is None:
        unavailable("PostgreSQL's programs (initdb, pg_ctl) are not installed")
    root = Path(tempfile.mkdtemp(prefix="assistant-postgres-"))
    server = PrivatePostgres(binaries, root / "data", free_port(), root / "postgres.log")
    try:
        server.init()
        server.start()
    except (subprocess.CalledProcessError, OSError) as error:
        shutil.rmtree(root, ignore_errors=True)
        unavailable(f"could not start a PostgreSQL server of our own: {error}")
    try:
        yield server
    finally:
        if not database_down(server.url()):
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
