"""Answers quoted from the source documents, everyday typing, and questions the assistant declines."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from assistant.answering.common import Knowledge
from assistant.answering.dispatch import build_question, respond
from assistant.answering.model import Reply
from assistant.kb.documents import Document, passages
from assistant.kb.index import RetrievalIndex
from assistant.language import Language
from tests.answering.conftest import TODAY, said


def reply_to(knowledge: Knowledge, intent: str, text: str, language: str = "vi", **slots: object) -> Reply:
    question = build_question(knowledge, intent, text, [], {"language": language, **slots}, TODAY)
    return respond(knowledge, question)


# A made-up document (tests only): a detail no entry of the knowledge holds.
FAIR = """Hội chợ sách Quảng Ngãi 2024 khai mạc tại Công viên Ba Tơ.
Ông Trần Văn Thử, Giám đốc Sở Văn hóa, phát biểu khai mạc hội chợ.
Hội chợ có 40 gian hàng của các nhà xuất bản.
"""


def with_document(knowledge: Knowledge, document: Document) -> Knowledge:
    """The project's knowledge and one made-up document, indexed as the assistant indexes."""
    documents = (*knowledge.documents, document)
    entries = [e for topic in knowledge.kb.topics() for e in knowledge.kb.entries(topic)]
    index = RetrievalIndex(entries, documents, knowledge.language.read_source)
    return dataclasses.replace(knowledge, documents=documents, index=index)


def made_up(key: str, title: str, day: str, province: str, body: str) -> Document:
    """A made-up Vietnamese document (tests only), split into passages as the assistant splits them."""
    return Document(
        key,
        title,
        {"title": f"{title} (bài báo thử)"},
        day,
        (province,),
        "vi",
        "test",
        f"documents/{key}.md",
        passages(key, body, 1),
    )


@pytest.fixture(scope="module")
def with_fair(knowledge: Knowledge) -> Knowledge:
    document = Document(
        "hoi-cho-sach-2024",
        "Hội chợ sách Quảng Ngãi 2024",
        {"title": "Hội chợ sách Quảng Ngãi 2024 (bài báo thử)", "url": "https://example.org/hoi-cho"},
        "2024-04-20",
        ("quang-ngai",),
        "vi",
        "test",
        "documents/hoi-cho-sach-2024.md",
        passages("hoi-cho-sach-2024", FAIR, 9),
    )
    return with_document(knowledge, document)


def test_a_detail_only_the_source_holds_is_quoted_with_its_source_and_date(with_fair: Knowledge) -> None:
    reply = reply_to(with_fair, "nlu_fallback", "Ai phát biểu khai mạc hội chợ sách Quảng Ngãi 2024?")
    text = said(reply)
    assert "«Ông Trần Văn Thử, Giám đốc Sở Văn hóa, phát biểu khai mạc hội chợ.»" in text
    assert (
        text.splitlines()[-1]
        == "Nguồn: Hội chợ sách Quảng Ngãi 2024 (bài báo thử) – https://example.org/hoi-cho (20/04/2024)."
    )
    assert reply.entry == "documents:hoi-cho-sach-2024"


def test_an_english_question_gets_an_english_lead_in_before_the_vietnamese_quote(
    with_fair: Knowledge,
) -> None:
    reply = reply_to(with_fair, "nlu_fallback", "How many booths did the Quang Ngai fair 2024 have?", "en")
    lines = said(reply).splitlines()
    assert lines[0] == "The source says (in Vietnamese):"
    assert any("40 gian hàng" in line for line in lines[1:-1])
    assert lines[-1].startswith("Source:") and "20 April 2024" in lines[-1]


def test_a_passage_about_another_province_or_year_never_answers(with_fair: Knowledge) -> None:
    for text in (
        "Ai phát biểu khai mạc hội chợ sách Quảng Nam 2024?",
        "Ai phát biểu khai mạc hội chợ sách Quảng Ngãi 2022?",
    ):
        assert "Trần Văn Thử" not in said(reply_to(with_fair, "nlu_fallback", text))


