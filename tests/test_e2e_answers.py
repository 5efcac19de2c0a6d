"""End to end over REST: each topic in each language (with and without diacritics), answered from knowledge."""

from __future__ import annotations

import pytest

from tests.conftest import Assistant

pytestmark = pytest.mark.e2e

CASES = [
    ("heritage-vi", "Phố cổ Hội An được UNESCO công nhận năm nào?", ["1999", "Nguồn:"]),
    ("heritage-plain", "dai noi hue o dau", ["Hoàng thành Huế", "Nguồn:"]),
    ("heritage-en", "When was My Son Sanctuary recognised by UNESCO?", ["1999", "Source:"]),
    ("stats-vi", "Quảng Ngãi đón bao nhiêu khách năm 2022?", ["650.000", "Nguồn:"]),
    ("stats-plain", "quang ngai don bao nhieu khach nam 2022", ["650.000", "Nguồn:"]),
    ("stats-en", "How many international visitors did Quang Ngai receive in 2022?", ["11,000", "Source:"]),
    ("service-vi", "Đăng ký khai sinh trực tuyến như thế nào?", ["dichvucong.gov.vn", "Nguồn:"]),
    ("service-plain", "dang ky khai sinh truc tuyen nhu the nao", ["dichvucong.gov.vn", "Nguồn:"]),
    ("service-en", "How do I register a birth online?", ["dichvucong.gov.vn", "Source:"]),
    ("dt-vi", "Chỉ số DTI năm 2022 của Quảng Ngãi xếp thứ mấy?", ["26", "Nguồn:"]),
    ("dt-plain", "tuan le chuyen doi so quang ngai 2023 dien ra khi nao", ["28/09/2023", "Nguồn:"]),
    ("dt-en", "What was the theme of the Quang Ngai Digital Transformation Week 2023?", ["Source:"]),
]


@pytest.mark.parametrize(("case", "question", "facts"), CASES, ids=[c[0] for c in CASES])
def test_topic_answer(assistant: Assistant, case: str, question: str, facts: list[str]) -> None:
    text = "\n".join(assistant.texts(question, sender=f"e2e-{case}"))
    for fact in facts:
        assert fact in text, text


def test_follow_up_keeps_province_and_year(assistant: Assistant) -> None:
    assistant.texts("Quảng Ngãi đón bao nhiêu khách năm 2022?", sender="e2e-follow")
    text = "\n".join(assistant.texts("Còn khách quốc tế thì sao?", sender="e2e-follow"))
    assert "11.000" in text
    assert "650.000" not in text


def test_unknown_province_gets_no_rank(assistant: Assistant) -> None:
    text = "\n".join(assistant.texts("DTI của Hà Nội năm 2022 xếp thứ mấy?", sender="e2e-hanoi"))
    assert "Hà Nội" in text
    assert "26" not in text
