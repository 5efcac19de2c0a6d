"""Redaction: phone numbers, citizen ID numbers, e-mail addresses and locations replaced by a label before a
question is stored."""

from __future__ import annotations

import re
import unicodedata

from assistant.text import fold

PHONE_LABEL = "[số điện thoại]"
ID_LABEL = "[số định danh]"
EMAIL_LABEL = "[email]"
LOCATION_LABEL = "[vị trí]"
LABELS = (PHONE_LABEL, ID_LABEL, EMAIL_LABEL, LOCATION_LABEL)

_D = "[0-9]"
# Between two digits of a phone number: nothing, one space, dot or dash, or the parenthesis of an area code.
_SEP = r"(?:[ .\-]|\)[ ]?|[ ]?\()?"


def _digits(count: int) -> str:
    return rf"(?:{_SEP}{_D}){{{count}}}"


# National number after the country code: mobile (9 digits), old 11-digit mobile or landline (10 digits).
_AFTER_84 = rf"(?:[12]{_digits(9)}|[3-9]{_digits(8)})"
_PLUS_84 = rf"\(?(?:\+[ ]?|00[ ]?)84\)?[ .\-]?(?:\(0\)[ ]?)?\(?{_AFTER_84}"
_BARE_84 = rf"84[ ]?{_AFTER_84}"
# A 12-digit citizen ID (CCCD) starts with the code of a province, 001 to 096.
_CCCD = rf"0(?:0[1-9]|[1-8]{_D}|9[0-6]){_digits(9)}"
# 0 + 10 digits (landline 02x..., old mobile 01x...) or 0 + 9 digits (mobile, old landline).
_NATIONAL = rf"\(?0(?:[12]{_digits(9)}|[1-9]{_digits(8)})"
_EMAIL = r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
# Words (folded) that announce an identity number: CMND, CCCD, căn cước, chứng minh, định danh, hộ chiếu...
_ID_WORDS = (
    r"cmnd|cmt|cccd|can cuoc(?: cong dan)?|chung minh(?: thu| nhan dan)?|dinh danh(?: ca nhan)?"
    r"|ho chieu|passport|id card|id number|identity card|citizen id|\bid"
)
_ID_NUMBER = rf"[a-z]{_D}{{7}}|{_D}(?:[ .]?{_D}){{11}}|{_D}(?:[ .]?{_D}){{8}}"
# A location: a pair of decimal degrees with 4 or more decimals ("16.4637, 107.5909"; thousands groups have
# exactly 3 digits), or a latitude/longitude field ('"latitude": 16.46' in a /share_location payload).
_DEGREES = rf"[-+]?{_D}{{1,3}}\.{_D}{{4,}}"
_POINT = rf"(?<![0-9.]){_DEGREES}(?:[ ]?[,;][ ]?|[ ]+){_DEGREES}(?![0-9])"
_LATLON = (
    rf"\"?(?:latitude|longitude)\"?[ ]?[:=][ ]?[-+]?{_D}+(?:\.{_D}+)?"
    rf"|(?:lat|lon|lng)[ ]?[:=][ ]?[-+]?{_D}{{1,3}}\.{_D}+"
)
# Digit groups of thousands ("1.200.000", "12,500") are amounts: consumed whole so no number starts inside.
_AMOUNT = rf"[1-9]{_D}{{0,2}}(?:[.,]{_D}{{3}})+(?!{_D})"

_SCANNER = re.compile(
    rf"(?P<email>{_EMAIL})"
    rf"|(?P<point>{_POINT})"
    rf"|(?P<latlon>(?<![a-z])(?:{_LATLON}))"
    rf"|(?P<idword>\b(?:{_ID_WORDS})\b[^0-9\n]{{0,20}}?)(?P<idnumber>{_ID_NUMBER})(?![0-9])"
    rf"|(?P<phone>(?:{_PLUS_84}|{_BARE_84})(?![0-9]))"
    rf"|(?P<cccd>{_CCCD})(?![0-9])"
    rf"|(?P<national>{_NATIONAL})(?![0-9])"
    rf"|(?P<amount>{_AMOUNT})"
    rf"|(?P<plain>{_D}+)"
)


def redact(text: str) -> str:
    """`text` with phone numbers, citizen ID numbers, e-mail addresses and locations replaced by labels.

    Phone numbers: Vietnamese mobiles and landlines, with 0, 84, +84 or 0084, written with spaces, dots,
    dashes or an area code in parentheses. Identity numbers: 12-digit CCCD numbers anywhere; 9-digit CMND
    numbers and passport numbers only after a word that announces them ("CMND", "hộ chiếu", ...).
    Locations: pairs of decimal degrees with 4 or more decimals, and latitude/longitude fields.
    Years, dates, counts and amounts ("700 tỷ", "1.200.000 lượt") are left alone.
    """
    text = unicodedata.normalize("NFC", text)
    folded = fold(text)
    if len(folded) != len(text):  # a rare character whose lower case is longer: keep it as it is
        folded = "".join(f if len(f := fold(c)) == 1 else c for c in text)
    parts: list[str] = []
    last = 0
    for match in _SCANNER.finditer(folded):
        kind = match.lastgroup
        if kind in ("amount", "plain"):
            continue
        if kind == "idnumber":
            start, label = match.start("idnumber"), ID_LABEL
        else:
            start = match.start()
            labels = {
                "email": EMAIL_LABEL,
                "cccd": ID_LABEL,
                "point": LOCATION_LABEL,
                "latlon": LOCATION_LABEL,
            }
            label = labels.get(kind or "", PHONE_LABEL)
        parts += [text[last:start], label]
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)