def test_a_follow_up_that_names_nothing_is_read_with_the_subject_of_the_conversation(
    knowledge: Knowledge,
) -> None:
    first = reply_to(knowledge, "ask_event_info", "Tuần lễ Chuyển đổi số Quảng Ngãi 2023")
    follow = reply_to(knowledge, "nlu_fallback", "Có bao nhiêu gian hàng?", **first.slots)
    assert "Huế" not in said(follow)


def test_a_modelled_attribute_keeps_its_structured_answer(knowledge: Knowledge) -> None:
    text = said(reply_to(knowledge, "ask_site_recognition", "Phố cổ Hội An được UNESCO công nhận năm nào?"))
    assert "1999" in text and "«" not in text


def test_a_passage_about_another_province_never_answers(knowledge: Knowledge) -> None:
    text = said(
        reply_to(knowledge, "ask_event_date", "Tuần lễ Chuyển đổi số Quảng Nam 2023 diễn ra khi nào?")
    )
    assert "Quảng Ngãi" not in text and "28/9" not in text


def test_a_question_without_its_province_is_asked_not_guessed(knowledge: Knowledge) -> None:
    reply = reply_to(knowledge, "ask_tourism_stat", "Doanh thu du lịch bao nhiêu?")
    assert reply.asks and "«" not in said(reply)


def test_everyday_typing_is_read_as_written_out(knowledge: Knowledge) -> None:
    typed = build_question(
        knowledge, "ask_tourism_stat", "ad ơi qngai đón bn khách năm 2022 ạ", [], {}, TODAY
    )
    written = build_question(
        knowledge, "ask_tourism_stat", "Quảng Ngãi đón bao nhiêu khách năm 2022", [], {}, TODAY
    )
    assert typed.mentioned == written.mentioned and typed.years == [2022]
    assert typed.original == "ad ơi qngai đón bn khách năm 2022 ạ"
    assert "650.000" in said(respond(knowledge, typed))


def test_health_questions_are_declined_with_what_the_assistant_does(knowledge: Knowledge) -> None:
    text = said(reply_to(knowledge, "ask_service_howto", "Tôi bị sốt cao thì nên uống thuốc gì?"))
    assert "không tư vấn về sức khỏe" in text and "115" in text


def test_health_insurance_procedures_are_still_answered(knowledge: Knowledge) -> None:
    text = said(reply_to(knowledge, "ask_service_howto", "Làm thẻ bảo hiểm y tế trên VNeID như thế nào?"))
    assert "sức khỏe" not in text


def test_the_index_finds_passages_and_entries_in_either_language() -> None:
    language = Language.from_data(
        {"cds": "chuyen doi so"}, [{"vi": ["diễn giả"], "en": ["speakers"]}], {"health": ["bị sốt"]}
    )
    from assistant.kb.documents import Document, passages

    body = "Tuần lễ chuyển đổi số thu hút hơn 50 diễn giả.\nTriển lãm có 25 gian hàng.\n"
    document = Document(
        "doc",
        "Tuần lễ",
        {"title": "Bài báo"},
        "2022",
        ("thua-thien-hue",),
        "vi",
        "",
        "d",
        passages("doc", body, 1),
    )
    index = RetrievalIndex([], [document])
    text = language.expand("How many speakers at the cds week?")
    query = index.query(text, language.equivalents(text.split()))
    [best, *_] = index.search(query)
    assert "50 diễn giả" in best.item.text  # type: ignore[union-attr]
    assert best.coverage > 0.5
    assert language.out_of_scope_domain("em bi sot qua") == "health"
    assert language.out_of_scope_domain("sốt ruột quá") is None
    assert date(2022, 1, 1)  # the index holds no dates of its own


