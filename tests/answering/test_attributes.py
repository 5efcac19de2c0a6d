"""The attribute asked, found by the question's own words, numbers and dates (not only by the intent)."""

from __future__ import annotations

from tests.answering.conftest import AskFn, said


def test_who_helps_in_a_province_lists_its_teams_and_offices(ask: AskFn) -> None:
    text = said(ask("ask_service_help", "o quang ngai ai ho tro nguoi dan lam dich vu cong truc tuyen"))
    assert text.startswith("Nơi hỗ trợ người dân ở Quảng Ngãi")
    assert "Tổ công nghệ số cộng đồng" in text
    assert "HueIOC" not in text  # never another province's helpers


def test_asking_for_a_number_gives_the_hotline_of_the_province(ask: AskFn) -> None:
    text = said(ask("ask_service_help", "What is the hotline for public services in Huế?", language="en"))
    assert "1900 1075" in text
    assert "Source:" in text


def test_a_named_hotline_wins_over_the_province_talked_about_before(ask: AskFn) -> None:
    reply = ask(
        "ask_service_help",
        "Số tổng đài chăm sóc khách hàng điện lực miền Trung là gì?",
        province="thua-thien-hue",
    )
    assert "1900 1909" in said(reply).splitlines()[1]


def test_who_helps_without_a_province_asks_which(ask: AskFn) -> None:
    reply = ask("ask_service_help", "ai giúp tôi?")
    payloads = [b["payload"] for m in reply.messages for b in m.buttons]
    assert len(payloads) == 3
    assert all(p.startswith("/ask_service_help") for p in payloads)
    assert any("quang-ngai" in p for p in payloads)


def test_who_chaired_an_event_named_by_its_date(ask: AskFn) -> None:
    text = said(ask("ask_event_date", "hoi thao chuyen doi so quang ngai ngay 7/10/2022 do ai chu tri"))
    assert "Trần Phước Hiền" in text
    assert "Nguồn:" in text


def test_an_event_end_date_the_source_lacks_is_not_replaced_by_its_start(ask: AskFn) -> None:
    reply = ask("ask_event_date", "Tuần lễ Chuyển đổi số Huế 2022 kết thúc ngày nào?")
    assert "ngày kết thúc" in said(reply)
    assert "18/08/2022" not in said(reply)
    assert reply.answered is False


def test_attended_is_not_read_as_ended(ask: AskFn) -> None:
    text = said(
        ask("ask_event_figures", "How many delegates attended the Quang Nam smart city workshop?", "en")
    )
    assert "about 200" in text


def test_an_english_date_picks_the_event_held_that_day(ask: AskFn) -> None:
    text = said(
        ask(
            "ask_event_figures",
            "How many people followed the livestream of the Quang Ngai workshop on 7 October 2022?",
            "en",
        )
    )
    assert "2,000" in text


def test_a_count_after_an_event_is_about_that_event(ask: AskFn) -> None:
    first = ask("ask_event_info", "tuan le chuyen doi so hue 2022 co gi")
    text = said(ask("nlu_fallback", "co bao nhieu dien gia", **first.slots))
    assert "Tuần lễ Chuyển đổi số - Huế 2022" in text
    assert "50" in text


def test_it_after_a_site_is_that_site(ask: AskFn) -> None:
    first = ask("ask_site_location", "Chùa Thiên Mụ ở đâu?")
    reply = ask("nlu_fallback", "no duoc xay dung khi nao", **first.slots)
    assert "1601" in said(reply)


def test_a_built_question_read_as_recognition_gets_the_description(ask: AskFn) -> None:
    first = ask("ask_site_location", "Lăng Khải Định ở đâu?")
    text = said(ask("ask_site_recognition", "Lăng này được xây dựng từ năm nào đến năm nào?", **first.slots))
    assert "1920" in text
    assert "1931" in text


def test_a_plan_named_by_its_number(ask: AskFn) -> None:
    text = said(ask("nlu_fallback", "Kế hoạch 119 của Quảng Ngãi được ban hành ngày nào?"))
    assert "09/10/2020" in text


def test_a_decision_number_wins_over_the_event_it_set_up(ask: AskFn) -> None:
    text = said(ask("ask_event_organiser", "quyet dinh 505 ve ngay chuyen doi so quoc gia do ai ban hanh"))
    assert "Thủ tướng Chính phủ" in text


def test_how_many_members_is_the_members_count(ask: AskFn) -> None:
    text = said(ask("ask_dt_info", "to cong nghe so cong dong quang ngai nam 2022 co bao nhieu thanh vien"))
    assert "7.534" in text


def test_website_question_gives_the_address(ask: AskFn) -> None:
    text = said(ask("ask_dt_info", "Trang web chuyển đổi số của Quảng Ngãi là gì?"))
    assert "chuyendoiso.quangngai.gov.vn" in text


def test_a_clear_match_is_answered_rather_than_suggested(ask: AskFn) -> None:
    text = said(ask("nlu_fallback", "quang ngai cap bao nhieu chu ky so cho lanh dao co quan nha nuoc"))
    assert "2.275" in text


def test_a_fee_question_read_as_how_to_gets_the_fee(ask: AskFn) -> None:
    text = said(ask("nlu_fallback", "Đổi thẻ căn cước do sắp xếp đơn vị hành chính có mất phí không?"))
    assert "Miễn lệ phí" in text


def test_same_year_follow_up_for_a_province_without_it_says_so(ask: AskFn) -> None:
    first = ask("ask_dti_rank", "Chỉ số DTI của Quảng Ngãi năm 2022 xếp thứ mấy?")
    reply = ask("inform", "Còn Huế thì sao?", **first.slots)
    assert "năm 2022" in said(reply)
    assert "26/63" not in said(reply)
    assert reply.answered is False
