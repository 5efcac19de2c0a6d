"""The staff console in Chromium: logging in, what people asked, and editors changing the knowledge through
the forms (the file on disk changes and validates, a refused value leaves it unchanged, the second of two
editors saving the same entry is refused); questions holding HTML or script are shown as text."""

from __future__ import annotations

import pytest
import yaml
from playwright.sync_api import expect

from assistant.kb.validate import validate_dir
from assistant.records import record_turn, record_unanswered
from console import store
from tests.console.conftest import SENDER_KEY, RunningConsole, log_in
from tests.web.support import PAYLOADS

pytestmark = pytest.mark.browser

QUESTION = "Số điện thoại đường dây nóng du lịch Quảng Nam là gì?"


def _entries(console: RunningConsole, file: str) -> dict[str, dict]:
    data = yaml.safe_load((console.knowledge / file).read_text(encoding="utf-8"))
    return {e["id"]: e for e in data["entries"]}


def test_log_in_and_a_recorded_unanswered_question_shows_up(console: RunningConsole, open_page) -> None:
    console.db(lambda s: record_unanswered(s, QUESTION, "vi", "zalo", "nlu_fallback"))
    console.db(
        lambda s: record_unanswered(
            s, "so dien thoai duong day nong du lich quang nam la gi", "vi", "web", None
        )
    )
    watched = open_page()
    page = watched.page
    log_in(page, console.url, "an")
    page.get_by_role("navigation", name="Mục chính").get_by_role("link", name="Chưa trả lời được").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Câu hỏi chưa trả lời được")
    group = page.locator(".group").filter(has_text=QUESTION)
    expect(group).to_contain_text("hỏi 2 lần")
    expect(group).to_contain_text("zalo")
    group.get_by_role("button", name="Đánh dấu đã xử lý").click()
    expect(page.get_by_role("status")).to_contain_text("đã xử lý")
    expect(page.locator(".group")).to_have_count(0)
    page.get_by_role("link", name="Đã xử lý (1)").click()
    expect(page.locator(".group").filter(has_text=QUESTION)).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unanswered questions")
    watched.assert_clean()


def test_an_editor_adds_the_missing_fact_from_an_unanswered_question(
    console: RunningConsole, open_page
) -> None:
    console.db(lambda s: record_unanswered(s, QUESTION, "vi", "web", "nlu_fallback"))
    watched = open_page()
    page = watched.page
    log_in(page, console.url, "an")
    page.goto(f"{console.url}/unanswered")
    page.locator(".group").filter(has_text=QUESTION).get_by_role("link", name="Thêm tri thức").click()
    expect(page.locator(".context")).to_contain_text(QUESTION)
    page.get_by_role("link", name="Cổng, ứng dụng, đường dây nóng").click()
    expect(page.get_by_label("Tên gọi khác")).to_have_value(QUESTION)
    page.get_by_label("Mã (id)").fill("quang-nam-tourism-hotline")
    page.get_by_role("group", name="Tên").get_by_label("Tiếng Việt").fill("Đường dây nóng du lịch Quảng Nam")
    page.get_by_role("group", name="Tên").get_by_label("Tiếng Anh").fill("Quảng Nam tourism hotline")
    page.get_by_label("Tỉnh").select_option("quang-nam")
    page.get_by_label("Loại").select_option("hotline")
    page.get_by_label("Số điện thoại").fill("0235 1234 567")
    page.get_by_role("group", name="Mô tả").get_by_label("Tiếng Việt").fill("Số máy hỗ trợ du khách (mẫu).")
    page.get_by_role("group", name="Mô tả").get_by_label("Tiếng Anh").fill(
        "The visitor helpline (placeholder)."
    )
    source = page.get_by_role("group", name="Nguồn", exact=True)
    source.get_by_label("Tiêu đề").fill("Sở Du lịch Quảng Nam")
    source.get_by_label("Địa chỉ web").fill("https://example.org/quang-nam")
    page.get_by_label("Tính đến ngày").fill("2024-05-01")
    page.get_by_role("button", name="Kiểm tra và lưu").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu portals:quang-nam-tourism-hotline")
    entry = _entries(console, "portals.yml")["quang-nam-tourism-hotline"]
    assert entry["phone"] == "0235 1234 567" and entry["aliases"] == [QUESTION]
    assert entry["kind"] == "hotline" and entry["name"]["en"] == "Quảng Nam tourism hotline"
    assert validate_dir(console.knowledge)[1] == []
    assert "# Test fixture for tests/kb" in (console.knowledge / "portals.yml").read_text(encoding="utf-8")
    changes = console.db(lambda s: store.recent_audit(s))
    assert [(c.user, c.action, c.entry) for c in changes] == [
        ("an", "add_entry", "portals:quang-nam-tourism-hotline")
    ]
    assert "0235 1234 567" in (changes[0].after or "")
    watched.assert_clean()


