"""How messages are read: by the answering code (fillers dropped) and by the NLU (greetings and thanks kept
when they are all the message says)."""

from __future__ import annotations

from assistant.answering.common import Knowledge
from assistant.reading import read_for_intent, read_message


def test_the_nlu_keeps_thanks_and_greetings_said_alone_but_not_around_a_question(
    knowledge: Knowledge,
) -> None:
    language, index = knowledge.language, knowledge.index
    assert read_for_intent(language, index, "Cảm ơn bạn") == "cam on ban"
    assert read_for_intent(language, index, "hello") == "hello"
    assert read_for_intent(language, index, "thanks a lot") == "thanks a lot"
    assert read_for_intent(language, index, "Cám ơn bạn đã giúp") == "cam on ban da giup"
    assert read_for_intent(language, index, "ad ơi qngai đón bn khách") == "quang ngai don bao nhieu khach"
    assert read_for_intent(language, index, "hi, when was it built thanks") == "when was it built"
    assert read_message(language, index, "ad ơi qngai đón bn khách") == "quang ngai don bao nhieu khach"


def test_typos_are_corrected_in_vietnamese_only_for_the_nlu(knowledge: Knowledge) -> None:
    language, index = knowledge.language, knowledge.index
    assert read_for_intent(language, index, "khach qouc te den quang ngai") == "khach quoc te den quang ngai"
    assert (
        read_for_intent(language, index, "what kind of questions can I ask")
        == "what kind of questions can i ask"
    )


def test_a_typo_is_corrected_to_a_word_not_to_a_stem(knowledge: Knowledge) -> None:
    language, index = knowledge.language, knowledge.index
    assert read_message(language, index, "And when did it close?") == "and when did it close?"
    assert read_message(language, index, "tourim data") == "tourism data"
    assert read_message(language, index, "Chủ tịch UBND tỉnh") == "chu tich uy ban nhan dan tinh"


def test_a_provinces_name_or_short_form_typed_one_letter_off_is_read_as_the_province(
    knowledge: Knowledge,
) -> None:
    language, index = knowledge.language, knowledge.index
    assert read_message(language, index, "quang ngi đón bao nhiêu khách") == "quang ngai don bao nhieu khach"
    assert read_message(language, index, "DTI qnngai 2022") == "dti quang ngai 2022"
    assert read_message(language, index, "dti q.gnai 2022") == "dti quang ngai 2022"
    assert read_message(language, index, "what was quang nagi's rank") == "what was quang ngai rank"
    assert read_for_intent(language, index, "qgnai don bn khach") == "quang ngai don bao nhieu khach"
    # a name already right stays, and so does a typo as near to two provinces
    assert read_message(language, index, "o quang nam") == "o quang nam"
    assert read_message(language, index, "quang nai") == "quang nai"
    # nor do words that only look like a province the knowledge does not cover ("lao động", "căn cước")
    assert read_message(language, index, "so lao dong cap can cuoc") == "so lao dong cap can cuoc"


def test_a_follow_up_between_fillers_is_read_without_them(knowledge: Knowledge) -> None:
    assert read_for_intent(knowledge.language, knowledge.index, "pls and in 2021 thanks") == "and in 2021"


def test_a_short_form_typed_with_a_letter_too_many_is_read_as_the_province(knowledge: Knowledge) -> None:
    assert read_message(knowledge.language, knowledge.index, "QNNAM xếp thứ mấy") == "quang nam xep thu may"
