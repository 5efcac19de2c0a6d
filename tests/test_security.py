"""Security without a running assistant: Rasa's HTTP API is bound to 127.0.0.1 unless a token protects it,
secrets come only from the environment and never reach the gateway's or the supervisor's output, and every
dependency is pinned. (With the real assistant: tests/test_e2e_bad_input.py.)"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from assistant.settings import Settings
from runtime import supervisor as run
from tests.conftest import ROOT, free_port
from tests.telegram.stub_rasa import StubRasa

RASA_TOKEN = "recognisable-rasa-token-1b7e9f04c2"
WEB_SECRET = "recognisable-web-secret-5a0d3c8e6f2b41d79e"
TELEGRAM_TOKEN = "987654321:AAHrecognisableTelegramTokenForTests"
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 (the exposure under test)
PIN = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.+!_-]+)")


def settings(**changes: object) -> Settings:
    return dataclasses.replace(Settings.from_env(), **changes)


def rasa_argv(services: list[run.Service]) -> list[list[str]]:
    argvs = [s.argv for s in services if "--enable-api" in s.argv]
    assert argvs, "no Rasa server in the plan"
    return argvs


# ---- Rasa's HTTP API ----


def test_rasa_listens_on_127_0_0_1_by_default() -> None:
    for argv in rasa_argv(run.plan(settings(rasa_host="127.0.0.1", rasa_token=""), Path("model.tar.gz"))):
        assert argv[argv.index("--interface") + 1] == "127.0.0.1"
        assert "--auth-token" not in argv
        assert "--cors" not in argv


@pytest.mark.parametrize("host", [ALL_INTERFACES, "::", "192.168.1.20", "assistant.example.org"])
def test_rasa_is_never_exposed_without_a_token(host: str) -> None:
    for plan in (run.plan, getattr(run, "plan_scaled", run.plan)):
        with pytest.raises(run.StartError, match="RASA_TOKEN"):
            plan(settings(rasa_host=host, rasa_token=""), Path("model.tar.gz"))


def test_an_exposed_rasa_needs_the_token() -> None:
    services = run.plan(settings(rasa_host=ALL_INTERFACES, rasa_token=RASA_TOKEN), Path("model.tar.gz"))
    for argv in rasa_argv(services):
        assert argv[argv.index("--interface") + 1] == ALL_INTERFACES
        assert argv[argv.index("--auth-token") + 1] == RASA_TOKEN


def test_the_supervisor_never_prints_the_token(tmp_path: Path) -> None:
    """A Rasa server that does not come up: the message names its health URL without the token."""
    port = free_port()
    service = run.Service(
        "rasa",
        [sys.executable, "-c", "import time; time.sleep(30)"],
        port,
        f"http://127.0.0.1:{port}/status?token={RASA_TOKEN}",
    )
    supervisor = run.Supervisor([service], tmp_path / "log")
    timeout = run.START_TIMEOUT
    run.START_TIMEOUT = 1.0
    try:
        with pytest.raises(run.StartError) as error:
            supervisor.start(service)
    finally:
        run.START_TIMEOUT = timeout
        supervisor.stop()
    assert f"http://127.0.0.1:{port}/status" in str(error.value)
    assert RASA_TOKEN not in str(error.value)


# ---- secrets ----

SECRETS = (
    "RASA_TOKEN",
    "WEB_SECRET",
    "TELEGRAM_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "ZALO_BOT_TOKEN",
    "ZALO_WEBHOOK_SECRET",
)


def test_secrets_come_only_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    empty = Settings.from_env()
    assert (empty.rasa_token, empty.web_secret, empty.telegram_token, empty.telegram_webhook_secret) == (
        "",
    ) * 4
    assert (empty.zalo_bot_token, empty.zalo_webhook_secret) == ("", "")
    monkeypatch.setenv("RASA_TOKEN", RASA_TOKEN)
    monkeypatch.setenv("WEB_SECRET", WEB_SECRET)
    monkeypatch.setenv("TELEGRAM_TOKEN", TELEGRAM_TOKEN)
    given = Settings.from_env()
    assert (given.rasa_token, given.web_secret, given.telegram_token) == (
        RASA_TOKEN,
        WEB_SECRET,
        TELEGRAM_TOKEN,
    )
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in SECRETS:
        assert re.search(rf"^{name}=$", example, re.MULTILINE), f".env.example must document {name} empty"


def test_no_secret_is_written_in_the_sources() -> None:
    telegram_token = re.compile(r"\b\d{8,10}:[A-Za-z0-9_-]{35}\b")
    assignment = re.compile(r"""(?i)\b(token|secret|password)\s*[=:]\s*["'][A-Za-z0-9_\-:.]{16,}["']""")
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    offenders = []
    for name in tracked:
        path = ROOT / name
        if name.startswith("tests/") or path.suffix not in {
            ".py",
            ".yml",
            ".yaml",
            ".js",
            ".md",
            ".cfg",
            ".toml",
        }:
            continue
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if telegram_token.search(text) or assignment.search(text):
            offenders.append(name)
    assert offenders == []


def test_the_gateway_never_logs_its_secrets(tmp_path: Path) -> None:
    """`python -m bot.web` at DEBUG with recognisable secrets, talking to a stand-in assistant, then to none."""
    port = free_port()
    log = tmp_path / "gateway.log"
    with StubRasa({"xin chào": [{"text": "Chào bạn"}]}) as stub:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATA_DIR": str(tmp_path),
            "WEB_PORT": str(port),
            "WEB_HOST": "127.0.0.1",
            "WEB_SECRET": WEB_SECRET,
            "RASA_TOKEN": RASA_TOKEN,
            "RASA_URL": stub.url,
            "RASA_TIMEOUT": "2",
            "LOG_LEVEL": "DEBUG",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.web"],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if requests.get(f"{base}/health", timeout=1).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            token = requests.post(f"{base}/api/session", timeout=5).json()["session"]
            auth = {"Authorization": f"Bearer {token}"}
            reply = requests.post(f"{base}/api/message", json={"text": "xin chào"}, headers=auth, timeout=10)
            assert reply.json() == {"replies": [{"text": "Chào bạn"}]}
            forged = {"Authorization": f"Bearer {token[:-2]}xx"}
            assert (
                requests.post(
                    f"{base}/api/message", json={"text": "x"}, headers=forged, timeout=5
                ).status_code
                == 401
            )
            stub.stop()  # the assistant goes away: the gateway says it is busy, and logs why
            busy = requests.post(
                f"{base}/api/message", json={"text": "còn đó không"}, headers=auth, timeout=20
            )
            assert busy.status_code == 503
        finally:
            process.terminate()
            process.wait(timeout=20)
    output = log.read_text(errors="replace")
    assert "the assistant did not answer" in output  # the log is written...
    assert WEB_SECRET not in output and RASA_TOKEN not in output  # ...without the secrets
    assert token not in output


# ---- dependencies ----


def _lock() -> dict[str, str]:
    pins: dict[str, str] = {}
    for number, line in enumerate((ROOT / "requirements.lock").read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.fullmatch(line)
        assert match, f"requirements.lock:{number}: {line!r} is not name==version"
        name = canonicalize_name(match["name"])
        assert name not in pins, f"requirements.lock:{number}: {match['name']} is pinned twice"
        pins[name] = match["version"]
    return pins


def test_every_dependency_is_pinned_and_installed() -> None:
    pins = _lock()
    assert len(pins) > 50
    for line in (ROOT / "requirements.in").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        wanted = Requirement(line)
        name = canonicalize_name(wanted.name)
        assert name in pins, f"{wanted.name} (requirements.in) is not pinned in requirements.lock"
        assert pins[name] in wanted.specifier, f"{wanted.name}=={pins[name]} does not satisfy {wanted}"
    for name, version in pins.items():
        assert importlib.metadata.version(name) == version, f"the venv has another {name} than the lock"