def test_a_follow_up_that_names_a_sibling_entry_is_answered_from_that_entry(knowledge: Knowledge) -> None:
    first = reply_to(knowledge, "ask_dt_info", "Quảng Ngãi có bao nhiêu tổ công nghệ số cộng đồng?")
    follow = reply_to(knowledge, "nlu_fallback", "Cấp huyện có bao nhiêu thành viên?", **first.slots)
    assert follow.answered and follow.entry is not None and follow.entry != first.entry
    assert "huyện" in said(follow)


def test_a_word_one_typo_from_the_knowledges_words_is_read_as_that_word(knowledge: Knowledge) -> None:
    typed = build_question(
        knowledge, "ask_tourism_stat", "khach qouc te den qunag ngai nam 2022", [], {}, TODAY
    )
    assert typed.text == "khach quoc te den quang ngai nam 2022"
    assert typed.mentioned["provinces"] == ["quang-ngai"]
    plural = build_question(knowledge, "ask_service_documents", "What documents does it need?", [], {}, TODAY)
    assert plural.text == "what documents does it need?"  # English forms of known words are left alone


def test_a_greeting_alone_is_kept_but_dropped_around_a_question(knowledge: Knowledge) -> None:
    assert knowledge.language.expand("cảm ơn") == "cam on"
    assert knowledge.language.expand("hello, where is my son? thanks") == "where is my son?"


def test_a_passage_that_names_another_year_does_not_answer_for_its_documents_year(
    knowledge: Knowledge,
) -> None:
    body = "Năm 2021, Quảng Ngãi có 80 gian hàng hội chợ sách.\nHội chợ sách Quảng Ngãi có 95 gian hàng.\n"
    document = Document(
        "hoi-cho-2022",
        "Hội chợ sách Quảng Ngãi",
        {"title": "Hội chợ sách (bài báo thử)"},
        "2022-05",
        ("quang-ngai",),
        "vi",
        "test",
        "documents/hoi-cho-2022.md",
        passages("hoi-cho-2022", body, 1),
    )
    fair = with_document(knowledge, document)
    text = said(reply_to(fair, "nlu_fallback", "Hội chợ sách Quảng Ngãi năm 2022 có bao nhiêu gian hàng?"))
    assert "95 gian hàng" in text and "80" not in text
    text = said(reply_to(fair, "nlu_fallback", "Hội chợ sách Quảng Ngãi năm 2021 có bao nhiêu gian hàng?"))
    assert "80 gian hàng" in text


def test_an_app_named_in_a_question_read_as_a_procedure_question_is_answered_as_the_app(
    knowledge: Knowledge,
) -> None:
    reply = reply_to(knowledge, "ask_service_howto", "Hue-S dùng để làm gì?")
    assert reply.entry == "portals:hue-s-app" and "HueIOC" in said(reply)


def test_an_english_possessive_is_not_a_name(knowledge: Knowledge) -> None:
    question = build_question(
        knowledge, "ask_event_date", "When was Hue's 2022 digital week held?", [], {"language": "en"}, TODAY
    )
    assert "portals" not in question.mentioned or "hue-s-app" not in question.mentioned["portals"]


def test_words_that_stand_together_by_chance_weigh_less_than_a_phrase(knowledge: Knowledge) -> None:
    query = knowledge.index.query("hue ap dung nguyen tac gi khi trien khai chuyen doi so", language="vi")
    assert query.content["khi_trien"] < query.content["khi"]  # "… khi | triển khai …"
    for pair in ("khi_trien", "trien_khai", "hue_ap"):  # a pair never weighs more than its rarer word
        assert query.content[pair] <= max(knowledge.index.idf(word) for word in pair.split("_"))
    named = knowledge.index.query("khu chung tich son my", language="vi")
    # a name's words are one phrase: the pair weighs as much as its rarer word
    assert named.content["son_mi"] >= max(knowledge.index.idf(w) for w in ("son", "mi")) * 0.99


