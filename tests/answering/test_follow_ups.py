"""Follow-ups that change one thing of the previous question, and the words that only mark a follow-up."""

from __future__ import annotations

from assistant.answering.common import Knowledge
from assistant.answering.dispatch import build_question, respond
from assistant.answering.model import CONTEXT_SLOTS, Reply
from tests.answering.conftest import TODAY, said


def turn(knowledge: Knowledge, intent: str, text: str, context: dict, **entities: str) -> Reply:
    found = [{"entity": name, "value": value} for name, value in entities.items()]
    reply = respond(
        knowledge, build_question(knowledge, intent, text, found, {"language": "vi", **context}, TODAY)
    )
    context.update({k: v for k, v in reply.slots.items() if k in CONTEXT_SLOTS})
    return reply


def test_a_new_level_replaces_the_metric_carried_over(knowledge: Knowledge) -> None:
    context: dict = {}
    first = turn(
        knowledge,
        "ask_tourism_stat",
        "Huế có bao nhiêu di tích cấp quốc gia?",
        context,
        province="thua-thien-hue",
        metric="national_relics",
    )
    assert "89" in said(first)
    second = said(turn(knowledge, "inform", "còn cấp tỉnh", context))
    assert "cấp tỉnh" in second and "90" in second and "89" not in second


def test_follow_up_words_do_not_pull_in_a_passage_about_the_last_subject(knowledge: Knowledge) -> None:
    context: dict = {}
    turn(knowledge, "ask_site_location", "Chùa Thiên Mụ ở đâu?", context, site="thien-mu-pagoda")
    reply = turn(knowledge, "inform", "Còn chùa Thiên Ấn?", context, site="thien-an-pagoda")
    assert reply.entry == "heritage_sites:thien-an-pagoda" and "Trà Khúc" in said(reply)


def test_a_new_subject_alone_is_asked_what_was_asked_of_the_last(knowledge: Knowledge) -> None:
    context: dict = {}
    turn(
        knowledge,
        "ask_site_recognition",
        "Nhã nhạc cung đình Huế được UNESCO công nhận năm nào?",
        context,
        site="nha-nhac-court-music",
    )
    reply = turn(
        knowledge, "nlu_fallback", "Còn Mộc bản triều Nguyễn?", context, site="nguyen-dynasty-woodblocks"
    )
    assert "2009" in said(reply) and reply.slots["last_intent"] == "ask_site_recognition"


def test_vietnamese_words_that_fold_like_english_stop_words_are_kept(knowledge: Knowledge) -> None:
    vietnamese = knowledge.index.query("vé vào Mỹ Sơn", language="vi")
    english = knowledge.index.query("my ticket", language="en")
    # ("Mỹ" is read "mi", as "Mĩ" is written too)
    assert "mi" in vietnamese.content and "mi" not in english.content and "my" not in english.content


def test_a_follow_up_is_about_the_last_question_not_a_subject_two_questions_back(
    knowledge: Knowledge,
) -> None:
    context: dict = {}
    turn(
        knowledge,
        "ask_site_recognition",
        "Phố cổ Hội An được UNESCO công nhận năm nào?",
        context,
        site="hoi-an-ancient-town",
    )
    turn(
        knowledge,
        "ask_tourism_stat",
        "Quảng Ngãi đón bao nhiêu khách du lịch năm 2022?",
        context,
        province="quang-ngai",
        metric="visitors",
    )
    reply = turn(knowledge, "inform", "Còn khách quốc tế thì sao?", context, metric="international_visitors")
    assert "11.000" in said(reply) and "Hội An" not in said(reply)


def test_an_administrative_change_is_answered_and_a_follow_up_stays_with_its_subject(
    knowledge: Knowledge,
) -> None:
    reply = turn(
        knowledge, "nlu_fallback", "Huế trở thành thành phố trực thuộc trung ương theo nghị quyết nào?", {}
    )
    assert reply.entry == "administrative_changes:hue-centrally-governed-city-2025"
    assert "175/2024/QH15" in said(reply) and "1/1/2025" in said(reply)
    context: dict = {}
    turn(knowledge, "ask_dt_info", "Quảng Ngãi có bao nhiêu Tổ Công nghệ số cộng đồng cấp xã?", context)
    follow = turn(knowledge, "inform", "Còn cấp huyện?", context)
    assert follow.entry is not None and follow.entry.startswith("digital_transformation:")
    assert "13" in said(follow)


