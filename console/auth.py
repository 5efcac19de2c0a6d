"""Who may use the console: password hashes (scrypt), sessions with an idle timeout, and the login throttle.

Passwords are hashed with scrypt (memory-hard, in the standard library), each with its own salt; the stored
text names its parameters so they can be raised later without breaking older hashes. Sessions live in the
console's memory only: a restart logs everyone out. The throttle counts failed logins per account and per
address: after `slow_after` failures each further try must wait (1 s, 2 s, 4 s ...), after `max_failures`
the account is locked for `lock_seconds`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# scrypt parameters: 16 MiB of memory and about 50 ms a hash on a laptop.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
KEY_BYTES = 32
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024
_PREFIX = "scrypt"

Clock = Callable[[], float]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES, maxmem=256 * n * r
    )


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash` (salt and hash in base64)."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"{_PREFIX}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored hash (compared in constant time)."""
    try:
        prefix, n, r, p, salt, digest = stored.split("$")
        if prefix != _PREFIX:
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password[:MAX_PASSWORD_CHARS], base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# Checked against when the account does not exist, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = f"{_PREFIX}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(b'0' * 16)}${_b64(b'0' * KEY_BYTES)}"


def check_login(password: str, stored: str | None) -> bool:
    """True when the account exists and the password is its own; as slow either way."""
    matches = verify_password(password, stored or _DUMMY_HASH)
    return matches and stored is not None


def password_problem(password: str) -> str | None:
    """The wording key of what is wrong with a new password, or None."""
    if len(password) < MIN_PASSWORD_CHARS:
        return "password_too_short"
    if len(password) > MAX_PASSWORD_CHARS:
        return "password_too_long"
    return None


# ------------------------------------------------------------------------------------------------ sessions


@dataclass
class StaffSession:
    """One logged-in person."""

    user: str
    role: str
    csrf: str
    created: float
    last_seen: float
    flash: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) shown once
    try_sender: str = field(default_factory=lambda: "console-" + secrets.token_hex(8))


class Sessions:
    """Sessions by token, in memory; a session unused for `idle_seconds` (or older than `max_seconds`) ends."""

    def __init__(self, idle_seconds: float, max_seconds: float, clock: Clock = time.time) -> None:
        self._idle = idle_seconds
        self._max = max_seconds
        self._clock = clock
        self._sessions: dict[str, StaffSession] = {}

    def create(self, user: str, role: str) -> tuple[str, StaffSession]:
        now = self._clock()
        self._expire(now)
        token = secrets.token_urlsafe(32)
        session = StaffSession(user, role, secrets.token_urlsafe(32), now, now)
        self._sessions[token] = session
        return token, session

    def get(self, token: str | None) -> StaffSession | None:
        """The live session of `token` (its idle time restarts), or None."""
        if not token:
            return None
        session = self._sessions.get(token)
        if session is None:
            return None
        now = self._clock()
        if now - session.last_seen > self._idle or now - session.created > self._max:
            del self._sessions[token]
            return None
        session.last_seen = now
        return session

    def drop(self, token: str | None) -> None:
        if token:
            self._sessions.pop(token, None)

    def drop_user(self, user: str) -> None:
        for token in [t for t, s in self._sessions.items() if s.user == user]:
            del self._sessions[token]

    def _expire(self, now: float) -> None:
        for token in [t for t, s in self._sessions.items() if now - s.last_seen > self._idle]:
            del self._sessions[token]


# ------------------------------------------------------------------------------------------ login throttle


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0
    locked_until: float = 0.0


@dataclass(frozen=True)
class Verdict:
    """Whether a login may be tried now, and if not, for how many seconds more (`locked`: the long wait)."""

    allowed: bool
    wait_seconds: float = 0.0
    locked: bool = False


class LoginThrottle:
    """Failed logins per key ("user:<name>", "ip:<address>"): slowed after `slow_after`, locked after
    `max_failures` (an address may fail three times as often as one account: colleagues share an office)."""

    def __init__(
        self, slow_after: int, max_failures: int, lock_seconds: float, clock: Clock = time.time
    ) -> None:
        self._slow_after = slow_after
        self._max = max_failures
        self._lock = lock_seconds
        self._clock = clock
        self._failures: dict[str, _Failures] = {}

    def _limit(self, key: str) -> int:
        return self._max * 3 if key.startswith("ip:") else self._max

    def check(self, keys: list[str]) -> Verdict:
        now = self._clock()
        worst = Verdict(True)
        for key in keys:
            failures = self._failures.get(key)
            if failures is None:
                continue
            if failures.locked_until > now:
                return Verdict(False, failures.locked_until - now, locked=True)
            if failures.locked_until and failures.locked_until <= now:
                del self._failures[key]  # the lock is over: start again
                continue
            if failures.count >= self._slow_after:
                ready = failures.last + 2.0 ** (failures.count - self._slow_after)
                if ready > now and ready - now > worst.wait_seconds:
                    worst = Verdict(False, ready - now)
        return worst

    def failed(self, keys: list[str]) -> None:
        now = self._clock()
        for key in keys:
            failures = self._failures.setdefault(key, _Failures())
            failures.count += 1
            failures.last = now
            if failures.count >= self._limit(key):
                failures.locked_until = now + self._lock

    def succeeded(self, keys: list[str]) -> None:
        for key in keys:
            if key.startswith("user:"):
                self._failures.pop(key, None)