def test_words_asked_side_by_side_are_not_found_apart(knowledge: Knowledge) -> None:
    # "kết thúc" is not "kết quả … thực chất": the week's end date is not in the knowledge.
    reply = reply_to(knowledge, "ask_event_date", "Tuần lễ Chuyển đổi số Huế 2022 kết thúc ngày nào?")
    assert "«" not in said(reply)


def _talks(count: int) -> str:
    """A made-up list of `count` talks, long enough to be quoted in part."""
    return "; ".join(
        f"({n}) Ông Người Thứ {n}, Giám đốc Công ty Số {n}, trình bày tham luận “Chủ đề dài số {n} về nội dung"
        f" chuyển đổi số trong lĩnh vực thứ {n} của tỉnh”"
        for n in range(1, count + 1)
    )


def test_a_long_passage_is_quoted_around_the_part_that_answers(knowledge: Knowledge) -> None:
    talks = _talks(6)
    talks = talks.replace("lĩnh vực thứ 5", "nuôi trồng thủy sản ven biển")
    body = f"Các tham luận trình bày tại Hội nghị sách: {talks}.\n"
    document = made_up("hoi-nghi-sach", "Hội nghị sách Quảng Ngãi", "2024-05", "quang-ngai", body)
    assert len(document.passages[0].text) > 600
    fair = with_document(knowledge, document)
    text = said(
        reply_to(
            fair, "nlu_fallback", "Ai trình bày tham luận về nuôi trồng thủy sản ven biển ở hội nghị sách?"
        )
    )
    assert "Ông Người Thứ 5" in text and "…" in text
    assert len(text.splitlines()[0]) <= 600 + 4


def test_a_long_passage_is_quoted_around_the_words_that_tell_its_parts_apart(knowledge: Knowledge) -> None:
    # Every talk but the eighth "trình bày tham luận": the words the question shares with all of them weigh
    # less than the one only the eighth holds ("nông nghiệp", common in the knowledge).
    talks = _talks(10)
    talks = talks.replace("trình bày tham luận “Chủ đề dài số 8", "với tham luận “ngành nông nghiệp")
    body = f"Các tham luận trình bày tại Hội nghị sách: {talks}.\n"
    document = made_up("hoi-nghi-sach", "Hội nghị sách Quảng Ngãi", "2024-05", "quang-ngai", body)
    fair = with_document(knowledge, document)
    text = said(reply_to(fair, "nlu_fallback", "Ai trình bày tham luận về nông nghiệp ở hội nghị sách?"))
    assert "Ông Người Thứ 8" in text
    assert text.startswith("«Các tham luận trình bày tại Hội nghị sách: … ")  # the list's introduction kept


def test_where_a_site_lies_is_answered_from_the_site_not_a_passage(knowledge: Knowledge) -> None:
    # "nằm" of "nằm ở đâu" folds like "năm" (year) and "Nam": it asks where, it is no word of the content.
    reply = reply_to(knowledge, "ask_site_location", "Di tích Văn hóa Sa Huỳnh nằm ở đâu?")
    assert reply.entry == "heritage_sites:sa-huynh-culture-site" and "Đức Phổ" in said(reply)


def test_a_message_that_says_an_entrys_name_is_about_that_entry_whatever_the_intent(
    knowledge: Knowledge,
) -> None:
    # The NLU may read it as "where to get help in Huế"; the message says the administrative change's name.
    reply = reply_to(
        knowledge, "ask_service_help", "Thừa Thiên Huế trở thành thành phố Huế trực thuộc trung ương khi nào?"
    )
    assert reply.entry == "administrative_changes:hue-centrally-governed-city-2025"
    assert "1/1/2025" in said(reply)