def test_a_follow_up_with_a_new_year_is_about_the_province_talked_about(knowledge: Knowledge) -> None:
    context: dict = {"language": "en"}
    turn(
        knowledge, "ask_dti_rank", "Where did Quang Ngai rank in the digital economy pillar in 2022?", context
    )
    assert context.get("province") == "quang-ngai"
    reply = turn(knowledge, "inform", "And in 2021?", context)
    assert "Huế" not in said(reply) and "Quảng Ngãi" in said(reply)


def test_a_follow_up_that_replaces_a_word_of_the_subject_finds_the_sibling(knowledge: Knowledge) -> None:
    context: dict = {}
    first = turn(
        knowledge,
        "ask_dt_info",
        "Tổ công nghệ số cộng đồng cấp tỉnh ở Quảng Ngãi có bao nhiêu thành viên?",
        context,
    )
    # The NLU may read the follow-up as an event question; "cấp huyện" replaces the subject's "cấp tỉnh".
    follow = turn(knowledge, "ask_event_figures", "Vậy cấp huyện có bao nhiêu thành viên?", context)
    assert follow.entry != first.entry and follow.entry is not None and "district" in follow.entry
    assert "huyện" in said(follow)


def test_a_follow_up_with_a_new_year_keeps_the_dti_pillar(knowledge: Knowledge) -> None:
    context: dict = {}
    first = turn(
        knowledge,
        "ask_dti_rank",
        "Năm 2022 Quảng Ngãi xếp thứ mấy về kinh tế số?",
        context,
        province="quang-ngai",
        pillar="digital_economy",
    )
    assert "17" in said(first)
    second = said(turn(knowledge, "inform", "Còn năm 2020?", context))
    assert "kinh tế số" in second and "31" in second
    # A new question that names no pillar asks the overall rank.
    third = said(turn(knowledge, "ask_dti_rank", "DTI của Quảng Ngãi năm 2022 xếp thứ mấy?", context))
    assert "26" in third


def test_a_follow_up_that_names_a_new_thing_is_answered_about_it_not_the_last_subject(
    knowledge: Knowledge,
) -> None:
    context: dict = {}
    turn(knowledge, "ask_dt_info", "Quảng Ngãi có bao nhiêu dịch vụ công trực tuyến mức độ 3, 4?", context)
    reply = said(turn(knowledge, "inform", "Còn chữ ký số thì cấp được bao nhiêu?", context))
    assert "2.275" in reply and "800" not in reply


def test_a_message_that_only_says_a_new_year_asks_the_last_question_whatever_its_intent(
    knowledge: Knowledge,
) -> None:
    context: dict = {"language": "en"}
    first = turn(
        knowledge, "ask_dti_rank", "What was Quang Ngai's DTI rank in 2021", context, province="quang-ngai"
    )
    assert "60" in said(first)
    # the NLU read the second part of "… in 2021 and what was it in 2022?" as a heritage question
    second = turn(knowledge, "ask_site_info", "what was it in 2022?", context)
    assert "26" in said(second) and second.slots["last_intent"] == "ask_dti_rank"
    # a message with words of its own is not a follow-up
    third = turn(knowledge, "ask_site_info", "what was built in 2022 in Hue?", context)
    assert third.slots.get("last_intent") != "ask_dti_rank"


def test_a_follow_up_read_as_another_kind_of_question_is_asked_of_the_subject(knowledge: Knowledge) -> None:
    context: dict = {"language": "en"}
    turn(knowledge, "ask_dt_info", "What is the Hue-S app for?", context)
    # "Who runs it?" read as an event's organiser: it is the app's, not "which event do you mean?"
    reply = turn(knowledge, "ask_event_organiser", "Who runs it?", context)
    assert reply.answered and not reply.asks
    assert reply.slots["last_intent"] == "ask_dt_info"


