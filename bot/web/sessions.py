"""Web chat sessions: ids the server issues and signs, so nobody can use a conversation by guessing its id."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import time
from pathlib import Path

from assistant.settings import Settings

logger = logging.getLogger(__name__)

SESSION_MAX_AGE = 30 * 24 * 3600
MIN_SECRET_CHARS = 32
SECRET_FILE = "web_secret"  # noqa: S105 (a file name)
_CONTEXT = b"mien-trung web session v1\x00"
_MAX_TOKEN_CHARS = 200
_CLOCK_SKEW = 60


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class SessionSigner:
    """Issues session tokens `<id>.<issued>.<signature>` and verifies them (HMAC-SHA256 with the secret)."""

    def __init__(self, secret: bytes, max_age: float = SESSION_MAX_AGE) -> None:
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(f"the session secret must have at least {MIN_SECRET_CHARS} characters")
        self._secret = secret
        self._max_age = max_age

    def _signature(self, session_id: str, issued: int) -> str:
        mac = hmac.new(self._secret, _CONTEXT + f"{session_id}.{issued}".encode("ascii"), hashlib.sha256)
        return _b64(mac.digest())

    def issue(self, now: float | None = None) -> str:
        """A new token: 128 random bits, the time it was issued, and their signature."""
        session_id = secrets.token_urlsafe(16)
        issued = int(time.time() if now is None else now)
        return f"{session_id}.{issued}.{self._signature(session_id, issued)}"

    def verify(self, token: str, now: float | None = None) -> str | None:
        """The session id of a genuine, unexpired token; None for anything else."""
        if not token or len(token) > _MAX_TOKEN_CHARS or not token.isascii():
            return None
        parts = token.split(".")
        if len(parts) != 3 or not parts[0] or not parts[1].isdigit():
            return None
        session_id, issued_text, signature = parts
        issued = int(issued_text)
        expected = self._signature(session_id, issued)
        if not hmac.compare_digest(signature.encode("ascii"), expected.encode("ascii")):
            return None
        age = (time.time() if now is None else now) - issued
        if age < -_CLOCK_SKEW or age > self._max_age:
            return None
        return session_id


def _read_secret(path: Path) -> bytes:
    secret = path.read_text(encoding="ascii").strip()
    if len(secret) < MIN_SECRET_CHARS:
        raise ValueError(f"{path} holds no usable secret: delete it and start again (a new one is generated)")
    if path.stat().st_mode & 0o077:
        logger.warning("%s is readable by others; making it private (0600)", path)
        path.chmod(0o600)
    return secret.encode("ascii")


def load_secret(settings: Settings) -> bytes:
    """WEB_SECRET, or the secret kept in DATA_DIR/web_secret (made with 0600 permissions on first use)."""
    if settings.web_secret:
        if len(settings.web_secret) < MIN_SECRET_CHARS:
            raise ValueError(
                f"WEB_SECRET must have at least {MIN_SECRET_CHARS} characters, for example the output of "
                "python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        return settings.web_secret.encode("utf-8")
    path = settings.data_dir / SECRET_FILE
    if path.exists():
        return _read_secret(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    try:
        os.link(temporary, path)  # atomic: if another process won the race, its secret is kept
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    logger.info("generated the web session secret in %s", path)
    return _read_secret(path)
