"""Re-type a question the way residents and tourists type it: no diacritics, teencode and abbreviations, one
typo, polite fillers, careless casing. Used by `make eval` (set 3) with a new random seed on every run.

The forms below are written from how people chat (forums, Zalo groups, comments), independently of the
assistant's own table (knowledge/language/abbreviations.yml): some are on purpose ones that table leaves out,
so that the measure says how the assistant copes, not how well the two lists agree.

    python -m scripts.retype "Quảng Ngãi đón bao nhiêu khách năm 2022?" --seed 7
"""

from __future__ import annotations

import argparse
import random
import re
import unicodedata

from assistant.text import fold

# Vietnamese words and phrases (with diacritics, lower case) and how people shorten them.
SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "không": ("ko", "k", "hok", "khum", "kh"),
    "được": ("dc", "đc", "đk"),
    "bao nhiêu": ("bn", "bnhiu", "bao nhiu"),
    "như thế nào": ("ntn", "nhu nao"),
    "thế nào": ("ntn", "sao"),
    "gì": ("j", "gi"),
    "vậy": ("z", "v", "zay"),
    "với": ("vs", "voi"),
    "mình": ("mk", "m"),
    "biết": ("bik", "bit"),
    "người": ("ng",),
    "chuyển đổi số": ("cds", "CĐS", "cđs"),
    "dịch vụ công": ("dvc", "DVC"),
    "căn cước công dân": ("cccd", "CCCD"),
    "đăng ký khai sinh": ("dkks", "đk khai sinh"),
    "đăng ký": ("dk", "đk", "dky"),
    "ủy ban nhân dân": ("ubnd", "UBND"),
    "thành phố": ("tp", "TP"),
    "quảng ngãi": ("qngai", "qng", "Q.Ngãi"),
    "quảng nam": ("qnam", "Q.Nam"),
    "thừa thiên huế": ("tt hue", "TT Huế", "TTHuế"),
    "thông tin": ("tt",),
    "trước": ("trc",),
    "bao giờ": ("bh", "bjo"),
}
FILLERS_BEFORE = (
    "ad ơi ",
    "ad oi ",
    "cho em hỏi ",
    "cho mình hỏi ",
    "dạ cho em hỏi ",
    "bạn ơi ",
    "shop ơi ",
    "",
)
FILLERS_AFTER = (" ạ", " a", " với ạ", " nhé", " nha", " vậy ạ", " z", "")
ENGLISH_BEFORE = ("hi, ", "hello ", "pls ", "hey ", "")
ENGLISH_AFTER = (" pls", " thanks", " ?", "")
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


def strip_marks(text: str) -> str:
    """The text without diacritics, case kept (đ -> d)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        plain = fold(char)
        out.append(plain.upper() if char.isupper() else plain)
    return "".join(out)


def _typo(text: str, rng: random.Random) -> str:
    """One typo in one word of four letters or more: a letter dropped, doubled, swapped or replaced."""
    words = list(_WORD.finditer(text))
    if not words:
        return text
    match = rng.choice(words)
    word = match.group()
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "double", "swap", "replace"))
    if kind == "drop":
        changed = word[:i] + word[i + 1 :]
    elif kind == "double":
        changed = word[:i] + word[i] + word[i:]
    elif kind == "swap":
        changed = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    else:
        nearby = "qwertyuiopasdfghjklzxcvbnm"
        changed = word[:i] + rng.choice(nearby) + word[i + 1 :]
    return text[: match.start()] + changed + text[match.end() :]


def retype(text: str, language: str, rng: random.Random) -> str:
    """`text` as someone typing fast would send it (`language`: vi, vi_plain or en)."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if language == "en":
        text = rng.choice(ENGLISH_BEFORE) + text.rstrip("?").lower() + rng.choice(ENGLISH_AFTER)
        return _typo(text, rng) if rng.random() < 0.8 else text
    lowered = text.lower()
    for phrase, forms in SHORT_FORMS.items():
        if phrase in lowered and rng.random() < 0.6:
            lowered = lowered.replace(phrase, rng.choice(forms))
    text = lowered.rstrip("?. ")
    if rng.random() < 0.5:
        text = rng.choice(FILLERS_BEFORE) + text
    if rng.random() < 0.5:
        text += rng.choice(FILLERS_AFTER)
    if rng.random() < 0.85:
        text = strip_marks(text)
    if rng.random() < 0.8:
        text = _typo(text, rng)
    if rng.random() < 0.2:
        text = text.upper()
    return text.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("text", nargs="+")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--language", default="vi")
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 (test data, not security)
    for text in args.text:
        print(retype(text, args.language, rng))


if __name__ == "__main__":
    main()
