"""Properties of the text normaliser (assistant/text.py, rasa_ext/normalizer.py, bot/inbound.py) on any
Unicode text: folding keeps the length of NFC text, is idempotent, leaves ASCII as ASCII, and nothing raises."""

from __future__ import annotations

import string
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.reading import message_reader
from assistant.text import detect_language, fold, has_vietnamese_marks, words
from bot.inbound import clean_text, user_text
from rasa_ext.normalizer import LANGUAGE_ENTITY, ORIGINAL_TEXT, VietnameseNormalizer

BOUNDED = settings(max_examples=200, deadline=None)
VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
# Any text without lone surrogates (hypothesis's default), text rich in combining marks, Vietnamese text in
# NFC or NFD and either case, and ASCII.
any_text = st.text()
combining = st.text(
    st.one_of(st.characters(categories=("Mn", "Mc", "Me")), st.sampled_from("aAeEoOuUyYđĐ ")), max_size=30
)
vietnamese = st.builds(
    lambda text, form, upper: unicodedata.normalize(form, text.upper() if upper else text),
    st.text(st.sampled_from(VIETNAMESE + " ?"), max_size=40),
    st.sampled_from(["NFC", "NFD"]),
    st.booleans(),
)
texts = st.one_of(any_text, combining, vietnamese)
ascii_text = st.text(st.sampled_from(string.printable))


@BOUNDED
@given(texts)
def test_fold_keeps_the_length_of_nfc_text(text: str) -> None:
    assert len(fold(text)) == len(unicodedata.normalize("NFC", text))


@BOUNDED
@given(texts)
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@BOUNDED
@given(texts)
def test_fold_does_not_depend_on_the_normal_form(text: str) -> None:
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text)) == fold(text)


@BOUNDED
@given(ascii_text)
def test_ascii_stays_ascii(text: str) -> None:
    assert fold(text) == text.lower()
    assert fold(text).isascii()
    assert not has_vietnamese_marks(text)


@BOUNDED
@given(vietnamese)
def test_vietnamese_folds_to_plain_lower_case_letters(text: str) -> None:
    folded = fold(text)
    assert folded.isascii() and folded == folded.lower()
    assert not has_vietnamese_marks(folded)


@BOUNDED
@given(texts)
def test_words_and_language_never_raise(text: str) -> None:
    assert words(text) == words(fold(text))
    assert all(word and word == fold(word) for word in words(text))
    assert detect_language(text) in ("vi", "en", None)
    assert detect_language(unicodedata.normalize("NFD", text)) == detect_language(text)


@BOUNDED
@given(texts)
def test_the_nlu_component_folds_and_keeps_the_original(text: str) -> None:
    normalizer = VietnameseNormalizer({})
    [message] = normalizer.process([Message({TEXT: text})])
    if not text:
        return
    read = message.get(TEXT)
    forced = text.lstrip().startswith("/")
    assert read == (
        fold(text) if forced else message_reader()(text)
    )  # abbreviations written out, typos fixed
    assert fold(read) == read
    assert message.get(ORIGINAL_TEXT) == text
    languages = [e["value"] for e in message.get(ENTITIES, []) if e["entity"] == LANGUAGE_ENTITY]
    assert languages == ([detect_language(text)] if detect_language(text) else [])


@BOUNDED
@given(texts, st.data())
def test_training_entities_keep_their_offsets(text: str, data: st.DataObject) -> None:
    nfc = unicodedata.normalize("NFC", text)
    start = data.draw(st.integers(0, len(nfc)))
    end = data.draw(st.integers(start, len(nfc)))
    entity = {"entity": "site", "start": start, "end": end, "value": nfc[start:end]}
    example = Message({TEXT: nfc, ENTITIES: [entity]})
    VietnameseNormalizer({}).process_training_data(TrainingData([example]))
    folded = example.get(TEXT)
    assert folded == fold(nfc) and len(folded) == len(nfc)
    assert example.get(ENTITIES)[0]["value"] == folded[start:end]


@BOUNDED
@given(st.one_of(texts, st.text(st.characters(codec=None, categories=("Cs", "Cc", "Cf", "Zs", "Zl", "Zp")))))
def test_channel_cleaning_is_idempotent_and_never_raises(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert cleaned == unicodedata.normalize("NFC", cleaned) == cleaned.strip()
    assert not any(unicodedata.category(c) in ("Cc", "Cs") and c != "\n" for c in cleaned)
    try:
        sent = user_text(text)
    except Exception as error:  # only the two refusals
        assert getattr(error, "key", None) in ("empty", "too_long")
    else:
        assert sent and user_text(sent) == sent


def test_a_forced_intent_reaches_rasa_as_it_was_sent() -> None:
    [message] = VietnameseNormalizer({}).process([Message({TEXT: '/greet{"language": "vi"}'})])
    assert message.get(TEXT) == '/greet{"language": "vi"}'
