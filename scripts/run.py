"""Start the whole assistant and stop it as one: action server, Rasa server, web gateway, Telegram bridge.

Used by `make run` and by the end-to-end tests, so tests start the assistant exactly as a person does.
Each child's output goes to var/log/<name>.log; Ctrl-C or SIGTERM stops every child.
"""

from __future__ import annotations

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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.settings import Settings  # noqa: E402
from scripts.train import model_path  # noqa: E402

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


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local URL)
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def plan(settings: Settings, model: Path) -> list[Service]:
    """The services to start, in order, for these settings."""
    if not _is_loopback(settings.rasa_host) and not settings.rasa_token:
        raise StartError(
            f"RASA_HOST={settings.rasa_host} would expose Rasa's HTTP API: set RASA_TOKEN, or keep RASA_HOST=127.0.0.1"
        )
    rasa = [
        str(BIN / "rasa"),
        "run",
        "--model",
        str(model),
        "--enable-api",
        "--interface",
        settings.rasa_host,
        "--port",
        str(settings.rasa_port),
        "--credentials",
        str(ROOT / "credentials.yml"),
        "--endpoints",
        str(ROOT / "endpoints.yml"),
    ]
    if settings.rasa_token:
        rasa += ["--auth-token", settings.rasa_token]
    token_query = f"?token={settings.rasa_token}" if settings.rasa_token else ""
    services = [
        Service(
            "action-server",
            [str(BIN / "python"), "-m", "actions.server"],
            settings.action_port,
            f"http://127.0.0.1:{settings.action_port}/health",
        ),
        Service(
            "rasa",
            rasa,
            settings.rasa_port,
            f"http://127.0.0.1:{settings.rasa_port}/status{token_query}",
            env={"ACTION_SERVER_URL": settings.action_server_url},
        ),
    ]
    if (ROOT / "bot" / "web" / "__main__.py").exists():
        services.append(
            Service(
                "web-gateway",
                [str(BIN / "python"), "-m", "bot.web"],
                settings.web_port,
                f"http://127.0.0.1:{settings.web_port}/health",
            )
        )
    if settings.telegram_token:
        # The bridge answers /health on TELEGRAM_PORT in both modes, once Telegram accepted its token.
        host = "127.0.0.1" if settings.telegram_host in ("0.0.0.0", "::") else settings.telegram_host  # noqa: S104
        services.append(
            Service(
                "telegram",
                [str(BIN / "python"), "-m", "bot.telegram"],
                settings.telegram_port,
                f"http://{host}:{settings.telegram_port}/health",
            )
        )
    return services


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
                    f"{service.name} did not answer {service.health_url} within {START_TIMEOUT:.0f} s"
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

    def watch(self) -> int:
        while not self.stopping:
            for service in self.services:
                if service.process and service.process.poll() is not None:
                    print(
                        f"run: {service.name} stopped (exit {service.process.returncode}); stopping the rest"
                    )
                    return 1
            time.sleep(0.5)
        return 0


def _prepare_knowledge() -> None:
    if (ROOT / "actions" / "kb" / "__main__.py").exists():
        subprocess.run([str(BIN / "python"), "-m", "actions.kb", "load"], cwd=ROOT, check=True)


def main() -> int:
    settings = Settings.from_env()
    model = model_path()
    if not model.exists():
        print(f"run: no trained model {model.name}; run 'make train' (make run does it)", file=sys.stderr)
        return 1
    try:
        services = plan(settings, model)
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
        _prepare_knowledge()
        for service in services:
            print(f"run: starting {service.name} on port {service.port} ...", flush=True)
            supervisor.start(service)
        if supervisor.stopping:
            supervisor.stop()
            return 0
        print(f"run: ready in {time.monotonic() - started:.0f} s", flush=True)
        print(f"  Rasa server (REST channel): {settings.rasa_url}/webhooks/rest/webhook")
        print(f"  Action server:              http://127.0.0.1:{settings.action_port}")
        if any(s.name == "web-gateway" for s in services):
            print(f"  Web chat:                   http://localhost:{settings.web_port}/")
        print(f"  Logs:                       {settings.data_dir / 'log'}/")
        print(
            "  Telegram bridge: "
            + ("started" if settings.telegram_token else "not started (set TELEGRAM_TOKEN)")
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