def _one_document_index(body: str) -> RetrievalIndex:
    document = Document(
        "doc",
        "Báo cáo",
        {"title": "Báo cáo"},
        "2022",
        ("quang-ngai",),
        "vi",
        "",
        "d",
        passages("doc", body, 1),
    )
    return RetrievalIndex([], [document])


def test_a_translation_of_three_words_or_more_is_found_by_its_word_pairs() -> None:
    language = Language.from_data({}, [{"vi": ["phó giám đốc"], "en": ["deputy director"]}], {})
    index = _one_document_index(
        "Ông Đỗ Văn A, Phó Giám đốc Sở Nông nghiệp, phát biểu.\nHội nghị có 80 đại biểu.\n"
    )
    text = "Who is the deputy director?"
    [best, *_] = index.search(index.query(text, language.equivalents(text.lower().split()), "en"))
    assert "Đỗ Văn A" in best.item.text  # type: ignore[union-attr]
    assert best.coverage == pytest.approx(1.0)


def test_a_percent_sign_is_read_as_it_is_said() -> None:
    index = _one_document_index("Hơn 70% người dân sống dựa vào nông nghiệp.\nTỉnh có 13 huyện.\n")
    query = index.query("bao nhiêu phần trăm người dân sống dựa vào nông nghiệp", language="vi")
    [best, *_] = index.search(query)
    assert "70%" in best.item.text  # type: ignore[union-attr]
    assert best.coverage == pytest.approx(1.0)


def test_the_words_of_a_long_title_are_no_phrase_but_a_short_names_are(knowledge: Knowledge) -> None:
    # Titles say "… Quảng Ngãi năm 2022 …"; that does not make "ngãi năm" one phrase of a question.
    query = knowledge.index.query("giam doc so thong tin quang ngai nam 2022 la ai", language="vi")
    assert query.content["ngai_nam"] < knowledge.index.idf("ngai_nam") * 0.5
    assert query.content["quang_ngai"] >= knowledge.index.idf("quang_ngai") * 0.99


def test_co_may_asks_how_many_and_is_no_content() -> None:
    index = _one_document_index("Huế có 7 di sản được UNESCO công nhận.\n")
    assert "may" not in index.query("hue co may di san unesco", language="vi").content


def test_an_english_typo_is_corrected_to_an_english_word_only(knowledge: Knowledge) -> None:
    # "chart" is one letter from the Vietnamese "chất" (folded "chat"): an English word, not a typo of it.
    chart = build_question(knowledge, "ask_tourism_stat", "chart of visitors to Quang Ngai", [], {}, TODAY)
    assert chart.text == "chart of visitors to quang ngai"
    typo = build_question(knowledge, "ask_tourism_stat", "internatinal visitors to Quang Ngai", [], {}, TODAY)
    assert typo.text == "international visitors to quang ngai"


def test_a_question_whose_words_point_to_a_figure_is_not_answered_with_another_topics_entry(
    knowledge: Knowledge,
) -> None:
    # No province: the figure's answer asks which one, rather than a site that mentions visitors.
    reply = reply_to(knowledge, "ask_tourism_stat", "co bao nhieu khach du lich nam 2022")
    assert reply.asks == "ask_province"


def test_english_plurals_find_the_glossarys_singular_and_stop_words_stay_out() -> None:
    language = Language.from_data({}, [{"vi": ["huyện"], "en": ["district"]}], {})
    index = _one_document_index("Hội thi có sự tham gia của 13 huyện.\nTỉnh có nhiều bãi biển.\n")
    text = "How many districts took part? What does it do? I want to know"
    query = index.query(text, language.equivalents(text.lower().split()), "en")
    assert "doe" not in query.content  # "does", stemmed, is still a stop word
    assert "want" not in query.content and "know" not in query.content
    [best, *_] = index.search(query)
    assert "13 huyện" in best.item.text  # type: ignore[union-attr]


