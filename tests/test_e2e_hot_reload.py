"""Staff edit knowledge/ while the assistant runs: new entries are answered in seconds, broken files are refused."""

from __future__ import annotations

import threading
import time

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


def _ask_until(assistant: Assistant, question: str, expected: str, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        text = "\n".join(assistant.texts(question, sender=f"reload-{time.monotonic()}"))
        if expected in text:
            return time.monotonic() - started
        time.sleep(0.3)
    raise AssertionError(f"{expected!r} not answered within {timeout} s; last reply: {text!r}")


def _status(assistant: Assistant) -> dict:
    return requests.get(f"{assistant.action_url}/knowledge/status", timeout=5).json()


def test_add_break_and_fix_knowledge_while_running(assistant: Assistant) -> None:
    sites = assistant.knowledge_dir / "heritage_sites.yml"
    original = sites.read_text(encoding="utf-8")
    try:
        sites.write_text(original + NEW_SITE, encoding="utf-8")
        _ask_until(assistant, "Chùa Thử Nghiệm Tải Lại ở đâu?", "xã Thử Nghiệm", timeout=10)

        broken = original + NEW_SITE.replace("    province: quang-ngai\n", "")
        sites.write_text(broken, encoding="utf-8")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _status(assistant)["ok"]:
            time.sleep(0.3)
        status = _status(assistant)
        assert not status["ok"]
        assert any("heritage_sites.yml:" in p and "'province' is required" in p for p in status["problems"])
        # the last good knowledge keeps serving
        assert "xã Thử Nghiệm" in "\n".join(
            assistant.texts("Chùa Thử Nghiệm Tải Lại ở đâu?", sender="reload-b")
        )

        fixed = original + NEW_SITE.replace("xã Thử Nghiệm", "phường Đã Sửa")
        sites.write_text(fixed, encoding="utf-8")
        _ask_until(assistant, "Chùa Thử Nghiệm Tải Lại ở đâu?", "phường Đã Sửa", timeout=10)
        assert _status(assistant)["ok"]
    finally:
        sites.write_text(original, encoding="utf-8")


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

    worker = threading.Thread(target=stream)
    worker.start()
    try:
        for n in range(3):
            sites.write_text(original + NEW_SITE.replace("Tải Lại", f"Tải Lại {n}"), encoding="utf-8")
            time.sleep(2.5)
    finally:
        stop.set()
        worker.join(timeout=60)
        sites.write_text(original, encoding="utf-8")
    assert len(answers) >= 3
    assert all("650.000" in a for a in answers), [a for a in answers if "650.000" not in a]
