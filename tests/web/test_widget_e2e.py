"""The widget in Chromium on the demo page of the real assistant (started as `make run` starts it)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from bot.messages import message
from tests.conftest import Assistant
from tests.web.conftest import PHONE, OpenPage
from tests.web.support import OPEN_EN, OPEN_VI, PAYLOADS, SHADOW_AUDIT, ask, open_widget

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

TOPICS_VI = ["Di sản, di tích", "Thống kê du lịch", "Dịch vụ công trực tuyến", "Chuyển đổi số"]
HELP_VI = "Tôi trả lời từ cơ sở tri thức"


def texts(page: Page, selector: str) -> list[str]:
    return page.locator(selector).all_text_contents()


def wait_idle(page: Page) -> None:
    expect(page.locator(".typing")).to_be_hidden()


def quick_replies(page: Page) -> list[str]:
    return texts(page, ".quick-replies .quick-reply")


def test_vietnamese_conversation_quick_reply_and_reload(
    open_page: OpenPage, assistant: Assistant, output_dir: Path
) -> None:
    watched = open_page()
    page = watched.page
    page.goto(assistant.web_url)
    expect(page.get_by_role("button", name=OPEN_VI)).to_be_visible()
    open_widget(page)
    expect(page.locator(".msg-bot").first).to_contain_text("Xin chào!")
    assert quick_replies(page) == TOPICS_VI

    ask(page, "bạn làm được gì")
    expect(page.locator(".msg-bot").last).to_contain_text(HELP_VI)
    assert texts(page, ".msg-user") == ["Bạn: bạn làm được gì"]
    assert quick_replies(page) == TOPICS_VI  # only the latest answer's buttons
    expect(page.locator(".quick-replies")).to_have_count(1)
    page.screenshot(path=output_dir / "widget-desktop.png")

    page.get_by_role("button", name="Di sản, di tích").click()
    expect(page.locator(".msg-bot").last).to_contain_text("Bạn hỏi về một di sản")
    assert texts(page, ".msg-user")[-1] == "Bạn: Di sản, di tích"
    expect(page.locator(".quick-replies")).to_have_count(0)
    before = texts(page, ".msg")

    page.reload()
    expect(page.locator(".panel")).to_be_visible()  # it was open: it opens again, with the history
    expect(page.locator(".msg")).to_have_count(len(before))
    assert texts(page, ".msg") == before
    ask(page, "cảm ơn bạn")  # the conversation goes on in the same session
    expect(page.locator(".msg-bot").last).to_contain_text("Không có gì ạ!")
    watched.assert_clean()


def test_usable_at_360_pixels(open_page: OpenPage, assistant: Assistant, output_dir: Path) -> None:
    watched = open_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = watched.page
    page.goto(assistant.web_url)
    page.get_by_role("button", name=OPEN_VI).tap()
    expect(page.locator(".msg-bot").first).to_contain_text("Xin chào!")
    ask(page, "bạn làm được gì")
    expect(page.locator(".msg-bot").last).to_contain_text(HELP_VI)
    panel = page.locator(".panel").bounding_box()
    assert panel is not None
    assert (panel["x"], panel["y"], panel["width"], panel["height"]) == (
        0,
        0,
        PHONE["width"],
        PHONE["height"],
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for button in page.locator(".quick-reply").all():
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= 40  # big enough for a finger
    send = page.get_by_role("button", name="Gửi").bounding_box()
    assert send is not None and send["x"] + send["width"] <= PHONE["width"]
    page.screenshot(path=output_dir / "widget-360.png")
    page.get_by_role("button", name="Chuyển đổi số").tap()
    expect(page.locator(".msg-bot").last).to_contain_text("chuyển đổi số")
    watched.assert_clean()


def shadow_focus(page: Page) -> str:
    return page.evaluate(
        """() => {
          const active = document.activeElement;
          if (!active || active.id !== 'mien-trung-chat') return active ? active.tagName : '';
          const inner = active.shadowRoot.activeElement;
          return inner ? (inner.getAttribute('aria-label') || inner.id || inner.textContent) : '';
        }"""
    )


def test_keyboard_only_and_aria(open_page: OpenPage, assistant: Assistant) -> None:
    watched = open_page()
    page = watched.page
    page.goto(assistant.web_url)
    for _ in range(10):
        page.keyboard.press("Tab")
        if shadow_focus(page) == OPEN_VI:
            break
    assert shadow_focus(page) == OPEN_VI
    bubble = page.locator(".bubble")
    expect(bubble).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Trợ lý du lịch & dịch vụ công")
    expect(dialog).to_be_visible()
    expect(bubble).to_have_attribute("aria-expanded", "true")
    assert shadow_focus(page) == "mtc-input"
    log = page.get_by_role("log", name="Nội dung trò chuyện")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("group", name="Gợi ý trả lời")).to_be_visible()

    page.keyboard.type("bạn làm được gì")
    page.keyboard.press("Enter")
    expect(page.locator(".msg-bot").last).to_contain_text(HELP_VI)
    wait_idle(page)
    assert shadow_focus(page) == "mtc-input"
    page.keyboard.press("Shift+Tab")  # back from the input to the last quick reply
    assert shadow_focus(page) == "Chuyển đổi số"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert shadow_focus(page) == "Di sản, di tích"
    page.keyboard.press("Enter")
    expect(page.locator(".msg-bot").last).to_contain_text("Bạn hỏi về một di sản")
    wait_idle(page)
    assert shadow_focus(page) == "mtc-input"  # focus is not lost when the buttons go

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert shadow_focus(page) == OPEN_VI
    expect(bubble).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Space")
    expect(dialog).to_be_visible()
    for name in ("Đóng khung trò chuyện", "Bắt đầu cuộc trò chuyện mới", "Gửi"):
        expect(dialog.get_by_role("button", name=name)).to_be_visible()
    expect(dialog.get_by_label("Câu hỏi của bạn")).to_be_visible()
    watched.assert_clean()


def test_english_interface(open_page: OpenPage, assistant: Assistant) -> None:
    watched = open_page()
    page = watched.page
    page.goto(f"{assistant.web_url}/en")
    open_widget(page, OPEN_EN)
    expect(page.locator(".msg-bot").first).to_contain_text("Hello!")
    assert quick_replies(page)[0] == "Heritage sites"
    ask(page, "what can you do", label="Your question")
    expect(page.locator(".msg-bot").last).to_contain_text("I can answer")
    dialog = page.get_by_role("dialog", name="Tourism & public-service assistant")
    expect(dialog.get_by_role("button", name="Close the chat")).to_be_visible()
    expect(page.locator(".bubble")).to_have_attribute("aria-label", "Close the chat")
    watched.assert_clean()


def test_xss_typed_by_the_user_runs_nothing(open_page: OpenPage, assistant: Assistant) -> None:
    watched = open_page()
    page = watched.page
    page.goto(assistant.web_url)
    open_widget(page)
    expect(page.locator(".msg-bot").first).to_contain_text("Xin chào!")
    for count, payload in enumerate(PAYLOADS, start=1):
        ask(page, payload)
        expect(page.locator(".msg-user")).to_have_count(count)
        wait_idle(page)
        page.wait_for_timeout(1000)  # the gateway allows one message a second after a burst of five
    assert texts(page, ".msg-user") == [f"Bạn: {payload}" for payload in PAYLOADS]
    assert page.locator(".msg-notice").count() == 0
    audit = page.evaluate(SHADOW_AUDIT)
    assert audit["banned"] == [] and audit["handlers"] == [] and audit["xss"] is None
    assert audit["images"] == [] and audit["stray_svgs"] == 0
    page.reload()
    expect(page.locator(".msg-user")).to_have_count(len(PAYLOADS))
    assert page.evaluate(SHADOW_AUDIT)["xss"] is None
    watched.assert_clean()


def test_api_of_the_running_gateway(assistant: Assistant) -> None:
    base = assistant.web_url
    page = requests.get(base, timeout=5)
    assert page.status_code == 200 and "unsafe-inline" not in page.headers["Content-Security-Policy"]
    token = requests.post(f"{base}/api/session", timeout=5).json()["session"]
    auth = {"Authorization": f"Bearer {token}"}
    replies = requests.post(f"{base}/api/message", json={"text": "bạn làm được gì"}, headers=auth, timeout=30)
    assert replies.status_code == 200
    first = replies.json()["replies"][0]
    assert first["text"].startswith(HELP_VI)
    assert [b["title"] for b in first["buttons"]] == TOPICS_VI

    session_id, issued, signature = token.split(".")
    forged = {"Authorization": f"Bearer {session_id[::-1]}.{issued}.{signature}"}
    refused = requests.post(f"{base}/api/message", json={"text": "xin chào"}, headers=forged, timeout=5)
    assert refused.status_code == 401 and "replies" not in refused.json()

    too_long = requests.post(f"{base}/api/message", json={"text": "á" * 1001}, headers=auth, timeout=5)
    assert too_long.status_code == 413
    assert too_long.json()["message"] == message("too_long", "vi", limit=1000)

    foreign = requests.post(
        f"{base}/api/message",
        json={"text": "xin chào"},
        headers={**auth, "Origin": "https://evil.example"},
        timeout=5,
    )
    assert foreign.status_code == 403 and "Access-Control-Allow-Origin" not in foreign.headers
