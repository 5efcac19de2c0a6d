"""The staff console of a running assistant (started by runtime/supervisor.py as `make run` starts it): a
question the assistant cannot answer, asked over REST, shows up under Unanswered; an editor pastes the missing
source document in the console; the same question is then answered from it within 10 seconds."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from tests.conftest import Assistant
from tests.console.conftest import log_in

pytestmark = pytest.mark.browser

# A made-up event (tests only, in the running assistant's own copy of the knowledge): nothing in the knowledge
# holds it, so the first answer must be "I don't have that".
QUESTION = "Lễ hội thả diều Bàu Trai 2026 tổ chức ở đâu?"
FACT = "Lễ hội thả diều Bàu Trai 2026 được tổ chức tại bãi cát Bàu Trai, xã Tam Thanh."
PASSWORD = "bien-tap-vien-e2e-1"


def _replies(assistant: Assistant, sender: str) -> str:
    return "\n".join(assistant.texts(QUESTION, sender=sender))


def test_an_unanswered_question_is_answered_after_an_editor_adds_its_source(
    assistant: Assistant, open_page
) -> None:
    assert assistant.console_url, "make run starts the console"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{assistant.data_dir / 'knowledge.db'}"}
    subprocess.run(
        [sys.executable, "-m", "console", "add-user", "lan", "--role", "editor", "--password-stdin"],
        input=PASSWORD,
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    before = _replies(assistant, "console-e2e-1")
    assert "bãi cát Bàu Trai" not in before

    watched = open_page()
    page = watched.page
    log_in(page, assistant.console_url, "lan", PASSWORD)
    page.goto(f"{assistant.console_url}/unanswered")
    group = page.locator(".group").filter(has_text=QUESTION)
    expect(group).to_be_visible()
    group.get_by_role("link", name="Thêm tài liệu nguồn").click()
    page.get_by_role("textbox", name="Tiêu đề", exact=True).fill("Lễ hội thả diều Bàu Trai 2026 (bài thử)")
    page.get_by_label("Địa chỉ nguồn").fill("https://example.org/le-hoi-dieu")
    page.get_by_label("Ngày nguồn ghi").fill("2026-03")
    page.get_by_label("quang-nam").check()
    page.get_by_label("Giấy phép").fill("Trích dẫn có ghi nguồn")
    page.get_by_label("Nguyên văn").fill(FACT + "\nLễ hội kéo dài hai ngày.")
    page.get_by_role("button", name="Kiểm tra và lưu tài liệu").click()
    expect(page.get_by_role("status")).to_contain_text(".md")
    saved = time.monotonic()

    answer = ""
    while time.monotonic() - saved < 10:
        answer = _replies(assistant, f"console-e2e-{time.monotonic_ns()}")
        if FACT in answer:
            break
        time.sleep(0.5)
    written = [
        p for p in (assistant.knowledge_dir / "documents").glob("*.md") if FACT in p.read_text("utf-8")
    ]
    for path in written:  # the session's assistant serves later tests: leave its knowledge as it was
        path.unlink()
    assert FACT in answer, answer
    assert "Lễ hội thả diều Bàu Trai 2026 (bài thử)" in answer  # the source named with the quote
    assert len(written) == 1
    watched.assert_clean()