def test_a_passage_that_says_the_words_comes_before_one_whose_title_says_them() -> None:
    index = RetrievalIndex(
        [],
        [
            made_up(
                "a",
                "Di sản văn hóa Mỹ Sơn",
                "2022",
                "thua-thien-hue",
                "Điều thú vị cho người yêu thần thoại.\n",
            ),
            made_up(
                "b",
                "Tuần lễ chuyển đổi số",
                "2022",
                "thua-thien-hue",
                "Số hóa di sản văn hóa là cơ sở cho …\n",
            ),
        ],
    )
    [best, *_] = index.search(index.query("so hoa di san van hoa la co so cho dieu gi", language="vi"))
    assert best.item.document == "b"  # type: ignore[union-attr]


def test_a_time_question_is_not_answered_by_a_passage_without_a_number(with_fair: Knowledge) -> None:
    reply = reply_to(with_fair, "nlu_fallback", "Ông Trần Văn Thử phát biểu khai mạc hội chợ sách khi nào?")
    assert "«" not in said(reply)
    who = reply_to(with_fair, "nlu_fallback", "Ai phát biểu khai mạc hội chợ sách Quảng Ngãi 2024?")
    assert "Trần Văn Thử" in said(who)


def test_a_question_of_one_word_asked_of_nothing_is_not_answered_with_a_quote(knowledge: Knowledge) -> None:
    reply = reply_to(knowledge, "nlu_fallback", "How much does it cost?", language="en")
    assert "The source says" not in said(reply)
    assert "«" not in said(reply)


def test_an_entry_found_by_its_text_alone_yields_to_a_sentence_that_holds_the_question(
    knowledge: Knowledge,
) -> None:
    # The words are those of an entry about one business that applies digital technology (Vinasoy), which the
    # question does not name: the entry would be a guess; the source's sentence answers.
    document = made_up(
        "doanh-nghiep-2024",
        "Doanh nghiệp Quảng Ngãi 2024",
        "2024-03-01",
        "quang-ngai",
        "Quảng Ngãi có 120 doanh nghiệp ứng dụng công nghệ số.\n",
    )
    reply = reply_to(
        with_document(knowledge, document),
        "ask_dt_info",
        "quang ngai co bao nhieu doanh nghiep ung dung cong nghe so",
    )
    assert "«Quảng Ngãi có 120 doanh nghiệp ứng dụng công nghệ số.»" in said(reply)


def test_a_word_only_few_entries_names_hold_identifies_them(knowledge: Knowledge) -> None:
    index = knowledge.index
    vinasoy = knowledge.entry("digital_transformation", "qng-vinasoy-digital-economy-example")
    my_son = knowledge.entry("heritage_sites", "my-son-sanctuary")
    assert vinasoy is not None and my_son is not None
    assert index.identifies(index.query("vinasoy dung nen tang gi", language="vi"), vinasoy)
    assert not index.identifies(index.query("di san van hoa la gi", language="vi"), my_son)


def test_an_ordinal_is_read_alike_in_words_digits_and_list_marks() -> None:
    index = _one_document_index(
        "Có 3 yếu tố: 1. Có lãnh đạo quyết tâm; 2. Có hạ tầng tốt; 3. Có đội ngũ chuyên gia.\n"
        "Thứ hai là phải rà soát các nhiệm vụ.\n"
    )
    assert index.terms_of("yếu tố thứ ba") >= {"thu_3"}
    assert "thu_3" in index.terms_of("1. Có lãnh đạo; 3. Có đội ngũ")
    assert "thu_2" in index.terms_of("(2) Bà Nguyễn Thị A")
    assert "thu_5" not in index.terms_of("doanh thu năm 2022")  # revenue of a year, no ordinal
    [best, *_] = index.search(index.query("viec thu 2 can lam la gi", language="vi"))
    assert "rà soát" in best.item.text  # type: ignore[union-attr]


