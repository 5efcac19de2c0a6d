"""The widget in Chromium against a gateway with a fake assistant: XSS in the bot's replies, embedding on other
sites, refusals. (test_widget_e2e.py drives the real assistant.)"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Route, expect

from bot.messages import message
from tests.conftest import free_port
from tests.web.conftest import PHONE, OpenPage
from tests.web.support import (
    OPEN_EN,
    PAYLOADS,
    SHADOW_AUDIT,
    FakeAssistant,
    ask,
    gateway,
    host_site,
    open_widget,
    web_settings,
)

pytestmark = pytest.mark.browser

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
EVIL_CARD = {
    "type": "card",
    "title": "<img src=x onerror=alert(1)>",
    "text": "<script>alert(1)</script>",
    "url": "javascript:alert(1)",
    "image": "javascript:alert(1)",
}
GOOD_CARD = {
    "type": "card",
    "title": "Thẻ mẫu",
    "text": "Thẻ dùng để kiểm thử giao diện.",
    "url": "https://maps.test/the-mau",
    "image": "https://images.test/the-mau.png",
}


def greeting(language: str) -> list[dict[str, Any]]:
    title = "Chủ đề thử" if language == "vi" else "Test topic"
    return [{"text": f"greeting-{language}", "buttons": [{"title": title, "payload": "/choose_topic"}]}]


def bot_side_payloads() -> list[dict[str, Any]]:
    return [
        *({"text": payload} for payload in PAYLOADS),
        {"text": 'Xem http://example.test/"><img src=x onerror=alert(1)> hoặc javascript:alert(1)'},
        {
            "text": "chọn",
            "buttons": [{"title": "<img src=x onerror=alert(1)>", "payload": "<script>alert(1)</script>"}],
        },
        {"image": "javascript:alert(1)"},
        {"image": "https://images.test/anh.png"},
        {"custom": EVIL_CARD},
        {"custom": GOOD_CARD},
        {
            "custom": {
                "type": "venue",
                "title": "<b>venue</b>",
                "address": "<i>addr</i>",
                "map_url": " JaVaScRiPt:alert(1)",
            }
        },
        {
            "custom": {
                "type": "document",
                "url": "data:text/html,<script>alert(1)</script>",
                "filename": "<b>x</b>.ics",
            }
        },
        {"custom": {"type": "<script>", "text": "<script>alert(1)</script>"}},
    ]


def answer(text: str) -> list[dict[str, Any]]:
    if text.startswith("/greet"):
        return greeting("en" if '"en"' in text else "vi")
    if text == "xss":
        return bot_side_payloads()
    return [{"text": f"echo: {text}"}]


@pytest.fixture
def fake() -> FakeAssistant:
    return FakeAssistant(answer)


@pytest.fixture
def url(tmp_path: Path, fake: FakeAssistant) -> Iterator[str]:
    with gateway(web_settings(tmp_path, web_rate_burst=50), fake) as base:
        yield base


def fulfil_image(route: Route) -> None:
    route.fulfill(status=200, content_type="image/png", body=PNG)


def test_whatever_the_bot_says_is_shown_as_text(open_page: OpenPage, url: str, fake: FakeAssistant) -> None:
    watched = open_page()
    page = watched.page
    page.route("https://images.test/**", fulfil_image)
    page.goto(url)
    open_widget(page)
    expect(page.locator(".msg-bot").first).to_have_text("Trợ lý: greeting-vi")
    ask(page, "xss")
    expect(page.locator(".card")).to_have_count(3)
    audit = page.evaluate(SHADOW_AUDIT)
    for payload in PAYLOADS:
        assert payload in audit["text"]
    assert "<b>venue</b>" in audit["text"] and "<i>addr</i>" in audit["text"]
    assert "javascript:alert(1)" in page.locator(".card").first.inner_text()  # the unsafe map link, as text
    assert audit["buttons"] == ["<img src=x onerror=alert(1)>"]
    assert audit["images"] == ["https://images.test/anh.png", "https://images.test/the-mau.png"]
    assert audit["links"] == [
        ["http://example.test/", "_blank", "noopener noreferrer"],
        ["https://maps.test/the-mau", "_blank", "noopener noreferrer"],
    ]
    assert audit["banned"] == [] and audit["handlers"] == [] and audit["stray_svgs"] == 0
    assert audit["xss"] is None

    # A quick reply whose title and payload are payloads: the title is shown as text, the payload is sent.
    page.get_by_role("button", name="<img src=x onerror=alert(1)>").click()
    expect(page.locator(".msg-bot").last).to_have_text("Trợ lý: echo: <script>alert(1)</script>")
    assert page.locator(".msg-user").last.text_content() == "Bạn: <img src=x onerror=alert(1)>"
    assert fake.calls[-1][1] == "<script>alert(1)</script>"
    page.reload()  # the stored transcript is rendered again: still as text
    expect(page.locator(".card")).to_have_count(3)
    audit = page.evaluate(SHADOW_AUDIT)
    assert audit["banned"] == [] and audit["handlers"] == [] and audit["xss"] is None
    watched.assert_clean()


def museum_page(url: str, language: str) -> str:
    """A host page whose CSS is hostile: none of it must reach the widget."""
    return f"""<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>Museum</title>
