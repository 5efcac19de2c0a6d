"""POST /knowledge/reload on the real action server (python -m actions.server), and `python -m assistant.kb reload`."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from actions.server import is_local_request
from assistant.kb.__main__ import main
from assistant.kb.validate import validate_dir
from assistant.settings import PROJECT_ROOT, get_settings
from tests.action_server import ActionServer, action_server
from tests.kb.conftest import knowledge_copy


@pytest.mark.parametrize(
    ("ip", "headers", "local"),
    [
        ("127.0.0.1", {}, True),
        ("::1", {}, True),
        ("::ffff:127.0.0.1", {}, True),
        ("10.0.0.5", {}, False),
        ("192.168.1.20", {}, False),
        ("2001:db8::1", {}, False),
        ("", {}, False),
        ("127.0.0.1", {"x-forwarded-for": "203.0.113.9"}, False),
        ("127.0.0.1", {"forwarded": "for=203.0.113.9"}, False),
        ("127.0.0.1", {"x-real-ip": "203.0.113.9"}, False),
    ],
)
def test_is_local_request(ip: str, headers: dict[str, str], local: bool) -> None:
    assert is_local_request(SimpleNamespace(ip=ip, headers=headers)) is local  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    """The action server on a free port, over the valid fixture (with knowledge/wording) and its own SQLite."""
    root = tmp_path_factory.mktemp("server")
    knowledge = knowledge_copy(root)
    shutil.copytree(PROJECT_ROOT / "knowledge" / "wording", knowledge / "wording")
    with action_server(root, knowledge) as running:
        yield running


@pytest.fixture
def cli_env(server: ActionServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("ACTION_PORT", str(server.port))
    monkeypatch.setenv("KNOWLEDGE_DIR", str(server.knowledge_dir))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")  # must stay unused
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_reload_through_the_server(
    server: ActionServer, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = server.status()
    assert first["ok"] and first["entries"] > 0

    # nothing changed
    assert main(["reload"]) == 0
    assert "không đổi (unchanged)" in capsys.readouterr().out

    # a valid change (the file written again: same entries on other lines) is swapped in
    path = server.knowledge_dir / "heritage_sites.yml"
    original = path.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    assert validate_dir(server.knowledge_dir)[1] == []
    assert main(["reload"]) == 0
    assert "đã nạp mới (reloaded)" in capsys.readouterr().out
    second = server.status()
    assert second["ok"] and second["content_hash"] != first["content_hash"]
    assert second["entries"] == first["entries"]

    # an invalid change is refused, reported, and the previous knowledge keeps serving
    path.write_text("entries:\n  - id: Not A Valid Id\n", encoding="utf-8")
    assert main(["reload"]) == 1
    out = capsys.readouterr().out
    assert "heritage_sites.yml" in out and "the server keeps the previous knowledge" in out
    refused = server.status()
    assert not refused["ok"] and refused["problems"]
    assert refused["content_hash"] == second["content_hash"]

    # put back: valid again
    path.write_text(original, encoding="utf-8")
    assert main(["reload"]) == 0
    assert server.status()["content_hash"] == first["content_hash"]
    assert not (tmp_path / "cli.db").exists()  # the CLI did not load anything itself


def test_reload_route_refuses_proxied_requests(server: ActionServer) -> None:
    request = urllib.request.Request(
        server.url("/knowledge/reload"), data=b"", method="POST", headers={"X-Forwarded-For": "203.0.113.9"}
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert error.value.code == 403


def test_reload_route_answers_with_the_status(server: ActionServer) -> None:
    request = urllib.request.Request(server.url("/knowledge/reload"), data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=120) as reply:
        body = json.loads(reply.read())
    assert reply.status == 200
    assert body["ok"] is True and body["changed"] is False
    assert set(body) >= {"entries", "content_hash", "loaded_at", "last_checked", "problems"}
