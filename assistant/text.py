"""Text folding shared by the NLU pipeline and the knowledge search.

Vietnamese is often typed without diacritics; folding maps both forms to one key.
`fold` keeps the length of NFC text, so entity offsets stay valid after folding.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# The languages the assistant answers in (its wording, its channels' messages).
LANGUAGES = ("vi", "en")
MONTHS_EN = "January February March April May June July August September October November December".split()

_SPECIAL = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"}
_WORD = re.compile(r"\w+", re.UNICODE)
# An English possessive ("Huế's") is its noun: the "s" would be a word of its own ("Hue s" reads as "Hue-S").
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")


def without_possessives(text: str) -> str:
    """`text` with the "'s" of English possessives taken off."""
    return _POSSESSIVE.sub("", text)


# A combining mark NFC left on its own (no precomposed letter has it) folds to this invisible mark that never
# composes (COMBINING GRAPHEME JOINER): the mark is stripped, the length kept, and folded text stays folded.
_STRIPPED_MARK = "\u034f"


@functools.lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    if char in _SPECIAL:
        return _SPECIAL[char]
    if unicodedata.combining(char):
        return _STRIPPED_MARK
    decomposed = unicodedata.normalize("NFD", char)
    # A letter with marks folds to the letter; anything else (e.g. a Hangul syllable) only to lower case.
    if not all(unicodedata.combining(c) for c in decomposed[1:]):
        return char.lower() if len(char.lower()) == 1 else char
    base = decomposed[0]
    return base.lower() if len(base.lower()) == 1 else char.lower()


def fold(text: str) -> str:
    """Lower-case `text` and strip its diacritics, one character for one character of NFC text."""
    text = unicodedata.normalize("NFC", text)
    folded = [_fold_char(c) for c in text]
    result = "".join(folded)
    if unicodedata.is_normalized("NFC", result):
        return result
    # Rare (e.g. Sinhala vowel signs): a stripped letter would compose with the next character; keep it whole.
    for i in range(len(folded) - 1):
        pair = folded[i] + folded[i + 1]
        if not unicodedata.is_normalized("NFC", pair):
            lower = text[i].lower()
            folded[i] = lower if len(lower) == 1 else text[i]
    return "".join(folded)


def words(text: str) -> list[str]:
    """The folded words of `text`."""
    return _WORD.findall(fold(text))


def has_vietnamese_marks(text: str) -> bool:
    """True when `text` carries Vietnamese diacritics (so it is certainly Vietnamese)."""
    text = unicodedata.normalize("NFC", text)
    return any(c != f for c, f in zip(text.lower(), fold(text), strict=False) if c.isalpha())


# Words that tell English from Vietnamese typed without diacritics; words spelt alike in both are left out.
_ENGLISH = frozenset(
    """what where when which who whom whose why how many much is are was were the of in at to for from with
    and or an does did can could would should will you your me my i we our it its this these those there
    please hello hi hey thanks thank bye goodbye good morning evening help about tell show give need want know
    visitors visitor tourists tourist heritage heritages site sites tomb pagoda temple town island ancient
    recognised recognized recognition unesco year years rank ranking ranked index revenue statistics number
    international foreign event events theme organiser organizer organised organized register registration
    online service services procedure portal apply certificate birth marriage residence identity card licence
    license electricity water business land fee fees documents steps digital transformation week workshop
    province city located location open opening hours ticket tickets weather book booking hotel are you bot
    human robot real person ok okay yes no not nothing else more than less near nearby me map chart
    compare""".split()
)
_VIETNAMESE = frozenset(
    """la cua co khong nao bao nhieu dau gi xin chao cam toi ban minh nam tinh khach du lich di tich nhu ve va
    cho duoc nhe oi tam biet giup hoi sao con ai may lam thu tuc dang ky o dia diem chua lang thanh pho nha
    nguoi dan cong dich vu truc tuyen chuyen doi so su kien ngay thang chu de xep hang chi bao gom mat bang
    luot quoc te doanh thu bieu do so sanh gan day ve sinh khai sinh ket hon tam tru thuong tru dien nuoc
    giay phep ho so phi le hoi thong tin nhieu vay roi chua a u ha nhi thi duoc biet vui long huong dan
    muon can tim xem bay gio hom nay nay kia kho hieu dung sai ok tro cap that nghiep giay to kinh doanh dat
    lai cuoc cong dan hoc sinh tuyen sinh thue bao hiem xa hoi lanh dao quan ly ban hanh ke hoach quyet dinh
    thanh vien doi ngu nhan luc khai thac du lieu xay dung bao lau mat phai tien mien phi khi""".split()
)


def detect_language(text: str) -> str | None:
    """'vi' or 'en' when the text says which, None when it cannot tell (a number, an emoji, 'ok').

    English questions often carry Vietnamese names with their marks ("Where is Mỹ Sơn?"), so marks are counted
    word by word rather than deciding alone: each English word weighs 1.5, each Vietnamese word 1.
    """
    text = unicodedata.normalize("NFC", text)
    english = 0.0
    vietnamese = 0.0
    for word in _WORD.findall(text):
        plain = fold(word)
        if plain != word.lower():
            vietnamese += 1
        elif plain in _ENGLISH and plain not in _VIETNAMESE:
            english += 1.5
        elif plain in _VIETNAMESE and plain not in _ENGLISH:
            vietnamese += 1
    if english > vietnamese:
        return "en"
    if vietnamese > english or (vietnamese and vietnamese == english):
        return "vi"
    return None


def one_edit_apart(a: str, b: str) -> bool:
    """True when b is a with exactly one character inserted, deleted, replaced, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        if len(diff) != 2 or diff[1] != diff[0] + 1:
            return False
        i, j = diff
        return a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def stem(word: str) -> str:
    """A light English stem ('speakers' -> 'speaker', 'companies' -> 'company'); Vietnamese syllables never end in -s, -ed or -ing."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"  # 'companies' -> 'company'
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]  # 'businesses' -> 'business'
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word