def test_an_editor_adds_a_source_document(console: RunningConsole, open_page) -> None:
    watched = open_page()
    page = watched.page
    log_in(page, console.url, "an")
    page.get_by_role("link", name="Thêm tài liệu").click()
    page.get_by_role("textbox", name="Tiêu đề", exact=True).fill("Đường dây nóng du lịch Quảng Nam")
    page.get_by_label("Địa chỉ nguồn").fill("https://example.org/bai-bao")
    page.get_by_label("Ngày nguồn ghi").fill("2024-05")
    page.get_by_label("quang-nam").check()
    page.get_by_label("Giấy phép").fill("Trích dẫn có ghi nguồn")
    page.get_by_label("Nguyên văn").fill(
        "Sở Du lịch Quảng Nam công bố đường dây nóng hỗ trợ du khách.\nDu khách gọi số 0235 1234 567 khi cần."
    )
    page.get_by_role("button", name="Kiểm tra và lưu tài liệu").click()
    expect(page.get_by_role("status")).to_contain_text("duong-day-nong-du-lich-quang-nam.md")
    written = console.knowledge / "documents" / "duong-day-nong-du-lich-quang-nam.md"
    assert written.read_text(encoding="utf-8").startswith('---\ntitle: "Đường dây nóng du lịch Quảng Nam"')
    assert validate_dir(console.knowledge)[1] == []
    watched.assert_clean()


def test_a_value_the_validator_refuses_is_refused_with_its_message(
    console: RunningConsole, open_page
) -> None:
    before = (console.knowledge / "portals.yml").read_bytes()
    watched = open_page()
    page = watched.page
    log_in(page, console.url, "an")
    page.goto(f"{console.url}/knowledge/portals/dvc-national")
    page.get_by_role("group", name="Nguồn", exact=True).get_by_label("Địa chỉ web").fill(
        "ftp://example.org/x"
    )
    page.get_by_label("Tính đến ngày").fill("2024-13-45")
    page.get_by_role("button", name="Kiểm tra và lưu").click()
    expect(page.get_by_role("alert").first).to_contain_text("Tệp không bị thay đổi")
    problems = page.locator(".problems")
    expect(problems).to_contain_text("field 'source.url' must be an http:// or https:// address")
    expect(problems).to_contain_text("as_of")
    expect(page.locator("#f-source-url")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-source-url")).to_have_value("ftp://example.org/x")
    assert (console.knowledge / "portals.yml").read_bytes() == before
    watched.assert_clean()


def test_two_editors_save_the_same_entry_and_the_second_is_refused(
    console: RunningConsole, open_page
) -> None:
    first, second = open_page().page, open_page().page
    log_in(first, console.url, "an")
    log_in(second, console.url, "binh")
    for page in (first, second):
        page.goto(f"{console.url}/knowledge/portals/hue-s-app")
    first.get_by_role("group", name="Mô tả").get_by_label("Tiếng Việt").fill("Mô tả của An.")
    first.get_by_role("button", name="Kiểm tra và lưu").click()
    expect(first.get_by_role("status")).to_contain_text("Đã lưu")
    second.get_by_role("group", name="Mô tả").get_by_label("Tiếng Việt").fill("Mô tả của Bình.")
    second.get_by_role("button", name="Kiểm tra và lưu").click()
    expect(second.get_by_role("alert")).to_contain_text("tệp đã được người khác sửa")
    assert _entries(console, "portals.yml")["hue-s-app"]["description"]["vi"] == "Mô tả của An."
    text = (console.knowledge / "portals.yml").read_text(encoding="utf-8")
    assert "Bình" not in text
    # the first editor's change touched that one line only
    assert "  - id: hue-s-app\n    name: {vi: Ứng dụng Hue-S, en: Hue-S app}\n" in text


def test_questions_holding_html_or_script_are_shown_as_text(console: RunningConsole, open_page) -> None:
    for payload in PAYLOADS:
        console.db(lambda s, p=payload: record_unanswered(s, p + " đâu", "vi", "web", None))
        console.db(
            lambda s, p=payload: record_turn(
                s,
                text=p,
                reply_text=p,
                outcome="entry",
                entry="portals:dvc-national",
                channel="web",
                language="vi",
                intent="ask_dt_info",
                sender="u",
                key=SENDER_KEY.encode(),
            )
        )
    console.db(lambda s: s.execute(store.MarkRow.__table__.delete()))
    from assistant.records import attach_feedback

    console.db(lambda s: attach_feedback(s, "u", SENDER_KEY.encode(), "portals:dvc-national", "wrong"))
    watched = open_page()
    page = watched.page
    log_in(page, console.url, "an")
    for path in ("/unanswered", "/feedback", f"/knowledge/new?topic=portals&q={PAYLOADS[1]}", "/"):
        page.goto(console.url + path)
        expect(page.locator("main")).to_be_visible()
        audit = page.evaluate(
            """() => ({
                xss: window.__xss === undefined ? null : String(window.__xss),
                scripts: document.querySelectorAll('script, iframe, style, details[ontoggle], svg[onload]').length,
                handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
                text: document.querySelector('main').innerText,
            })"""
        )
        assert audit["xss"] is None and audit["scripts"] == 0 and audit["handlers"] == 0, (path, audit)
    page.goto(console.url + "/unanswered")
    text = page.locator("main").inner_text()
    assert "<script>alert(1)</script> đâu" in text and "<img src=x onerror=alert(1)> đâu" in text
    watched.assert_clean()
