"""Words learnt from the knowledge's own translations, and the knowledge read as questions are."""

from __future__ import annotations

from assistant.kb.documents import Document, passages
from assistant.kb.entry import Entry
from assistant.kb.index import RetrievalIndex
from assistant.kb.lexicon import learn_pairs
from assistant.language import Language


def _event(number: int, vi: str, en: str) -> Entry:
    return Entry(
        "events",
        f"e{number}",
        {
            "id": f"e{number}",
            "name": {"vi": f"Sự kiện {number}", "en": f"Event {number}"},
            "description": {"vi": vi, "en": en},
        },
    )


ENTRIES = [
    _event(
        1, "Tuần lễ có 30 diễn giả. Triển lãm mở cửa.", "The week had 30 speakers. The exhibition opened."
    ),
    _event(2, "Tuần lễ ở Huế thu hút khách.", "The week in Huế drew visitors."),
    _event(3, "Tuần lễ kết thúc ngày 2/10.", "The week ended on 2 October."),
    _event(4, "Tuần lễ có hội thảo lớn.", "The week had a large workshop."),
    _event(5, "Hội thảo bàn về dữ liệu.", "The workshop discussed data."),
    _event(6, "Hội thảo có 200 đại biểu.", "The workshop had 200 delegates."),
]


def _pairs(entries: list[Entry]) -> dict[tuple[str, ...], tuple[str, ...]]:
    return {next(iter(en)): next(iter(vi)) for vi, en in learn_pairs(entries)}


def test_words_that_translate_each_other_are_learnt_from_the_entries() -> None:
    pairs = _pairs(ENTRIES)
    assert pairs[("week",)] == ("tuan", "le")  # the two-syllable word, not "tuần" or "lễ" alone
    assert pairs[("workshop",)] == ("hoi", "thao")
    assert ("drew",) not in pairs  # seen once: not evidence of a translation
    assert all(vi != ("hue",) for vi in pairs.values())  # a name written alike in both is no translation


def test_an_english_question_finds_a_vietnamese_passage_through_learnt_words() -> None:
    body = "Tuần lễ năm nay có hơn 40 diễn giả.\nGiá vé là 50.000 đồng.\n"
    document = Document(
        "d", "Bài", {"title": "Bài báo"}, "2023", ("quang-ngai",), "vi", "", "d", passages("d", body, 1)
    )
    language = Language.from_data({}, [{"vi": ["diễn giả"], "en": ["speakers"]}]).with_learned(
        learn_pairs(ENTRIES)
    )
    index = RetrievalIndex([], [document], language.read_source)
    text = "How many speakers did the week have?"
    query = index.query(text, language.equivalents(text.split()), "en")
    [best, *_] = index.search(query)
    assert "40 diễn giả" in best.item.text  # type: ignore[union-attr]
    assert best.coverage == 1.0  # "week?" is found as "tuần lễ", its question mark notwithstanding


def test_the_knowledge_is_read_with_its_acronyms_written_out() -> None:
    language = Language.from_data(
        {"ubnd": "uy ban nhan dan", "k": "khong", "tt tt": "thong tin va truyen thong"}, []
    )
    body = "Chủ tịch UBND tỉnh chủ trì.\nSở TT&TT báo cáo k kịp.\n"
    document = Document(
        "d", "Bài", {"title": "Bài"}, "2022", ("quang-ngai",), "vi", "", "d", passages("d", body, 1)
    )
    index = RetrievalIndex([], [document], language.read_source)
    query = index.query(language.expand("Chủ tịch ủy ban nhân dân tỉnh"), language="vi")
    [best, *_] = index.search(query)
    assert best.item.text.startswith("Chủ tịch UBND")  # type: ignore[union-attr]
    assert best.coverage == 1.0
    assert "thong tin va truyen thong" in language.read_source("Sở TT&TT")
    assert language.read_source("k kịp") == "k kip"  # chat short forms are not how sources write


def test_glossary_phrases_are_read_as_questions_are_whatever_their_length() -> None:
    language = Language.from_data(
        None,
        [
            {"vi": ["ủy ban nhân dân"], "en": ["people's committee"]},
            {"vi": ["sở thông tin và truyền thông"], "en": ["department of information and communications"]},
        ],
    )
    # a question loses its possessive 's before the glossary is looked up; so does the glossary
    found = dict(language.equivalents("who is the people committee".split()))
    assert found[("people", "committee")] == (("uy", "ban", "nhan", "dan"),)
    found = dict(language.equivalents("so thong tin va truyen thong quang ngai".split()))
    assert ("so", "thong", "tin", "va", "truyen", "thong") in found
