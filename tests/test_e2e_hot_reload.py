"""Staff edit knowledge/ while the assistant runs: new entries are answered in seconds, broken files are refused."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
import requests

from tests.conftest import Assistant

pytestmark = pytest.mark.e2e

NEW_SITE = """
  - id: test-reload-pagoda
    name: {vi: "Chùa Thử Nghiệm Tải Lại", en: "Reload Test Pagoda"}
    province: quang-ngai
    category: pagoda
    location: {vi: "xã Thử Nghiệm, Quảng Ngãi", en: "Thử Nghiệm commune, Quảng Ngãi"}
    description: {vi: "Ngôi chùa ở xã Thử Nghiệm, dùng để kiểm thử.", en: "A pagoda used for tests."}
    source: {title: "Test fixture", url: "https://example.org/reload"}
    as_of: 2026-11-01
"""


# Only bounds a hang: the tests wait on the watcher's own signal (the status it reports), never on a guess of how
# long a reload takes, which depends on how busy the machine is.
RELOAD_DEADLINE = 120.0


def _status(assistant: Assistant) -> dict:
    return requests.get(f"{assistant.action_url}/knowledge/status", timeout=5).json()


def _wait_for(assistant: Assistant, done: Callable[[dict], bool], what: str) -> dict:
    """The knowledge status once `done` holds for it (the watcher has reloaded or refused the change)."""
    deadline = time.monotonic() + RELOAD_DEADLINE
    status = _status(assistant)
    while not done(status):
        if time.monotonic() > deadline:
            raise AssertionError(f"the watcher never {what}; last status: {status!r}")
        time.sleep(0.2)
        status = _status(assistant)
    return status


def _where(assistant: Assistant, sender: str) -> str:
    return "\n".join(assistant.texts("Chùa Thử Nghiệm Tải Lại ở đâu?", sender=sender))


def test_add_break_and_fix_knowledge_while_running(assistant: Assistant) -> None:
    sites = assistant.knowledge_dir / "heritage_sites.yml"
    original = sites.read_text(encoding="utf-8")
    before = _status(assistant)["content_hash"]
    try:
        sites.write_text(original + NEW_SITE, encoding="utf-8")
        added = _wait_for(assistant, lambda s: s["content_hash"] != before, "loaded the new entry")
        assert added["ok"]
        assert "xã Thử Nghiệm" in _where(assistant, "reload-a")

        broken = original + NEW_SITE.replace("    province: quang-ngai\n", "")
        sites.write_text(broken, encoding="utf-8")
        status = _wait_for(assistant, lambda s: not s["ok"], "refused the broken file")
        assert any("heritage_sites.yml:" in p and "'province' is required" in p for p in status["problems"])
        assert status["content_hash"] == added["content_hash"]
        # the last good knowledge keeps serving
        assert "xã Thử Nghiệm" in _where(assistant, "reload-b")

        fixed = original + NEW_SITE.replace("xã Thử Nghiệm", "phường Đã Sửa")
        sites.write_text(fixed, encoding="utf-8")
        _wait_for(
            assistant,
            lambda s: s["ok"] and s["content_hash"] != added["content_hash"],
            "loaded the fixed file",
        )
        assert "phường Đã Sửa" in _where(assistant, "reload-c")
    finally:
        sites.write_text(original, encoding="utf-8")
        _wait_for(assistant, lambda s: s["ok"] and s["content_hash"] == before, "restored the knowledge")


def test_reload_during_a_stream_of_questions_loses_none(assistant: Assistant) -> None:
    sites = assistant.knowledge_dir / "heritage_sites.yml"
    original = sites.read_text(encoding="utf-8")
    answers: list[str] = []
    stop = threading.Event()

    def stream() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            answers.append(
                "\n".join(assistant.texts("Quảng Ngãi đón bao nhiêu khách năm 2022?", sender=f"s{i}"))
            )

    before = _status(assistant)["content_hash"]
    worker = threading.Thread(target=stream)
    worker.start()
    try:
        seen = before
        for n in range(3):
            sites.write_text(original + NEW_SITE.replace("Tải Lại", f"Tải Lại {n}"), encoding="utf-8")
            seen = _wait_for(assistant, lambda s, old=seen: s["content_hash"] != old, f"loaded change {n}")[
                "content_hash"
            ]
    finally:
        stop.set()
        worker.join(timeout=60)
        sites.write_text(original, encoding="utf-8")
        _wait_for(assistant, lambda s: s["content_hash"] == before, "restored the knowledge")
    assert len(answers) >= 3
    assert all("650.000" in a for a in answers), [a for a in answers if "650.000" not in a]
