"""Messages that ask several things: each part answered in one reply, the subject carried from part to part."""

from __future__ import annotations

import pytest

from assistant.answering.common import Knowledge
from assistant.answering.parts import respond_parts, split_parts
from tests.answering.conftest import TODAY, said


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        ("Lăng Tự Đức xây năm nào, ở đâu?", ["Lăng Tự Đức xây năm nào", "ở đâu?"]),
        ("lang tu duc xay nam nao va o dau", ["lang tu duc xay nam nao", "o dau"]),
        (
            "Where is Thien Mu pagoda, and when was it built?",
            ["Where is Thien Mu pagoda", "when was it built?"],
        ),
        ("Quảng Nam và Quảng Ngãi có bao nhiêu di tích?", ["Quảng Nam và Quảng Ngãi có bao nhiêu di tích?"]),
        (
            "Thủ tục, giấy tờ và lệ phí đăng ký khai sinh là gì?",
            ["Thủ tục, giấy tờ và lệ phí đăng ký khai sinh là gì?"],
        ),
        ("Hoàng thành Huế ở đâu?", ["Hoàng thành Huế ở đâu?"]),
    ],
)
def test_a_message_is_cut_only_where_each_side_asks(message: str, parts: list[str]) -> None:
    assert split_parts(message) == parts


def test_each_part_is_answered_and_the_second_takes_the_subject_of_the_first(knowledge: Knowledge) -> None:
    parts = [
        ("Lăng Tự Đức được UNESCO công nhận năm nào", ("ask_site_recognition", [])),
        ("nó ở đâu?", ("ask_site_location", [])),
    ]
    reply = respond_parts(knowledge, parts, {"language": "vi"}, TODAY)
    text = said(reply)
    assert "1993" in text
    assert "Lăng Tự Đức ở" in text
    assert reply.slots["site"] == "tomb-of-tu-duc"


def test_a_part_that_names_nothing_takes_what_the_part_before_named(knowledge: Knowledge) -> None:
    # The first part reads as a statistic (the NLU's intent): it is answered from the records it names, and the
    # second part is about them too.
    parts = [
        ("Châu bản triều Nguyễn gồm bao nhiêu văn bản", ("ask_tourism_stat", [])),
        ("được UNESCO ghi danh di sản tư liệu thế giới năm nào?", ("ask_site_recognition", [])),
    ]
    text = said(respond_parts(knowledge, parts, {"language": "vi"}, TODAY))
    assert "tỉnh/thành nào" not in text
    assert "2017" in text


def test_a_part_that_names_no_province_takes_the_one_the_part_before_named(knowledge: Knowledge) -> None:
    parts = [
        ("Thừa Thiên Huế có mấy bảo vật quốc gia", ("ask_tourism_stat", [])),
        # (the NLU's reading of the second part: a heritage question, the UNESCO count named)
        (
            "bao nhiêu di sản được UNESCO công nhận?",
            ("ask_site_recognition", [{"entity": "metric", "value": "unesco_heritages"}]),
        ),
    ]
    text = said(respond_parts(knowledge, parts, {"language": "vi"}, TODAY))
    assert "Bảo vật quốc gia" in text
    assert "7 di sản" in text


def test_a_part_answered_by_what_an_earlier_part_said_is_not_said_twice(knowledge: Knowledge) -> None:
    parts = [
        ("Quảng Nam hợp nhất với địa phương nào", ("nlu_fallback", [])),
        ("chính quyền mới hoạt động từ ngày nào?", ("nlu_fallback", [])),
    ]
    text = said(respond_parts(knowledge, parts, {"language": "vi"}, TODAY))
    assert "Đà Nẵng" in text and "1/7/2025" in text
    assert text.count("Nghị quyết số 202/2025/QH15") == 1