<style>* {{ color: red !important; font-size: 40px !important; }} button {{ display: none !important; }}</style>
</head><body><h1>A museum</h1>
<script src="{url}/widget.js" data-server="{url}" data-lang="{language}" defer></script></body></html>"""


def test_embedded_on_an_allowed_site(open_page: OpenPage, tmp_path: Path, fake: FakeAssistant) -> None:
    museum_port = free_port()
    settings = web_settings(tmp_path, web_allowed_origins=(f"http://127.0.0.1:{museum_port}",))
    with gateway(settings, fake) as url, host_site(museum_page(url, "en"), museum_port) as museum:
        watched = open_page()
        page = watched.page
        page.goto(museum)
        bubble = page.get_by_role("button", name=OPEN_EN)
        expect(bubble).to_be_visible()  # the host page's `button { display: none }` does not reach the widget
        open_widget(page, OPEN_EN)
        expect(page.locator(".msg-bot").first).to_have_text("Assistant: greeting-en")
        assert page.locator(".header h2").evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
        ask(page, "hello", label="Your question")
        expect(page.locator(".msg-bot").last).to_have_text("Assistant: echo: hello")
        assert [call[2] for call in fake.calls] == [{"channel": "web", "language": "en"}] * 2
        watched.assert_clean()


def test_a_site_that_is_not_allowed_gets_nothing(open_page: OpenPage, url: str, fake: FakeAssistant) -> None:
    with host_site(museum_page(url, "vi"), free_port()) as shady:
        watched = open_page()
        page = watched.page
        page.goto(shady)
        open_widget(page)
        expect(page.locator(".msg-notice")).to_contain_text("Không kết nối được với trợ lý")
        assert fake.calls == []
        assert any("CORS" in error for error in watched.console_errors)
        watched.assert_clean(console=False)


def test_a_too_long_message_is_refused_and_kept_for_editing(
    open_page: OpenPage, url: str, fake: FakeAssistant
) -> None:
    watched = open_page(viewport=PHONE)
    page = watched.page
    page.goto(url)
    open_widget(page)
    expect(page.locator(".msg-bot").first).to_have_text("Trợ lý: greeting-vi")
    box = page.get_by_label("Câu hỏi của bạn")
    box.fill("a" * 1001)
    expect(page.locator(".counter")).to_have_text("1001/1000 ký tự")
    box.press("Enter")
    expect(page.locator(".msg-notice")).to_have_text("Thông báo: " + message("too_long", "vi", limit=1000))
    assert box.input_value() == "a" * 1001
    assert len(fake.calls) == 1  # only the greeting reached the assistant
    watched.assert_clean()


def test_the_assistant_down_shows_busy(open_page: OpenPage, tmp_path: Path) -> None:
    with gateway(web_settings(tmp_path)) as base:  # a real RasaClient pointed at a dead port
        watched = open_page()
        page = watched.page
        page.goto(base)
        open_widget(page)
        expect(page.locator(".msg-notice")).to_have_text("Thông báo: " + message("busy", "vi"), timeout=5_000)
        expect(page.locator(".typing")).to_be_hidden()
        watched.assert_clean()


def test_what_is_typed_while_a_reply_is_in_flight_is_sent_after_it(
    open_page: OpenPage, tmp_path: Path
) -> None:
    slow = FakeAssistant(
        lambda text: greeting("vi") if text.startswith("/greet") else [{"text": f"echo: {text}"}]
    )
    slow.delay = 1.5  # the greeting is still on its way when the person presses Enter
    with gateway(web_settings(tmp_path), slow) as base:
        watched = open_page()
        page = watched.page
        page.goto(base)
        open_widget(page)
        ask(page, "câu hỏi một")  # Enter at once after opening
        ask(page, "câu hỏi hai")  # and again before any reply came
        box = page.get_by_label("Câu hỏi của bạn")
        assert box.input_value() == ""
        expect(page.locator(".msg-user")).to_have_text(["Bạn: câu hỏi một", "Bạn: câu hỏi hai"])
        expect(page.locator(".msg-bot")).to_have_text(
            ["Trợ lý: greeting-vi", "Trợ lý: echo: câu hỏi một", "Trợ lý: echo: câu hỏi hai"], timeout=15_000
        )
        expect(page.locator(".typing")).to_be_hidden()
        assert [call[1] for call in slow.calls] == ['/greet{"language": "vi"}', "câu hỏi một", "câu hỏi hai"]
        watched.assert_clean()
