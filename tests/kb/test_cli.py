"""python -m assistant.kb {check,load,stats}, and no work at import time."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from assistant.kb.__main__ import main
from assistant.kb.load import loaded_meta
from assistant.kb.models import make_engine
from assistant.settings import PROJECT_ROOT, get_settings
from tests.kb.conftest import knowledge_copy


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_check_ok(knowledge_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--dir", str(knowledge_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 24 ")


def test_check_reports_problems_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--dir", str(knowledge_copy(tmp_path, "province_unknown"))]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("knowledge/heritage_sites.yml:5: unknown province 'hue'")
    assert lines[-1] == "1 lỗi (problems)"


def test_knowledge_dir_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(knowledge_copy(tmp_path, "bad_id")))
    assert main(["check"]) == 1
    assert "knowledge/heritage_sites.yml:3:" in capsys.readouterr().out


def test_load_refuses_invalid_knowledge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "db" / "knowledge.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(knowledge_copy(tmp_path, "duplicate_id")))
    assert main(["load"]) == 1
    assert "not loaded" in capsys.readouterr().err
    assert not database.exists()


def test_load_then_load_again(
    knowledge_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'db' / 'knowledge.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(knowledge_dir))
    assert main(["load"]) == 0
    assert "loaded 24 entries" in capsys.readouterr().out
    assert main(["load"]) == 0
    assert "unchanged" in capsys.readouterr().out
    engine = make_engine(url)
    with Session(engine, future=True) as session:
        meta = loaded_meta(session)
    engine.dispose()
    assert meta is not None and meta.entry_count == 24


def test_stats_table(knowledge_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--dir", str(knowledge_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = [
        "chủ",
        "đề",
        "(topic)",
        "thua-thien-hue",
        "quang-ngai",
        "quang-nam",
        "national",
        "tổng",
        "(total)",
    ]
    assert lines[0].split() == header
    assert lines[2].split() == ["heritage_sites", "3", "1", "2", "0", "6"]
    assert lines[-1].split() == ["tổng", "(total)", "8", "7", "4", "5", "24"]


def test_missing_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--dir", str(tmp_path / "nowhere")]) == 2
    assert "knowledge folder not found" in capsys.readouterr().err


def _run(code_or_args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *code_or_args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_python_dash_m(tmp_path: Path) -> None:
    folder = knowledge_copy(tmp_path, "bad_date")
    result = _run(["-m", "assistant.kb", "check"], {"KNOWLEDGE_DIR": str(folder)})
    assert result.returncode == 1
    assert "knowledge/heritage_sites.yml:10: field 'as_of' is not a real date" in result.stdout
    result = _run(["-m", "assistant.kb", "--help"], {})
    assert result.returncode == 0 and "check" in result.stdout and "stats" in result.stdout


def test_importing_does_no_work(tmp_path: Path) -> None:
    """The action server imports every module: no settings read, no database, no output."""
    code = (
        "import importlib, pkgutil, assistant.kb as kb\n"
        "from assistant.settings import get_settings\n"
        "for m in pkgutil.iter_modules(kb.__path__):\n"
        "    importlib.import_module('assistant.kb.' + m.name)\n"
        "print(get_settings.cache_info().currsize)\n"
    )
    data_dir = tmp_path / "data"
    result = _run(["-c", code], {"DATA_DIR": str(data_dir), "DATABASE_URL": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "0\n"
    assert not data_dir.exists()