def test_a_small_number_read_as_a_year_is_no_year(knowledge: Knowledge) -> None:
    question = build_question(
        knowledge, "nlu_fallback", "yeu to thu 5 la gi", [{"entity": "year", "value": "5"}], {}, TODAY
    )
    assert question.years == []


def test_a_sentence_that_holds_the_question_comes_before_a_long_paragraph_that_holds_a_little_more() -> None:
    filler = " ".join(
        f"Nội dung thứ {n} bàn về dữ liệu, hạ tầng và nhân lực của xã {n}." for n in range(1, 30)
    )
    others = "\n\n".join(
        f"Hội nghị lần {n} có {n * 10} đại biểu tham dự tại hội trường." for n in range(1, 8)
    )
    index = _one_document_index(
        f"Nhiệm vụ thứ ba về chuyển đổi số là xây dựng kho dữ liệu.\n\n{filler} Nhiệm vụ thứ ba về chuyển đổi"
        f" số.\n\n{others}\n"
    )
    [best, *_] = index.search(index.query("nhiem vu thu ba ve chuyen doi so cua xa la gi", language="vi"))
    assert "kho dữ liệu" in best.item.text  # type: ignore[union-attr]


def test_an_english_word_the_knowledge_has_only_in_vietnamese_weighs_what_its_translation_weighs() -> None:
    language = Language.from_data({}, [{"vi": ["tham gia"], "en": ["join", "joined"]}], {})
    index = _one_document_index(
        "Có 149 hội viên tham gia lớp tập huấn.\nHội viên tham gia hội thi.\nHội thi có 13 đội tham gia.\n"
    )
    text = "How many members joined the training?"
    query = index.query(text, language.equivalents(text.lower().split()), "en")
    assert query.content["join"] == pytest.approx(index.idf("tham_gia"))
    assert query.content["join"] < index.idf("join")  # not the weight of a word nowhere in the knowledge


def test_a_lone_final_i_or_y_is_read_alike() -> None:
    index = _one_document_index("Đã cấp 2.275 chữ kí số cho lãnh đạo.\nTỉnh có 13 huyện.\n")
    [best, *_] = index.search(index.query("bao nhiêu chữ ký số", language="vi"))
    assert "chữ kí số" in best.item.text  # type: ignore[union-attr]
    assert best.coverage == pytest.approx(1.0)
    assert "my" not in index.query("What is my city?", language="en").content


def test_figures_answer_how_many_but_not_which(knowledge: Knowledge) -> None:
    # A made-up sentence (tests only) about an event whose figures the knowledge models.
    document = made_up(
        "gian-hang-hue-2022",
        "Gian hàng Tuần lễ Chuyển đổi số Huế 2022",
        "2022-08-18",
        "thua-thien-hue",
        "Các gian hàng của Tuần lễ đến từ thành phố Đà Lạt và thành phố Cần Thơ.\n",
    )
    knowledge = with_document(knowledge, document)
    which = said(
        reply_to(knowledge, "ask_event_figures", "Tuần lễ CĐS Huế 2022 có gian hàng từ những thành phố nào?")
    )
    assert "Đà Lạt" in which
    many = said(reply_to(knowledge, "ask_event_figures", "Tuần lễ CĐS Huế 2022 có bao nhiêu gian hàng?"))
    assert "25" in many and "Đà Lạt" not in many


def test_a_structured_reply_that_says_nothing_asked_yields_to_a_sentence_that_does(
    knowledge: Knowledge,
) -> None:
    # Read as a statistic, the question gets the province's tourism figures for the year, none of which is asked.
    document = made_up(
        "ngu-nghiep-2022",
        "Ngư nghiệp Quảng Ngãi 2022",
        "2022-05-01",
        "quang-ngai",
        "Năm 2022, Quảng Ngãi có hơn 5.000 tàu cá đánh bắt xa bờ.\n",
    )
    question = "Quảng Ngãi có bao nhiêu tàu cá đánh bắt xa bờ theo ngành thủy sản?"  # "ngành thủy sản" unsaid
    reply = reply_to(with_document(knowledge, document), "ask_tourism_stat", question, province="quang-ngai")
    assert "5.000 tàu cá" in said(reply)


