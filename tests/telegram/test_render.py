"""Rendering the assistant's replies for Telegram: escaping, splitting, keyboards, media; no network."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.logs import REDACTED, RedactingFormatter
from bot.messages import message
from bot.telegram.app import file_url, greet_payload, sender_id
from bot.telegram.render import (
    CALLBACK_DATA_LIMIT,
    TEXT_LIMIT,
    Button,
    Document,
    PayloadStore,
    Photo,
    Text,
    Venue,
    escape,
    plan,
    split_text,
    telegram_length,
)
from bot.telegram.send import inline_keyboard, location_keyboard

TOPIC = '/choose_topic{"topic": "heritage"}'


# --- escaping -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Giá vé *50.000 đồng*", "Giá vé *50.000 đồng*"),
        ("<b>Đại Nội</b>", "&lt;b&gt;Đại Nội&lt;/b&gt;"),
        ("Hội An & Mỹ Sơn", "Hội An &amp; Mỹ Sơn"),
        ("a < b > c", "a &lt; b &gt; c"),
        ('"quoted" _x_ `code` [link](http://x)', '"quoted" _x_ `code` [link](http://x)'),
        ("&amp; already", "&amp;amp; already"),
    ],
)
def test_escape_keeps_every_character_literal(text: str, escaped: str) -> None:
    assert escape(text) == escaped
    assert html.unescape(escape(text)) == text


@given(st.text())
def test_escaped_text_has_no_tags_or_bare_ampersands(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert not re.search(r"&(?!(amp|lt|gt);)", escaped)
    assert html.unescape(escaped) == text


def test_knowledge_text_with_markup_is_sent_escaped() -> None:
    [item] = plan([{"text": "Vé: *miễn phí* <i>trẻ em</i> & người già"}])
    assert item == Text("Vé: *miễn phí* &lt;i&gt;trẻ em&lt;/i&gt; &amp; người già")


# --- splitting ------------------------------------------------------------------------------------------------


def test_short_text_is_one_piece() -> None:
    assert split_text("Xin chào!\n\nBạn cần gì?") == ["Xin chào!\n\nBạn cần gì?"]


def test_empty_text_is_no_piece() -> None:
    assert split_text("  \n\n ") == []


def test_long_text_splits_on_paragraph_boundaries() -> None:
    paragraphs = [f"Đoạn {i}: " + "di sản " * 150 for i in range(12)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(telegram_length(p) <= TEXT_LIMIT for p in pieces)
    # No paragraph is cut: each piece is a run of whole paragraphs.
    for piece in pieces:
        for paragraph in piece.split("\n\n"):
            assert paragraph in [p.strip() for p in paragraphs]
    assert "\n\n".join(pieces) == text


def test_paragraph_longer_than_a_message_splits_on_lines_then_words() -> None:
    lines = [f"Dòng {i} " + "thống kê " * 40 for i in range(30)]
    paragraph = "\n".join(line.strip() for line in lines)
    pieces = split_text(paragraph, limit=1000)
    assert all(telegram_length(p) <= 1000 for p in pieces)
    assert "\n".join(pieces) == paragraph
    one_line = "chuyển đổi số " * 200
    pieces = split_text(one_line, limit=500)
    assert all(telegram_length(p) <= 500 for p in pieces)
    assert " ".join(pieces) == one_line.strip()


def test_word_longer_than_a_message_is_cut_hard() -> None:
    assert split_text("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]


def test_length_is_counted_as_telegram_counts_it() -> None:
    assert telegram_length("Huế") == 3
    assert telegram_length("🏯") == 2
    pieces = split_text("🏯" * 5, limit=4)
    assert pieces == ["🏯🏯", "🏯🏯", "🏯"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("aăâbcdđeêơưy ỹ🏯\n*<&"), min_size=0, max_size=300),
        min_size=1,
        max_size=8,
    ),
    st.integers(min_value=4, max_value=200),
)
def test_split_pieces_fit_and_keep_every_word(paragraphs: list[str], limit: int) -> None:
    text = "\n\n".join(paragraphs)
    pieces = split_text(text, limit)
    assert all(0 < telegram_length(p) <= limit for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


# --- replies to messages ------------------------------------------------------------------------------------------


def test_buttons_go_on_the_last_piece_of_a_long_text() -> None:
    text = "\n\n".join("đoạn văn " * 100 for _ in range(10))
    items = plan([{"text": text, "buttons": [{"title": "Di sản", "payload": TOPIC}]}])
    assert len(items) > 1
    assert all(isinstance(i, Text) for i in items)
    assert [bool(i.buttons) for i in items] == [False] * (len(items) - 1) + [True]
    assert items[-1].buttons == (Button("Di sản", TOPIC),)


def test_buttons_without_text_get_a_prompt() -> None:
    [item] = plan([{"buttons": [{"title": "A", "payload": "/a"}]}], language="en")
    assert item == Text(escape(message("choose_option", "en")), (Button("A", "/a"),))


def test_image_becomes_a_photo() -> None:
    items = plan([{"text": "Biểu đồ"}, {"image": "/charts/1.png"}, {"image": "https://example.org/a.jpg"}])
    assert items == [Text("Biểu đồ"), Photo("/charts/1.png"), Photo("https://example.org/a.jpg")]


def test_venue_becomes_a_telegram_venue() -> None:
    custom = {
        "type": "venue",
        "latitude": 15.7645,
        "longitude": 108.1243,
        "title": "Thánh địa Mỹ Sơn",
        "address": "Duy Phú, Duy Xuyên, Quảng Nam",
        "map_url": "https://maps.example.org/?q=15.7645,108.1243",
    }
    assert plan([{"custom": custom}]) == [
        Venue(15.7645, 108.1243, "Thánh địa Mỹ Sơn", "Duy Phú, Duy Xuyên, Quảng Nam", custom["map_url"])
    ]


def test_venue_without_coordinates_is_skipped() -> None:
    assert plan([{"custom": {"type": "venue", "title": "X"}}]) == []


def test_card_is_a_bold_title_with_a_map_button() -> None:
    custom = {
        "type": "card",
        "title": "Đại Nội <Huế>",
        "text": "Kinh thành & Hoàng thành",
        "url": "https://m.x/1",
    }
    [item] = plan([{"custom": custom}], language="vi")
    assert item == Text(
        "<b>Đại Nội &lt;Huế&gt;</b>\n\nKinh thành &amp; Hoàng thành",
        link=(message("open_map", "vi"), "https://m.x/1"),
    )


def test_card_with_image_sends_the_photo_first() -> None:
    custom = {
        "type": "card",
        "title": "T",
        "text": "x",
        "url": "javascript:alert(1)",
        "image": "/charts/2.png",
    }
    assert plan([{"custom": custom}]) == [Photo("/charts/2.png"), Text("<b>T</b>\n\nx")]


def test_document_keeps_its_filename() -> None:
    custom = {"type": "document", "url": "/files/event.ics", "filename": "su-kien.ics"}
    assert plan([{"custom": custom}]) == [Document("/files/event.ics", "su-kien.ics")]


def test_location_request_uses_the_text_of_the_same_reply() -> None:
    items = plan([{"text": "Bạn đang ở đâu?", "custom": {"type": "location_request"}}])
    assert items == [Text("Bạn đang ở đâu?", request_location=True)]


def test_location_request_with_buttons_gets_its_own_message() -> None:
    reply = {
        "text": "Chọn",
        "buttons": [{"title": "A", "payload": "/a"}],
        "custom": {"type": "location_request"},
    }
    items = plan([reply], language="en")
    assert items == [
        Text("Chọn", (Button("A", "/a"),)),
        Text(escape(message("share_location_prompt", "en")), request_location=True),
    ]


def test_unknown_parts_are_skipped() -> None:
    assert plan([{"custom": {"type": "hologram"}}, {"attachment": "x"}, "not an object"]) == []  # type: ignore[list-item]


# --- keyboards and callback data ----------------------------------------------------------------------------------


def test_inline_keyboard_has_one_button_a_row_with_the_payload() -> None:
    store = PayloadStore()
    keyboard = inline_keyboard([Button("Di sản, di tích", TOPIC), Button("Chuyển đổi số", "/x")], store)
    rows = keyboard.inline_keyboard
    assert [[b.text for b in row] for row in rows] == [["Di sản, di tích"], ["Chuyển đổi số"]]
    assert rows[0][0].callback_data == TOPIC


def test_long_payload_is_stored_under_a_short_key() -> None:
    store = PayloadStore()
    payload = '/ask_site{"site": "Quần thể di tích Cố đô Huế và Thánh địa Mỹ Sơn"}'
    assert len(payload.encode()) > CALLBACK_DATA_LIMIT
    data = store.encode(payload)
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT
    assert store.decode(data) == payload
    assert store.decode(store.encode(TOPIC)) == TOPIC
    assert store.decode("#unknown") is None
    assert store.decode("") is None


def test_payload_store_keeps_only_the_newest() -> None:
    store = PayloadStore(size=2)
    keys = [store.encode(f"/{'x' * 70}{i}") for i in range(3)]
    assert store.decode(keys[0]) is None
    assert store.decode(keys[2]) == f"/{'x' * 70}2"


def test_location_keyboard_asks_for_the_location() -> None:
    keyboard = location_keyboard("vi")
    assert keyboard.keyboard[0][0].request_location
    assert keyboard.keyboard[0][0].text == message("share_location_button", "vi")


# --- the rest -----------------------------------------------------------------------------------------------------


def test_sender_id_and_file_url() -> None:
    assert sender_id(-100123) == "tg:-100123"
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"


def test_greet_payload_carries_the_chosen_language() -> None:
    class Context:
        def __init__(self, chat_data: dict[str, str]) -> None:
            self.chat_data = chat_data

    assert greet_payload(Context({})) == "/greet"  # type: ignore[arg-type]
    assert greet_payload(Context({"language": "en"})) == '/greet{"language": "en"}'  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "key",
    ["busy", "unsupported", "edited", "unknown_command", "lang_usage", "button_expired", "choose_option"]
    + ["share_location_button", "share_location_prompt", "open_map"]
    + [f"command_{c}" for c in ("start", "help", "lang", "reset")],
)
def test_bridge_wording_exists_in_both_languages(key: str) -> None:
    assert message(key, "vi") and message(key, "en")
    assert message(key, "vi") != message(key, "en")


def test_formatter_redacts_the_token_in_messages_and_tracebacks() -> None:
    import logging

    token = "123456789:AAsecret"
    formatter = RedactingFormatter("%(message)s", [token])
    try:
        raise ValueError(f"The token `{token}` was rejected")
    except ValueError as error:
        record = logging.LogRecord(
            "x", logging.ERROR, "f", 1, "POST /bot%s/getMe", (token,), (type(error), error, None)
        )
    text = formatter.format(record)
    assert token not in text
    assert text.count(REDACTED) == 2
