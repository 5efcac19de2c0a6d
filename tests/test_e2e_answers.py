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


def test_two_questions_in_one_message_get_both_answers(assistant: Assistant) -> None:
    text = "\n".join(assistant.texts("Lăng Tự Đức được UNESCO công nhận năm nào, ở đâu?", sender="e2e-two"))
    assert "1993" in text
    assert "Lăng Tự Đức ở" in text


def test_a_detail_of_a_source_document_is_quoted_with_its_source(assistant: Assistant) -> None:
    text = "\n".join(assistant.texts("Ông Huỳnh Ngọc Dũng ở phường nào?", sender="e2e-quote"))
    assert "«" in text and "Trần Phú" in text
    assert "Nguồn: Quảng Ngãi tăng tốc chuyển đổi số (bài báo) (06/02/2022)." in text


def test_a_health_question_is_declined(assistant: Assistant) -> None:
    text = "\n".join(assistant.texts("Bị sốt cao thì uống thuốc gì?", sender="e2e-health"))
    assert "không tư vấn về sức khỏe" in text