def test_a_day_s_date_names_the_event_not_the_year_its_passages_speak_of(knowledge: Knowledge) -> None:
    document = made_up(
        "dien-dan-2024",
        "Diễn đàn kinh tế số Quảng Ngãi",
        "2024-06-12",
        "quang-ngai",
        "Các báo cáo tại Diễn đàn: (1) Công ty Thử Nghiệm trình bày báo cáo “Kinh tế số đến năm 2030”.\n",
    )
    known = with_document(knowledge, document)
    dated = said(
        reply_to(known, "nlu_fallback", "Công ty Thử Nghiệm trình bày báo cáo gì tại diễn đàn 12/6/2024?")
    )
    assert "Kinh tế số đến năm 2030" in dated
    # a year asked on its own is the year of the fact: this passage speaks of 2030, not of 2024
    year = said(reply_to(known, "nlu_fallback", "Năm 2024 Công ty Thử Nghiệm trình bày báo cáo gì?"))
    assert "Kinh tế số đến năm 2030" not in year


def test_a_question_about_what_a_thing_is_needs_no_province_but_a_rank_does(knowledge: Knowledge) -> None:
    # What the provincial DTI is made of is the same for every province: a passage that says it answers.
    pillars = reply_to(knowledge, "ask_dti_rank", "dti cap tinh gom may tru cot, la nhung tru cot nao vay")
    assert not pillars.asks
    assert "chính quyền số, kinh tế số, xã hội số" in said(pillars)
    # A rank, or a question that says little more than the index's name, is of a province: which one?
    for text in ("DTI cấp tỉnh xếp hạng thứ mấy?", "chỉ số DTI là gì"):
        assert reply_to(knowledge, "ask_dti_rank", text).asks == "ask_province"


def test_a_sentence_is_of_the_year_the_sentence_before_it_names(knowledge: Knowledge) -> None:
    # A 2024 article: its second sentence names no year, but speaks of the 2022 result the first one gives.
    body = (
        "Năm 2022, chỉ số hài lòng của tỉnh Quảng Ngãi đạt 81%. Ông Lê Văn Thử nhận xét kết quả này là bước"
        " tiến lớn nhờ bộ phận một cửa.\n"
        "Ông Lê Văn Thử cũng chủ trì hội nghị tổng kết năm 2024.\n"
    )
    extended = with_document(
        knowledge, made_up("chi-so-hai-long", "Chỉ số hài lòng Quảng Ngãi", "2024-05-02", "quang-ngai", body)
    )
    reply = reply_to(extended, "nlu_fallback", "ông Lê Văn Thử nhận xét gì về chỉ số hài lòng năm 2022?")
    assert "bước tiến lớn" in said(reply)
    # ... a sentence of another paragraph is of its document's year.
    assert "tổng kết" not in said(reply)


def test_english_modals_and_pronouns_ask_nothing() -> None:
    index = _one_document_index("Các chuyên gia đề xuất tỉnh sớm xây dựng hệ thống du lịch thông minh.\n")
    query = index.query("What should they build, and which one must it be during the week?", (), "en")
    assert not {"should", "they", "one", "must", "dur"} & set(query.content)
    assert {"build", "week"} <= set(query.content)


def test_an_english_reply_holds_a_word_through_its_glossary_synonym(knowledge: Knowledge) -> None:
    # The entry says "businesses", the question "company": one glossary item (doanh nghiệp) says both, so the
    # entry is not taken for a reply that holds nothing of what is asked.
    reply = reply_to(
        knowledge, "nlu_fallback", "Which Quang Ngai company is a digital transformation pioneer?", "en"
    )
    assert "Vinasoy" in said(reply)
