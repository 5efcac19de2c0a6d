"""Start the whole assistant and stop it as one: action server, Rasa server, web gateway, Telegram and Zalo
bridges, staff console.

Used by `make run` and by the end-to-end tests, so tests start the assistant exactly as a person does.
Each child's output goes to var/log/<name>.log; Ctrl-C or SIGTERM stops every child.

`--scaled` (`make run-scaled`) starts the production layout on this machine: one action server and one Rasa
server per pair of RASA_PORTS/ACTION_PORTS (5005+5055 and 5006+5056 by default), every Rasa server with
endpoints.scaled.yml, so they share the conversations (PostgreSQL, TRACKER_STORE_URL) and the conversation
locks (Redis, LOCK_STORE_URL); the knowledge database on PostgreSQL (DATABASE_URL); the channels spread their
requests over every Rasa server (RASA_URL). Missing PostgreSQL databases are created. When one Rasa or action
server stops, the others keep serving (the log says so); when the last of a kind stops, everything stops.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from assistant.settings import Settings
from assistant.stores import StoreError, ensure_database, ping_redis, public_url
from runtime.train import model_path

ROOT = Path(__file__).resolve().parent.parent

BIN = Path(sys.executable).parent
START_TIMEOUT = float(os.environ.get("START_TIMEOUT", "180"))


@dataclass
class Service:
    """One child process of the assistant and how to tell it is ready."""

    name: str
    argv: list[str]
    port: int
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    # Replicas share a group: the assistant keeps running while one of its group is alive.
    group: str = ""


class StartError(Exception):
    """The assistant could not start; the message says what to do."""


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _without_query(url: str) -> str:
    """`url` without its query, which may carry RASA_TOKEN: what the supervisor prints."""
    return url.split("?", 1)[0]


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local URL)
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _check_exposure(settings: Settings) -> None:
    if not _is_loopback(settings.rasa_host) and not settings.rasa_token:
        raise StartError(
            f"RASA_HOST={settings.rasa_host} would expose Rasa's HTTP API: set RASA_TOKEN, or keep RASA_HOST=127.0.0.1"
        )


def action_service(name: str, port: int, env: dict[str, str] | None = None) -> Service:
    """An action server on `port`."""
    return Service(
        name,
        [str(BIN / "python"), "-m", "actions.server"],
        port,
        f"http://127.0.0.1:{port}/health",
        env={**(env or {}), "ACTION_PORT": str(port)},
        group="action-server",
    )


def rasa_service(
    settings: Settings, model: Path, name: str, port: int, endpoints: Path, env: dict[str, str]
) -> Service:
    """A Rasa server on `port` with the HTTP API, the channels of credentials.yml and `endpoints`."""
    argv = [
        str(BIN / "python"),
        "-m",
        "rasa_ext.server",
        "run",
        "--model",
        str(model),
        "--enable-api",
        "--interface",
        settings.rasa_host,
        "--port",
        str(port),
        "--credentials",
        str(ROOT / "credentials.yml"),
        "--endpoints",
        str(endpoints),
    ]
    if settings.rasa_token:
        argv += ["--auth-token", settings.rasa_token]
    token_query = f"?token={settings.rasa_token}" if settings.rasa_token else ""
    return Service(name, argv, port, f"http://127.0.0.1:{port}/status{token_query}", env=env, group="rasa")


def channel_services(settings: Settings, env: dict[str, str] | None = None) -> list[Service]:
    """The web gateway, and the Telegram and Zalo bridges whose tokens are set."""
    services = []
    if (ROOT / "bot" / "web" / "__main__.py").exists():
        services.append(
            Service(
                "web-gateway",
                [str(BIN / "python"), "-m", "bot.web"],
                settings.web_port,
                f"http://127.0.0.1:{settings.web_port}/health",
                env=dict(env or {}),
            )
        )
    bridges = (
        ("telegram", settings.telegram_token, settings.telegram_host, settings.telegram_port),
        ("zalo", settings.zalo_bot_token, settings.zalo_host, settings.zalo_port),
    )
    for name, token, host, port in bridges:
        if not token:
            continue
        # A bridge answers /health on its port in both modes, once its platform accepted its token.
        local = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        services.append(
            Service(
                name,
                [str(BIN / "python"), "-m", f"bot.{name}"],
                port,
                f"http://{local}:{port}/health",
                env=dict(env or {}),
            )
        )
    return services


def console_service(settings: Settings, env: dict[str, str] | None = None) -> Service:
    """The staff console (console/), on CONSOLE_HOST:CONSOLE_PORT; ready when GET /health answers."""
    local = "127.0.0.1" if settings.console_host in ("0.0.0.0", "::") else settings.console_host  # noqa: S104
    return Service(
        "console",
        [str(BIN / "python"), "-m", "console"],
        settings.console_port,
        f"http://{local}:{settings.console_port}/health",
        env=dict(env or {}),
    )


def workers_env(settings: Settings) -> dict[str, str]:
    """What a Rasa server needs to run RASA_WORKERS Sanic workers (none for one worker).

    The workers share the conversations and their locks in Redis (endpoints.workers.yml, or the scaled set-up's
    stores), and each reply closes its connection, so that the next request goes to whichever worker is free:
    docs/benchmarks.md says why.
    """
    if settings.rasa_workers < 1:
        raise StartError(f"RASA_WORKERS must be 1 or more, not {settings.rasa_workers}")
    if settings.rasa_workers == 1:
        return {}
    if not settings.lock_store_url.startswith(("redis://", "rediss://")):
        raise StartError(
            f"RASA_WORKERS={settings.rasa_workers} needs Redis for the conversations and their locks, which "
            "every worker shares: set LOCK_STORE_URL=redis://host:port/db"
        )
    return {
        "SANIC_WORKERS": str(settings.rasa_workers),
        "LOCK_STORE_URL": settings.lock_store_url,
        "LOCK_STORE_KEY_PREFIX": settings.lock_store_key_prefix,
        "LOCK_LEASE_SECONDS": str(settings.lock_lease_seconds),
    }


def plan(settings: Settings, model: Path) -> list[Service]:
    """The services to start, in order, for these settings."""
    _check_exposure(settings)
    workers = workers_env(settings)
    endpoints = ROOT / ("endpoints.workers.yml" if workers else "endpoints.yml")
    rasa_env = {"ACTION_SERVER_URL": settings.action_server_url, **workers}
    return [
        action_service("action-server", settings.action_port),
        rasa_service(settings, model, "rasa", settings.rasa_port, endpoints, rasa_env),
        *channel_services(settings),
        console_service(settings),
    ]


def scaled_env(settings: Settings) -> dict[str, str]:
    """The settings every process of the scaled set-up gets, so that all of them agree."""
    return {
        "DATABASE_URL": settings.database_url,
        "TRACKER_STORE_URL": settings.tracker_store_url,
        "LOCK_STORE_URL": settings.lock_store_url,
        "LOCK_STORE_KEY_PREFIX": settings.lock_store_key_prefix,
        "LOCK_LEASE_SECONDS": str(settings.lock_lease_seconds),
        "RASA_URL": ",".join(settings.rasa_urls),
    }


def plan_scaled(settings: Settings, model: Path) -> list[Service]:
    """The services of `--scaled`: action servers, then Rasa servers (one per action server), then channels."""
    _check_exposure(settings)
    if not settings.rasa_ports or len(settings.rasa_ports) != len(settings.action_ports):
        raise StartError(
            f"RASA_PORTS ({len(settings.rasa_ports)}) and ACTION_PORTS ({len(settings.action_ports)}) "
            "must list as many ports: each Rasa server has its own action server"
        )
    if not settings.tracker_store_url.startswith("postgresql") or not settings.lock_store_url:
        raise StartError("--scaled needs TRACKER_STORE_URL=postgresql://... and LOCK_STORE_URL=redis://...")
    shared = scaled_env(settings)
    workers = workers_env(settings)
    pairs = list(enumerate(zip(settings.rasa_ports, settings.action_ports, strict=True), start=1))
    actions = [action_service(f"action-server-{n}", action, shared) for n, (_, action) in pairs]
    rasas = [
        rasa_service(
            settings,
            model,
            f"rasa-{n}",
            rasa,
            ROOT / "endpoints.scaled.yml",
            {**shared, **workers, "ACTION_SERVER_URL": f"http://127.0.0.1:{action}/webhook"},
        )
        for n, (rasa, action) in pairs
    ]
    return [*actions, *rasas, *channel_services(settings, shared), console_service(settings, shared)]


class Supervisor:
    """Starts services in order, waits for each, and stops them all together."""

    def __init__(self, services: list[Service], log_dir: Path) -> None:
        self.services = services
        self.log_dir = log_dir
        self.stopping = False

    def check_ports(self) -> None:
        for service in self.services:
            if not _port_free("127.0.0.1", service.port):
                raise StartError(
                    f"port {service.port} ({service.name}) is already in use: stop what runs there "
                    f"(another 'make run'?) or choose another port in the environment"
                )

    def start(self, service: Service) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{service.name}.log").open("ab")
        env = {**os.environ, **service.env, "PYTHONPATH": str(ROOT)}
        service.process = subprocess.Popen(
            service.argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not _ready(service.health_url):
            if self.stopping:
                return
            if service.process.poll() is not None:
                raise StartError(
                    f"{service.name} exited while starting; see {self.log_dir / service.name}.log"
                )
            if time.monotonic() > deadline:
                raise StartError(
                    f"{service.name} did not answer {_without_query(service.health_url)} "
                    f"within {START_TIMEOUT:.0f} s"
                )
            time.sleep(0.5)

    def stop(self) -> None:
        self.stopping = True
        running = [s.process for s in reversed(self.services) if s.process and s.process.poll() is None]
        for process in running:
            os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def _alive(self, group: str) -> list[Service]:
        return [s for s in self.services if s.group == group and s.process and s.process.poll() is None]

    def watch(self) -> int:
        """Wait until stopped; 1 when a process stopped that had no replica left to serve in its place."""
        reported: set[str] = set()
        while not self.stopping:
            for service in self.services:
                if service.name in reported or not service.process or service.process.poll() is None:
                    continue
                code = service.process.returncode
                others = self._alive(service.group) if service.group else []
                if not others:
                    print(f"run: {service.name} stopped (exit {code}); stopping the rest", flush=True)
                    return 1
                reported.add(service.name)
                names = ", ".join(s.name for s in others)
                print(f"run: {service.name} stopped (exit {code}); {names} still serving", flush=True)
            time.sleep(0.5)
        return 0


def _prepare_knowledge(env: dict[str, str] | None = None) -> None:
    if (ROOT / "actions" / "kb" / "__main__.py").exists():
        command = [str(BIN / "python"), "-m", "assistant.kb", "load"]
        subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, **(env or {})})


def _prepare_stores(settings: Settings) -> None:
    """Create the PostgreSQL databases of the scaled set-up when missing; check that Redis answers."""
    try:
        for url in (settings.database_url, settings.tracker_store_url):
            if url.startswith("postgresql") and ensure_database(url):
                print(f"run: created the database {public_url(url)}", flush=True)
        ping_redis(settings.lock_store_url)
    except StoreError as error:
        raise StartError(str(error)) from error


def _print_scaled(settings: Settings, services: list[Service]) -> None:
    for service in services:
        if service.group == "rasa":
            print(
                f"  {service.name + ' (REST channel):':28}http://127.0.0.1:{service.port}/webhooks/rest/webhook"
            )
        elif service.group == "action-server":
            print(f"  {service.name + ':':28}http://127.0.0.1:{service.port}")
    print(f"  {'Conversations (trackers):':28}{public_url(settings.tracker_store_url)}")
    print(
        f"  {'Conversation locks:':28}{public_url(settings.lock_store_url)} ({settings.lock_store_key_prefix})"
    )
    print(f"  {'Knowledge database:':28}{public_url(settings.database_url)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scaled", action="store_true", help="several Rasa servers on PostgreSQL and Redis")
    scaled = parser.parse_args(argv).scaled
    settings = Settings.from_env(scaled=scaled)
    model = model_path()
    if not model.exists():
        print(f"run: no trained model {model.name}; run 'make train' (make run does it)", file=sys.stderr)
        return 1
    try:
        services = plan_scaled(settings, model) if scaled else plan(settings, model)
    except StartError as error:
        print(f"run: {error}", file=sys.stderr)
        return 1
    supervisor = Supervisor(services, settings.data_dir / "log")

    def on_signal(signum: int, _frame: object) -> None:
        supervisor.stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    try:
        supervisor.check_ports()
        if scaled or settings.rasa_workers > 1:
            _prepare_stores(settings)
        _prepare_knowledge(scaled_env(settings) if scaled else None)
        for service in services:
            print(f"run: starting {service.name} on port {service.port} ...", flush=True)
            supervisor.start(service)
        if supervisor.stopping:
            supervisor.stop()
            return 0
        print(f"run: ready in {time.monotonic() - started:.0f} s", flush=True)
        if scaled:
            _print_scaled(settings, services)
        else:
            print(f"  Rasa server (REST channel): {settings.rasa_url}/webhooks/rest/webhook")
            if settings.rasa_workers > 1:
                print(
                    f"  Rasa workers:               {settings.rasa_workers}, conversations and locks in "
                    f"{public_url(settings.lock_store_url)} ({settings.lock_store_key_prefix})"
                )
            print(f"  Action server:              http://127.0.0.1:{settings.action_port}")
        if any(s.name == "web-gateway" for s in services):
            print(f"  Web chat:                   http://localhost:{settings.web_port}/")
        print(
            f"  Staff console:              http://localhost:{settings.console_port}/ "
            "(accounts: python -m console add-user NAME --role editor)"
        )
        print(f"  Logs:                       {settings.data_dir / 'log'}/")
        print(
            "  Telegram bridge:            "
            + ("started" if settings.telegram_token else "not started (set TELEGRAM_TOKEN)")
        )
        print(
            "  Zalo bridge:                "
            + ("started" if settings.zalo_bot_token else "not started (set ZALO_BOT_TOKEN)")
        )
        print("Press Ctrl-C to stop.", flush=True)
        code = supervisor.watch()
    except StartError as error:
        print(f"run: {error}", file=sys.stderr)
        code = 1
    except subprocess.CalledProcessError as error:
        print(f"run: {' '.join(map(str, error.cmd))} failed (exit {error.returncode})", file=sys.stderr)
        code = 1
    supervisor.stop()
    print("run: stopped", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
