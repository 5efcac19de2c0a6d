"""Folding and language detection used by the NLU pipeline and the knowledge search."""

from __future__ import annotations

import unicodedata

import pytest

from assistant.text import detect_language, fold, stem


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đại Nội Huế", "dai noi hue"),
        ("Thừa Thiên Huế", "thua thien hue"),
        ("QUẢNG NGÃI", "quang ngai"),
        ("Mỹ Sơn", "my son"),
        ("already plain", "already plain"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_keeps_length_of_nfc_text_and_accepts_decomposed_input() -> None:
    text = "Lăng Tự Đức được công nhận năm nào?"
    assert len(fold(text)) == len(text)
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("xin chào", "vi"),
        ("xin chao", "vi"),
        ("dai noi hue o dau", "vi"),
        ("cam on ban", "vi"),
        ("hello", "en"),
        ("where is My Son sanctuary", "en"),
        ("how many visitors did Quang Ngai receive in 2022", "en"),
        ("How many visitors did Quảng Ngãi get in 2022?", "en"),
        ("Where is Mỹ Sơn?", "en"),
        ("Lăng Tự Đức là gì?", "vi"),
        ("2022", None),
        ("ok", None),
    ],
)
def test_detect_language(text: str, language: str | None) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        ("speakers", "speaker"),
        ("companies", "company"),
        ("businesses", "business"),
        ("churches", "church"),
        ("class", "class"),
        ("opened", "open"),
    ],
)
def test_stem(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed
