"""Source documents: front matter, passages that keep their place, and the project's own documents."""

from __future__ import annotations

from pathlib import Path

from assistant.kb.documents import document_date_text, passages, read_documents
from assistant.kb.validate import validate_dir

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"


def test_a_body_is_split_into_sentences_that_keep_their_line_and_heading() -> None:
    body = "Quảng Ngãi quyết liệt chuyển đổi số\nNăm 2022, DTI tăng 34 bậc. Tỉnh có 1.141 tổ.\n\n- Một dòng liệt kê đủ dài.\n"
    found = passages("doc", body, first_line=9)
    assert [(p.number, p.line, p.text, p.heading) for p in found] == [
        (0, 9, "Quảng Ngãi quyết liệt chuyển đổi số", "Quảng Ngãi quyết liệt chuyển đổi số"),
        (1, 10, "Năm 2022, DTI tăng 34 bậc.", "Quảng Ngãi quyết liệt chuyển đổi số"),
        (2, 10, "Tỉnh có 1.141 tổ.", "Quảng Ngãi quyết liệt chuyển đổi số"),
        (3, 12, "Một dòng liệt kê đủ dài.", "Quảng Ngãi quyết liệt chuyển đổi số"),
    ]
    assert found[1].ref == "doc#1"


def test_a_numbered_section_title_heads_what_follows_but_is_not_quoted() -> None:
    body = "II. Một số hoạt động hưởng ứng\n2. Các hoạt động khác\nĐã thành lập 1.141 tổ công nghệ số.\n"
    found = passages("doc", body, first_line=1)
    assert [(p.text, p.heading) for p in found] == [
        ("Đã thành lập 1.141 tổ công nghệ số.", "Các hoạt động khác")
    ]


def test_a_sentence_ends_where_the_space_after_its_full_stop_was_lost() -> None:
    found = passages(
        "doc", "Các bệnh viện họp trực tuyến.Ông Nguyễn Văn Thử cho biết thêm. TP.HCM có 10 tổ.\n", 1
    )
    assert [p.text for p in found] == [
        "Các bệnh viện họp trực tuyến.",
        "Ông Nguyễn Văn Thử cho biết thêm.",
        "TP.HCM có 10 tổ.",
    ]


def test_the_sentences_of_a_quote_keep_who_says_them_to_the_end_of_the_paragraph() -> None:
    body = (
        "Ông Nguyễn Văn Thử, Giám đốc Công ty Số nói: Việc này cần thời gian. Thứ hai là con người.\n"
        "Một đoạn khác không có lời ai.\n"
    )
    found = passages("doc", body, first_line=1)
    assert [(p.text, p.speaker) for p in found] == [
        ("Ông Nguyễn Văn Thử, Giám đốc Công ty Số nói: Việc này cần thời gian.", ""),
        ("Thứ hai là con người.", "Ông Nguyễn Văn Thử, Giám đốc Công ty Số"),
        ("Một đoạn khác không có lời ai.", ""),
    ]


def test_numbers_and_abbreviations_do_not_end_a_sentence() -> None:
    found = passages("doc", "Doanh thu đạt 1.250.000 đồng, tăng 3,2 lần so với TP. Huế năm trước.\n", 1)
    assert len(found) == 1


def test_the_items_of_a_numbered_list_stay_with_what_they_list() -> None:
    body = "Huế thành công nhờ 03 điểm: 1. Lãnh đạo quan tâm; 2. Thực hiện nguyên tắc: Bắt buộc trước; 3. Một nền tảng. Năm 2022 Huế xếp thứ 2.\n"
    found = [p.text for p in passages("d", body, 1)]
    assert found == [
        "Huế thành công nhờ 03 điểm: 1. Lãnh đạo quan tâm; 2. Thực hiện nguyên tắc: Bắt buộc trước; 3. Một nền tảng.",
        "Năm 2022 Huế xếp thứ 2.",
    ]


def test_dates_are_shown_with_the_precision_the_source_gives() -> None:
    assert document_date_text("2022-08-18", "vi") == "18/08/2022"
    assert document_date_text("2022-10", "vi") == "10/2022"
    assert document_date_text("2023", "vi") == "2023"
    assert document_date_text("2022-08-18", "en") == "18 August 2022"
    assert document_date_text("2022-10", "en") == "October 2022"


def test_the_project_documents_are_valid_and_quote_their_seed_verbatim() -> None:
    _, problems = validate_dir(ROOT / "knowledge", seeds_dir=SEEDS if SEEDS.is_dir() else None)
    assert problems == []
    documents = read_documents(ROOT / "knowledge")
    assert len(documents) >= 5
    for document in documents:
        assert document.passages, document.id
        seed = document.source.get("seed")
        if seed and SEEDS.is_dir():
            original = " ".join((SEEDS / seed).read_text(encoding="utf-8").split())
            for passage in document.passages:
                assert passage.text in original, (document.id, passage.text)
