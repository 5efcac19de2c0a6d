"""redact(): phone numbers, citizen ID numbers and e-mail addresses go; years, dates, counts and amounts stay."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.records import EMAIL_LABEL, ID_LABEL, PHONE_LABEL, redact

PHONE = PHONE_LABEL
ID = ID_LABEL
EMAIL = EMAIL_LABEL


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # mobiles, 10 digits, written in every usual way
        ("Gọi tôi 0905123456 nhé", f"Gọi tôi {PHONE} nhé"),
        ("sđt 090 123 4567", f"sđt {PHONE}"),
        ("SĐT: 0905 123 456.", f"SĐT: {PHONE}."),
        ("0905.123.456", PHONE),
        ("0905-123-456", PHONE),
        ("03 8765 4321", PHONE),
        ("zalo 0789.456.123 ạ", f"zalo {PHONE} ạ"),
        ("sdt0905123456", f"sdt{PHONE}"),
        ("gọi 0905123456,0914123456", f"gọi {PHONE},{PHONE}"),
        ("0905123456 0914123456", f"{PHONE} {PHONE}"),
        ("năm 2022 0905123456", f"năm 2022 {PHONE}"),
        ("(0905) 123 456", PHONE),
        # +84, 84 and 0084
        ("+84 905 123 456", PHONE),
        ("+84905123456", PHONE),
        ("(+84) 905 123 456", PHONE),
        ("+84 (0) 905 123 456", PHONE),
        ("+84-905-123-456", PHONE),
        ("84905123456", PHONE),
        ("84 905 123 456", PHONE),
        ("0084 905 123 456", PHONE),
        ("call me at +84 90 123 4567 please", f"call me at {PHONE} please"),
        # landlines with their area code (Huế 0234, Đà Nẵng 0236, Quảng Nam 0235, Quảng Ngãi 0255)
        ("(0236) 3822 123", PHONE),
        ("(0234)3822123", PHONE),
        ("0234.3822.123", PHONE),
        ("0255 3822 123", PHONE),
        ("024 3825 1234", PHONE),
        ("+84 236 3822 123", PHONE),
        ("+84 (236) 3822 123", PHONE),
        ("(054) 3822 123", PHONE),  # old Huế area code
        ("0168 123 4567", PHONE),  # old 11-digit mobile
        # 12-digit citizen ID (CCCD), with or without a word before it
        ("CCCD 079123456789", f"CCCD {ID}"),
        ("số căn cước 0791 2345 6789", f"số căn cước {ID}"),
        ("046 095 012 345", ID),
        ("079123456789", ID),
        ("cccd của em là 001203004567 ạ", f"cccd của em là {ID} ạ"),
        # 9-digit CMND and passport numbers only after a word that announces them
        ("CMND 123456789", f"CMND {ID}"),
        ("số chứng minh nhân dân: 201234567", f"số chứng minh nhân dân: {ID}"),
        ("chung minh thu so 201 234 567", f"chung minh thu so {ID}"),
        ("CMT: 191.234.567", f"CMT: {ID}"),
        ("Hộ chiếu C1234567", f"Hộ chiếu {ID}"),
        ("my passport number is B7654321", f"my passport number is {ID}"),
        ("ID card 123456789", f"ID card {ID}"),
        ("số định danh cá nhân 079123456789", f"số định danh cá nhân {ID}"),
        # e-mail addresses
        ("email nguyen.van.a@gmail.com hỏi", f"email {EMAIL} hỏi"),
        ("Mail: Tran_Thi-B+hue@so-tttt.thuathienhue.gov.vn.", f"Mail: {EMAIL}."),
        ("0905123456@gmail.com", EMAIL),
        ("<a.b@c.vn>", f"<{EMAIL}>"),
        # several at once
        (
            "Tôi tên A, sđt 0905 123 456, CCCD 079123456789, email a@b.vn, muốn hỏi thủ tục",
            f"Tôi tên A, sđt {PHONE}, CCCD {ID}, email {EMAIL}, muốn hỏi thủ tục",
        ),
    ],
)
def test_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Năm 2022 Huế đón bao nhiêu khách?",
        "từ 2022-2023",
        "ngày 28/9/2023",
        "28.09.2023",
        "28-09-2023",
        "2023-09-28",
        "mở cửa 7:00 - 17:00",
        "700 tỷ đồng",
        "doanh thu 1.200.000.000 đồng",
        "1.000.000.000.000 đồng",
        "84.300.000.000 đồng",
        "120.000.000.000 đồng",
        "120000000000 đồng",
        "10 000 000 000",
        "1 000 000 000 000",
        "1,200,000 visitors",
        "tăng 12,5%",
        "3 ngày 2 đêm",
        "xếp hạng 5/63",
        "123456789 khách",
        "mã hồ sơ 000.00.12.H57-230901-0001",
        "liên hệ tổng đài 1900 1234",
        "0,5 km",
        "5 tỷ USD",
        "Quảng Ngãi có 2.345 khách năm 2022",
        "confidence 0.987654321",
        "năm 1802 đến 1945",
        "099123456789",  # 12 digits but no province code 099
        "CMND cấp năm 2010",
    ],
)
def test_not_redacted(text: str) -> None:
    assert redact(text) == text


def test_characters_whose_lower_case_is_longer() -> None:
    assert redact("İstanbul 0905123456 CCCD 079123456789") == f"İstanbul {PHONE} CCCD {ID}"


def test_text_is_normalised_to_nfc() -> None:
    decomposed = "Hu\u0065\u0302\u0301 0905123456"  # "Huế" with combining marks
    assert redact(decomposed) == f"Huế {PHONE}"


# Property tests: numbers generated in many formats, embedded between ordinary words.

WORDS = st.sampled_from(
    ["gọi", "cho", "tôi", "số", "liên hệ", "nhé", "ạ", "call", "me", "hỏi về Đại Nội", "ở Hội An", "?", "."]
)
SEPARATORS = st.sampled_from(["", " ", ".", "-"])


def _group(digits: str, sizes: list[int], sep: str) -> str:
    parts, start = [], 0
    for size in sizes:
        parts.append(digits[start : start + size])
        start += size
    return sep.join(parts)


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["03", "05", "07", "08", "09"]))
    digits = prefix + draw(st.text("0123456789", min_size=8, max_size=8))
    sep = draw(SEPARATORS)
    style = draw(st.sampled_from(["4-3-3", "3-3-4", "plain", "+84", "84", "(+84)", "0084"]))
    if style == "4-3-3":
        return _group(digits, [4, 3, 3], sep)
    if style == "3-3-4":
        return _group(digits, [3, 3, 4], sep)
    if style == "plain":
        return digits
    national = _group(digits[1:], [3, 3, 3], sep if sep else " ")
    return {"+84": "+84 ", "84": "84", "(+84)": "(+84) ", "0084": "0084 "}[style] + (
        national if style != "84" else digits[1:]
    )


@st.composite
def landlines(draw: st.DrawFn) -> str:
    area = "02" + draw(st.text("0123456789", min_size=2, max_size=2))
    number = draw(st.text("123456789", min_size=1, max_size=1)) + draw(
        st.text("0123456789", min_size=6, max_size=6)
    )
    sep = draw(st.sampled_from([" ", ".", "-"]))
    style = draw(st.sampled_from(["paren", "sep", "plain", "+84"]))
    if style == "paren":
        return f"({area}) {number[:4]} {number[4:]}"
    if style == "sep":
        return f"{area}{sep}{number[:4]}{sep}{number[4:]}"
    if style == "plain":
        return area + number
    return f"+84 {area[1:]} {number[:4]} {number[4:]}"


@st.composite
def citizen_ids(draw: st.DrawFn) -> str:
    province = f"{draw(st.integers(1, 96)):03d}"
    digits = province + draw(st.text("0123456789", min_size=9, max_size=9))
    return draw(st.sampled_from([digits, _group(digits, [4, 4, 4], " "), _group(digits, [3, 3, 3, 3], " ")]))


@st.composite
def emails(draw: st.DrawFn) -> str:
    name = draw(st.from_regex(r"[a-z][a-z0-9]{0,8}([._+-][a-z0-9]{1,6})?", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9]", fullmatch=True))
    return f"{name}@{domain}.{draw(st.sampled_from(['vn', 'com', 'gov.vn', 'edu.vn']))}"


def _sentence(before: list[str], middle: str, after: list[str]) -> str:
    return " ".join([*before, middle, *after])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=3), mobiles(), st.lists(WORDS, max_size=3))
def test_property_mobiles(before: list[str], phone: str, after: list[str]) -> None:
    assert redact(_sentence(before, phone, after)) == _sentence(before, PHONE, after)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=3), landlines(), st.lists(WORDS, max_size=3))
def test_property_landlines(before: list[str], phone: str, after: list[str]) -> None:
    assert redact(_sentence(before, phone, after)) == _sentence(before, PHONE, after)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=3), citizen_ids(), st.lists(WORDS, max_size=3))
def test_property_citizen_ids(before: list[str], number: str, after: list[str]) -> None:
    assert redact(_sentence(before, number, after)) == _sentence(before, ID, after)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=3), emails(), st.lists(WORDS, max_size=3))
def test_property_emails(before: list[str], email: str, after: list[str]) -> None:
    assert redact(_sentence(before, email, after)) == _sentence(before, EMAIL, after)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.integers(1000, 2100).map(str),  # years
        st.integers(0, 999_999_999).map(str),  # counts
        st.integers(0, 10**13).map(lambda n: f"{n:,}".replace(",", ".")),  # amounts, Vietnamese style
        st.integers(0, 10**13).map(lambda n: f"{n:,}"),  # amounts, English style
        st.integers(1, 999).map(lambda n: f"{n} tỷ"),
        st.dates().map(lambda d: f"{d.day}/{d.month}/{d.year}"),
        st.dates().map(lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}"),
        st.dates().map(lambda d: d.isoformat()),
        st.tuples(st.integers(1990, 2030), st.integers(1990, 2030)).map(lambda t: f"{t[0]}-{t[1]}"),
        st.integers(0, 1000).map(lambda n: f"{n / 10:.1f}%".replace(".", ",")),
    ),
    st.lists(WORDS, max_size=3),
)
def test_property_numbers_that_are_not_personal(number: str, before: list[str]) -> None:
    text = _sentence(before, number, ["lượt khách"])
    assert redact(text) == text
