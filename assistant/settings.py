"""The one place that reads the environment. Every other module asks `get_settings()`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# Defaults of `make run-scaled` (runtime/supervisor.py --scaled) where `make run` has none or SQLite.
SCALED_DEFAULTS = {
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/assistant_knowledge",
    "TRACKER_STORE_URL": "postgresql://postgres@127.0.0.1:5432/assistant_tracker",
    "LOCK_STORE_URL": "redis://127.0.0.1:6379/1",
}


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _ports(name: str, first: int, count: int) -> tuple[int, ...]:
    """A comma-separated list of ports, by default `count` consecutive ports from `first`."""
    default = ",".join(str(first + i) for i in range(count))
    return tuple(int(p) for p in _env(name, default).split(",") if p.strip())


@dataclass(frozen=True)
class Settings:
    """Configuration of every process of the assistant, read from the environment."""

    database_url: str
    data_dir: Path
    knowledge_dir: Path
    rasa_host: str
    rasa_port: int
    action_port: int
    rasa_urls: tuple[str, ...]
    action_server_url: str
    rasa_token: str
    rasa_timeout: float
    telegram_token: str
    telegram_api_base_url: str
    telegram_mode: str
    telegram_host: str
    telegram_port: int
    telegram_webhook_url: str
    telegram_webhook_secret: str
    zalo_bot_token: str
    zalo_api_base_url: str
    zalo_mode: str
    zalo_host: str
    zalo_port: int
    zalo_webhook_url: str
    zalo_webhook_secret: str
    # Seconds a Zalo chat's numbered choices stay valid (the user picks one by replying with its number).
    zalo_choice_seconds: float
    # Where the files answers point to (/charts/..., /events/...) are made: the action server.
    media_url: str
    # Where users and remote platforms reach those files (the web gateway relays them).
    public_base_url: str
    web_host: str
    web_port: int
    web_secret: str
    web_allowed_origins: tuple[str, ...]
    web_frame_ancestors: str
    web_rate_per_second: float
    web_rate_burst: int
    log_level: str
    today: str
    knowledge_poll_seconds: float
    # Scale-out (`make run-scaled`): several Rasa and action servers, shared tracker and lock stores.
    rasa_ports: tuple[int, ...]
    action_ports: tuple[int, ...]
    tracker_store_url: str
    lock_store_url: str
    lock_store_key_prefix: str
    lock_lease_seconds: float
    # Sanic workers of each Rasa server (RASA_WORKERS); more than one keeps conversations and locks in Redis.
    rasa_workers: int
    # Records of what people ask (assistant/records): days kept, and the key of the senders' keyed hash
    # (RECORDS_SENDER_KEY; empty: a key generated into DATA_DIR/records_sender_key).
    records_retention_days: int
    records_sender_key: str
    # The staff console (console/): where it listens, and how its sessions and logins are guarded.
    console_host: str
    console_port: int
    console_secure_cookies: bool  # behind https: the session cookie is sent over https only
    console_idle_minutes: float
    console_login_slow_after: int  # failed logins before each further try must wait (1 s, 2 s, 4 s ...)
    console_login_max_failures: int  # failed logins before the account is locked
    console_lock_minutes: float

    @classmethod
    def from_env(cls, scaled: bool = False) -> Settings:
        """Read every setting from the environment, with the defaults documented in .env.example.

        `scaled` (runtime/supervisor.py --scaled) changes the defaults only: two Rasa and two action servers, the
        knowledge and the conversations on the local PostgreSQL, the locks on the local Redis.
        """
        data_dir = Path(_env("DATA_DIR", str(PROJECT_ROOT / "var")))
        origins = _env("WEB_ALLOWED_ORIGINS", "http://localhost:8080,http://127.0.0.1:8080")
        rasa_port = int(_env("RASA_PORT", "5005"))
        action_port = int(_env("ACTION_PORT", "5055"))
        rasa_ports = _ports("RASA_PORTS", rasa_port, 2) if scaled else (rasa_port,)
        rasa_workers = int(_env("RASA_WORKERS", "1"))
        defaults = SCALED_DEFAULTS if scaled else {}
        if rasa_workers > 1 and not scaled:
            defaults = {"LOCK_STORE_URL": SCALED_DEFAULTS["LOCK_STORE_URL"]}
        return cls(
            database_url=_env(
                "DATABASE_URL", defaults.get("DATABASE_URL", f"sqlite:///{data_dir / 'knowledge.db'}")
            ),
            data_dir=data_dir,
            knowledge_dir=Path(_env("KNOWLEDGE_DIR", str(PROJECT_ROOT / "knowledge"))),
            rasa_host=_env("RASA_HOST", "127.0.0.1"),
            rasa_port=rasa_port,
            action_port=action_port,
            rasa_urls=tuple(
                u.strip().rstrip("/")
                for u in _env("RASA_URL", ",".join(f"http://127.0.0.1:{p}" for p in rasa_ports)).split(",")
                if u.strip()
            ),
            action_server_url=_env("ACTION_SERVER_URL", f"http://127.0.0.1:{action_port}/webhook"),
            rasa_token=_env("RASA_TOKEN", ""),
            rasa_timeout=float(_env("RASA_TIMEOUT", "20")),
            telegram_token=_env("TELEGRAM_TOKEN", ""),
            telegram_api_base_url=_env("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
            telegram_mode=_env("TELEGRAM_MODE", "polling").lower(),
            telegram_host=_env("TELEGRAM_HOST", "127.0.0.1"),
            telegram_port=int(_env("TELEGRAM_PORT", "8443")),
            telegram_webhook_url=_env("TELEGRAM_WEBHOOK_URL", ""),
            telegram_webhook_secret=_env("TELEGRAM_WEBHOOK_SECRET", ""),
            zalo_bot_token=_env("ZALO_BOT_TOKEN", ""),
            zalo_api_base_url=_env("ZALO_API_BASE_URL", "https://bot-api.zaloplatforms.com").rstrip("/"),
            zalo_mode=_env("ZALO_MODE", "polling").lower(),
            zalo_host=_env("ZALO_HOST", "127.0.0.1"),
            zalo_port=int(_env("ZALO_PORT", "8444")),
            zalo_webhook_url=_env("ZALO_WEBHOOK_URL", ""),
            zalo_webhook_secret=_env("ZALO_WEBHOOK_SECRET", ""),
            zalo_choice_seconds=float(_env("ZALO_CHOICE_SECONDS", "900")),
            media_url=_env("MEDIA_URL", f"http://127.0.0.1:{action_port}").rstrip("/"),
            public_base_url=_env("PUBLIC_BASE_URL", f"http://localhost:{_env('WEB_PORT', '8080')}").rstrip(
                "/"
            ),
            web_host=_env("WEB_HOST", "127.0.0.1"),
            web_port=int(_env("WEB_PORT", "8080")),
            web_secret=_env("WEB_SECRET", ""),
            web_allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            web_frame_ancestors=_env("WEB_FRAME_ANCESTORS", "'self'"),
            web_rate_per_second=float(_env("WEB_RATE_PER_SECOND", "1")),
            web_rate_burst=int(_env("WEB_RATE_BURST", "5")),
            log_level=_env("LOG_LEVEL", "INFO"),
            today=_env("TODAY", ""),
            knowledge_poll_seconds=float(_env("KNOWLEDGE_POLL_SECONDS", "2")),
            rasa_ports=rasa_ports,
            action_ports=_ports("ACTION_PORTS", action_port, 2) if scaled else (action_port,),
            tracker_store_url=_env("TRACKER_STORE_URL", defaults.get("TRACKER_STORE_URL", "")),
            lock_store_url=_env("LOCK_STORE_URL", defaults.get("LOCK_STORE_URL", "")),
            lock_store_key_prefix=_env("LOCK_STORE_KEY_PREFIX", "assistant"),
            lock_lease_seconds=float(_env("LOCK_LEASE_SECONDS", "10")),
            rasa_workers=rasa_workers,
            records_retention_days=int(_env("RECORDS_RETENTION_DAYS", "180")),
            records_sender_key=_env("RECORDS_SENDER_KEY", ""),
            console_host=_env("CONSOLE_HOST", "127.0.0.1"),
            console_port=int(_env("CONSOLE_PORT", "8081")),
            console_secure_cookies=_env("CONSOLE_SECURE_COOKIES", "false").lower() in ("1", "true", "yes"),
            console_idle_minutes=float(_env("CONSOLE_IDLE_MINUTES", "30")),
            console_login_slow_after=int(_env("CONSOLE_LOGIN_SLOW_AFTER", "3")),
            console_login_max_failures=int(_env("CONSOLE_LOGIN_MAX_FAILURES", "10")),
            console_lock_minutes=float(_env("CONSOLE_LOCK_MINUTES", "15")),
        )

    @property
    def actions_url(self) -> str:
        """The base URL of the (first) action server, without its /webhook."""
        return self.action_server_url.removesuffix("/webhook")

    @property
    def rasa_url(self) -> str:
        """The first Rasa server (RASA_URL may list several, comma-separated, for failover)."""
        return self.rasa_urls[0]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (read once, on first use)."""
    return Settings.from_env()