def test_a_follow_up_that_names_a_new_level_keeps_what_was_counted(knowledge: Knowledge) -> None:
    context: dict = {}
    first = turn(
        knowledge,
        "ask_dt_info",
        "Tổ công nghệ số cộng đồng cấp xã ở Quảng Ngãi có bao nhiêu thành viên?",
        context,
    )
    assert "1.690 thành viên" in said(first)
    # the members, not the teams, of the district level (13 teams, 169 members)
    assert "169 thành viên" in said(turn(knowledge, "inform", "Còn cấp huyện?", context)).splitlines()[0]
    village = said(turn(knowledge, "nlu_fallback", "Cấp thôn, tổ dân phố thì bao nhiêu?", context))
    assert "5.653" in village.splitlines()[0]


def test_a_follow_up_that_names_only_a_new_subject_asks_the_last_question_of_it(knowledge: Knowledge) -> None:
    context: dict = {"language": "en"}
    first = turn(
        knowledge, "ask_site_info", "When was the Ho Quyen arena built?", context, site="ho-quyen-arena"
    )
    assert "1830" in said(first)
    # the NLU may read it as a location question; it only names a new site of the kind talked about
    follow = turn(
        knowledge, "ask_site_location", "And the Nam Giao Esplanade?", context, site="nam-giao-esplanade"
    )
    assert "1806" in said(follow)


def test_a_rank_follow_up_that_names_a_new_year_or_province_asks_the_rank_again(knowledge: Knowledge) -> None:
    # "thứ mấy" asks for a position as "bao nhiêu" asks for a number; "thế còn" opens a follow-up as "còn" does
    context: dict = {}
    turn(knowledge, "ask_dti_rank", "dti cua qngai nam 2022 xep hang may vay ad", context)
    assert "60/63" in said(turn(knowledge, "ask_dti_rank", "con nam 2021 thi qngai dung thu may", context))
    other = said(turn(knowledge, "inform", "Thế còn Quảng Nam thì đứng thứ mấy ạ?", context))
    assert "25/63" in other.splitlines()[0]


def test_a_question_of_one_word_asks_it_of_the_entry_talked_about(knowledge: Knowledge) -> None:
    context: dict = {"language": "en"}
    turn(
        knowledge,
        "ask_dt_info",
        "When was Quang Ngai's Plan No. 119 on digital transformation issued?",
        context,
    )
    assert context["dt_entry"] == "qng-plan-119-2020"
    # Any entry whose text says "issued" matches "Who issued it?" as well: it is asked of the plan.
    reply = turn(knowledge, "ask_dt_info", "And who issued it?", context)
    assert "People's Committee" in said(reply)
    assert context["dt_entry"] == "qng-plan-119-2020"


def test_a_quoted_answer_about_a_named_event_keeps_it_as_the_subject(knowledge: Knowledge) -> None:
    context: dict = {"language": "en"}
    first = turn(
        knowledge,
        "ask_event_date",
        "On which day of 2022 did Quang Ngai hold the workshop 'Digital transformation for a better life',"
        " and in what form?",
        context,
        event="qng-2022-10-07-workshop",
    )
    assert "trực tiếp kết hợp với trực tuyến" in said(first)  # quoted: the entry does not say it so
    reply = turn(knowledge, "ask_event_organiser", "And who chaired it?", context)
    assert "Trần Phước Hiền" in said(reply)


def test_a_word_of_another_entry_s_name_is_no_new_subject_in_a_conversation(knowledge: Knowledge) -> None:
    context: dict = {"language": "vi"}
    turn(
        knowledge,
        "ask_event_date",
        "Hội thảo Vì cuộc sống tốt đẹp hơn ở Quảng Ngãi diễn ra ngày nào?",
        context,
    )
    assert context["event"] == "qng-2022-10-07-workshop"
    # "hình thức" is a word of a pension service's name ("đổi hình thức nhận lương hưu"), not the subject.
    reply = turn(knowledge, "nlu_fallback", "theo hình thức gì?", context)
    assert "lương hưu" not in said(reply)
    assert "trực tiếp kết hợp" in said(reply).lower()
