"""Folded keys of questions and near-duplicates: how unanswered questions are grouped."""

from __future__ import annotations

import re

from assistant.records.redact import LABELS
from assistant.text import one_edit_apart, words

# Politeness and filler words (folded) that do not change what is asked; question words are kept.
# Words that are also place names or topic words once folded (cho: chợ, hoi: Hội An, my: Mỹ Sơn, to: tổ chức,
# chi: chỉ số, minh: Minh Mạng, ...) are not stop words.
STOP_WORDS = frozenset(
    """a ah ak ha nhe nha nhi oi voi vay thi la va cua toi em ad admin xin giup vui long duoc khong ko k
    hay biet muon can the is are does did could would please tell me i you your us we our of about hi hello
    hey thanks thank know want need""".split()
)


# Polite phrases (folded) around a question: "cho mình hỏi", "bạn ơi", "làm ơn", "cảm ơn"...
_STOP_PHRASES = re.compile(
    r"\b(?:(?:cho|xin) (?:minh |toi |em |anh |chi |con |ban )?(?:hoi|biet)|(?:ban|ad|admin|bot|em|anh|chi) oi"
    r"|lam on|cam on|cho (?:minh|toi|em|anh|chi|con) biet)\b"
)


def question_key(text: str) -> str:
    """The folded words of a question without labels, punctuation, polite phrases and stop words, in order."""
    for label in LABELS:
        text = text.replace(label, " ")
    folded = " ".join(words(text))
    kept = [w for w in _STOP_PHRASES.sub(" ", folded).split() if w not in STOP_WORDS]
    return " ".join(kept) if kept else folded


def _near_words(a: str, b: str) -> bool:
    """Same word, or a word of 4 letters or more with one typo (numbers must be equal: 2022 is not 2023)."""
    return a == b or (a.isalpha() and b.isalpha() and min(len(a), len(b)) >= 4 and one_edit_apart(a, b))


def similarity(key_a: str, key_b: str) -> float:
    """Jaccard similarity of the word sets of two keys, a word with one typo counting as the same word."""
    set_a, set_b = set(key_a.split()), set(key_b.split())
    if not set_a and not set_b:
        return 1.0
    common = set_a & set_b
    rest_b = set_b - common
    matched = len(common)
    for word in sorted(set_a - common):
        partner = next((other for other in sorted(rest_b) if _near_words(word, other)), None)
        if partner is not None:
            rest_b.discard(partner)
            matched += 1
    return matched / (len(set_a) + len(set_b) - matched)


_NUMBERS = re.compile(r"[0-9]+")


def near_duplicates(key_a: str, key_b: str, threshold: float = 0.8) -> bool:
    """True when two folded keys ask the same thing: equal, one typo apart, or sharing most words."""
    if key_a == key_b:
        return True
    same_numbers = _NUMBERS.findall(key_a) == _NUMBERS.findall(key_b)
    if same_numbers and min(len(key_a), len(key_b)) >= 8 and one_edit_apart(key_a, key_b):
        return True
    return similarity(key_a, key_b) >= threshold
