"""Answers from the real knowledge base: the attribute asked, in the user's language, with its source line."""

from __future__ import annotations

from tests.answering.conftest import AskFn, buttons, said


def test_site_recognition_year_with_source(ask: AskFn) -> None:
    reply = ask("ask_site_recognition", "Phố cổ Hội An được UNESCO công nhận năm nào?")
    text = said(reply)
    assert "1999" in text
    assert text.splitlines()[-1].startswith("Nguồn:")
    assert reply.slots["site"] == "hoi-an-ancient-town"


def test_site_location_without_diacritics_answers_with_diacritics(ask: AskFn) -> None:
    reply = ask("ask_site_location", "dai noi hue o dau")
    text = said(reply)
    assert text.startswith("Hoàng thành Huế ở")
    assert "openstreetmap.org" in text
    assert any(m.custom and m.custom["type"] == "venue" for m in reply.messages)


def test_site_answer_in_english(ask: AskFn) -> None:
    text = said(ask("ask_site_recognition", "When was My Son Sanctuary recognised by UNESCO?", language="en"))
    assert "1999" in text
    assert "Source:" in text


def test_a_recognition_names_its_decision_when_the_knowledge_has_it(ask: AskFn) -> None:
    text = said(ask("ask_site_recognition", "Văn hóa Sa Huỳnh được xếp hạng đặc biệt theo quyết định nào?"))
    assert "năm 2022 theo Quyết định 1649/QĐ-TTg" in text
    assert "năm 1997:" in text  # a recognition without a decision is said as before


def test_follow_up_recognition_uses_the_site_from_context(ask: AskFn) -> None:
    first = ask("ask_site_info", "Lăng Tự Đức là gì?")
    reply = ask("ask_site_recognition", "Nó được công nhận năm nào?", **first.slots)
    assert "Lăng Tự Đức" in said(reply)
    assert "1993" in said(reply)


def test_statistic_exact_figure(ask: AskFn) -> None:
    reply = ask("ask_tourism_stat", "Quảng Ngãi đón bao nhiêu khách năm 2022?")
    assert "650.000 lượt" in said(reply)
    assert reply.slots == {
        "province": "quang-ngai",
        "year": "2022",
        "metric": "visitors",
        "last_intent": "ask_tourism_stat",
    }


def test_statistic_in_english_formats_numbers_in_english(ask: AskFn) -> None:
    text = said(
        ask("ask_tourism_stat", "How many international visitors did Quang Ngai get in 2022?", language="en")
    )
    assert "11,000 visits" in text
    assert "Source:" in text


def test_follow_up_international_visitors_keeps_province_and_year(ask: AskFn) -> None:
    first = ask("ask_tourism_stat", "Quảng Ngãi đón bao nhiêu khách năm 2022?")
    reply = ask("inform", "Còn khách quốc tế thì sao?", **first.slots)
    assert "11.000" in said(reply)
    assert "650.000" not in said(reply)


def test_missing_year_answers_the_latest_and_offers_the_others(ask: AskFn) -> None:
    reply = ask("ask_tourism_stat", "Doanh thu du lịch Quảng Ngãi bao nhiêu?")
    text = said(reply)
    assert "2025" in text and "3.700 tỷ đồng" in text
    assert text.splitlines()[-1] == "Đây là số liệu mới nhất tôi có (năm 2025). Các năm khác:"
    assert "2025" not in buttons(reply) and {"2021", "2022"} <= set(buttons(reply))


def test_missing_province_asks_with_buttons(ask: AskFn) -> None:
    reply = ask("ask_dti_rank", "Chỉ số DTI năm 2021 xếp thứ mấy?")
    assert said(reply) == "Bạn muốn hỏi về tỉnh/thành nào?"
    assert len(buttons(reply)) >= 2


def test_stated_year_is_never_swapped_for_another(ask: AskFn) -> None:
    reply = ask("ask_tourism_stat", "Quảng Ngãi đón bao nhiêu khách năm 2020?")
    text = said(reply)
    assert "2020" in text
    assert "650.000" not in text
    assert not reply.answered


def test_dti_rank_of_an_uncovered_province_returns_no_rank(ask: AskFn) -> None:
    reply = ask("ask_dti_rank", "DTI của Hà Nội năm 2022 xếp thứ mấy?", province="quang-ngai", year="2022")
    text = said(reply)
    assert "Hà Nội" in text
    assert "26" not in text
    assert not reply.answered


def test_an_uncovered_place_beside_a_covered_one_is_not_what_is_asked(ask: AskFn) -> None:
    # Quảng Nam's merger names Đà Nẵng, which the knowledge does not cover as a province of its own
    text = said(ask("ask_dt_info", "Quảng Nam hợp nhất vào Đà Nẵng từ khi nào?"))
    assert "chưa có thông tin về Đà Nẵng" not in text
    assert "2025" in text


def test_dti_rank(ask: AskFn) -> None:
    text = said(ask("ask_dti_rank", "DTI Quảng Ngãi 2022 xếp thứ mấy"))
    assert "26" in text


def test_event_date_is_labelled_past(ask: AskFn) -> None:
    text = said(ask("ask_event_date", "Tuần lễ chuyển đổi số Quảng Ngãi 2023 diễn ra khi nào"))
    assert "đã diễn ra từ 28/09/2023 đến 02/10/2023" in text


def test_event_theme_and_organiser(ask: AskFn) -> None:
    assert "Dữ liệu số và liên kết vùng" in said(
        ask("ask_event_theme", "Chủ đề tuần lễ chuyển đổi số Quảng Ngãi 2023")
    )
    assert "VINASA" in said(ask("ask_event_organiser", "ai to chuc tuan le chuyen doi so quang ngai 2023"))


def test_public_service_howto_names_the_portal(ask: AskFn) -> None:
    text = said(ask("ask_service_howto", "Đăng ký khai sinh trực tuyến thế nào?"))
    assert "dichvucong.gov.vn" in text
    assert "Nguồn:" in text


def test_missing_fee_is_said_honestly(ask: AskFn) -> None:
    reply = ask("ask_service_fee", "le phi dang ky ket hon")
    assert "chưa có thông tin lệ phí" in said(reply)
    assert not reply.answered


def test_community_teams(ask: AskFn) -> None:
    assert "1.141" in said(ask("ask_dt_info", "Quảng Ngãi có bao nhiêu tổ công nghệ số cộng đồng"))


def test_unknown_question_is_answered_honestly_with_topics(ask: AskFn) -> None:
    reply = ask("nlu_fallback", "xyzzy plugh")
    assert not reply.answered
    assert len(buttons(reply)) == 4


def test_unclear_question_offers_did_you_mean(ask: AskFn) -> None:
    reply = ask("nlu_fallback", "tháp Chăm Quảng Nam đền")
    assert said(reply).startswith("Có phải bạn muốn hỏi")
    assert buttons(reply)


def test_list_unesco_sites_of_hue(ask: AskFn) -> None:
    text = said(ask("list_sites", "Huế có những di sản UNESCO nào"))
    assert "Nhã nhạc" in text
    assert "Hội An" not in text


def test_upcoming_events_say_when_all_are_past(ask: AskFn) -> None:
    text = said(ask("list_events", "sự kiện chuyển đổi số sắp tới"))
    assert "đã diễn ra" in text


def test_where_and_how_an_event_was_held_are_answered_from_its_venue_and_format(ask: AskFn) -> None:
    # The NLU may read either as a date question: the question's own words say what is asked.
    where = said(
        ask("ask_event_date", "Tuần lễ chuyển đổi số Huế 2022 tổ chức ở đâu?", event="hue-2022-dx-week")
    )
    assert where.startswith("Địa điểm: Huế") and ".." not in where
    how = said(
        ask(
            "ask_event_date", "Hội thảo đó tổ chức theo hình thức nào?", "vi", event="qng-2022-10-07-workshop"
        )
    )
    assert how.startswith("Hình thức: Trực tiếp kết hợp trực tuyến")
