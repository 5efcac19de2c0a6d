"""Rendering the assistant's replies for Zalo, picking choices by number, reading updates; no network."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.messages import message
from bot.replies import Button, utf16_length
from bot.zalo.api import Update, read_update
from bot.zalo.chats import Chats, picked_number
from bot.zalo.render import TEXT_LIMIT, Photo, Plan, Text, numbered, plan

BASE = "https://chat.example.org"
HERITAGE = '/choose_topic{"topic": "heritage"}'
STATISTICS = '/choose_topic{"topic": "statistics"}'
HELPFUL = '/feedback{"feedback_value": "helpful", "feedback_entry": "heritage_sites:hoi-an"}'
WRONG = '/feedback{"feedback_value": "wrong", "feedback_entry": "heritage_sites:hoi-an"}'
MARKUP = ("<b>", "</", "**", "__", "](", "<a ")


def buttons(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in pairs]


# --- text and choices ---------------------------------------------------------------------------------------------


def test_text_is_sent_as_written() -> None:
    text = "Vé: *miễn phí* <i>trẻ em</i> & người già"
    assert plan([{"text": text}], "vi", BASE) == Plan((Text(text),))


def test_choices_become_a_numbered_list_under_the_text() -> None:
    reply = {
        "text": "Bạn muốn hỏi về chủ đề nào?",
        "buttons": buttons(("Di sản", HERITAGE), ("Thống kê", STATISTICS)),
    }
    planned = plan([reply], "vi", BASE)
    assert planned.outgoing == (
        Text(f"Bạn muốn hỏi về chủ đề nào?\n\n1. Di sản\n2. Thống kê\n{message('choices_hint', 'vi')}"),
    )
    assert planned.choices == (Button("Di sản", HERITAGE), Button("Thống kê", STATISTICS))


def test_choices_of_one_answer_are_numbered_on() -> None:
    replies = [
        {"text": "Chọn chủ đề", "buttons": buttons(("Di sản", HERITAGE))},
        {
            "text": "Hoặc cho biết ý kiến",
            "buttons": buttons(("👍 Hữu ích", HELPFUL), ("👎 Chưa đúng", WRONG)),
        },
    ]
    planned = plan(replies, "en", BASE)
    assert [t.text.split("\n\n")[-1].splitlines()[:-1] for t in planned.outgoing if isinstance(t, Text)] == [
        ["1. Di sản"],
        ["2. 👍 Hữu ích", "3. 👎 Chưa đúng"],
    ]
    assert [b.payload for b in planned.choices] == [HERITAGE, HELPFUL, WRONG]


def test_a_list_ends_its_message_and_text_before_it_joins() -> None:
    replies = [
        {
            "custom": {
                "type": "venue",
                "latitude": 15.88,
                "longitude": 108.33,
                "title": "Phố cổ Hội An",
                "address": "Hội An, Quảng Nam",
                "map_url": "https://www.openstreetmap.org/?mlat=15.88&mlon=108.33",
            }
        },
        {
            "text": "Phố cổ Hội An được UNESCO công nhận năm 1999.",
            "buttons": buttons(("👍 Hữu ích", HELPFUL)),
        },
        {"text": "Nguồn: UNESCO"},
    ]
    first, second = plan(replies, "vi", BASE).outgoing
    assert isinstance(first, Text) and isinstance(second, Text)
    assert first.text.startswith(
        "Phố cổ Hội An\nHội An, Quảng Nam\nBản đồ: https://www.openstreetmap.org/?mlat=15.88&mlon=108.33\n\n"
        "Phố cổ Hội An được UNESCO công nhận năm 1999.\n\n1. 👍 Hữu ích"
    )
    assert second == Text("Nguồn: UNESCO")


def test_choices_without_text_get_a_prompt() -> None:
    planned = plan([{"buttons": buttons(("A", "/a"))}], "en", BASE)
    assert planned.outgoing == (
        Text(f"{message('choose_option', 'en')}\n\n{numbered([Button('A', '/a')], 1, 'en')}"),
    )


def test_long_text_is_split_on_paragraphs_and_the_list_stays_whole_at_the_end() -> None:
    paragraphs = [f"Đoạn {i}: " + "di sản văn hóa " * 60 for i in range(8)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    choices = buttons(*((f"Lựa chọn {i}", f"/help{i}") for i in range(1, 4)))
    outgoing = plan([{"text": text, "buttons": choices}], "vi", BASE).outgoing
    assert len(outgoing) > 2
    assert all(isinstance(t, Text) and 0 < utf16_length(t.text) <= TEXT_LIMIT for t in outgoing)
    shown = [t.text for t in outgoing if isinstance(t, Text)]
    for piece in shown[:-1]:
        assert all(p in [q.strip() for q in paragraphs] for p in piece.split("\n\n"))
    assert shown[-1].endswith(numbered([Button(b["title"], b["payload"]) for b in choices], 1, "vi"))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from("aăđê ỹ🏯\n*<&"), max_size=900), min_size=1, max_size=6),
    st.lists(st.text(alphabet=st.sampled_from("abc 👍"), min_size=1, max_size=60), max_size=4),
)
def test_every_message_fits_zalo_and_keeps_every_word(texts: list[str], titles: list[str]) -> None:
    replies = [{"text": t} for t in texts]
    replies.append({"text": "cuối", "buttons": buttons(*((t, f"/x{i}") for i, t in enumerate(titles)))})
    outgoing = plan(replies, "vi", BASE).outgoing
    assert all(isinstance(t, Text) and 0 < utf16_length(t.text) <= TEXT_LIMIT for t in outgoing)
    sent = "".join("".join(t.text.split()) for t in outgoing if isinstance(t, Text))
    assert "".join("".join(t.split()) for t in texts) in sent


# --- media, places, files, location -------------------------------------------------------------------------------


def test_a_chart_is_a_photo_from_the_public_url_before_its_figures() -> None:
    replies = [
        {"image": "/charts/visitors-quang-ngai-2021-2022-vi.png"},
        {"text": "Biểu đồ: 2021: 1,1 triệu"},
    ]
    assert plan(replies, "vi", BASE).outgoing == (
        Photo(f"{BASE}/charts/visitors-quang-ngai-2021-2022-vi.png"),
        Text("Biểu đồ: 2021: 1,1 triệu"),
    )
    assert plan([{"image": "https://img.example/a.png"}], "vi", BASE).outgoing == (
        Photo("https://img.example/a.png"),
    )


def test_a_calendar_file_is_a_link() -> None:
    custom = {"type": "document", "url": "/events/qng-2023-dx-week.ics", "filename": "qng-2023-dx-week.ics"}
    [item] = plan([{"custom": custom}], "en", BASE).outgoing
    assert item == Text(message("calendar_link", "en", url=f"{BASE}/events/qng-2023-dx-week.ics"))
    other = {"type": "document", "url": "https://x.example/a.pdf", "filename": "a.pdf"}
    assert plan([{"custom": other}], "vi", BASE).outgoing == (
        Text(message("file_link", "vi", filename="a.pdf", url="https://x.example/a.pdf")),
    )


def test_a_card_is_its_title_text_and_map_link_after_its_image() -> None:
    custom = {
        "type": "card",
        "title": "1. Hoàng thành Huế",
        "text": "Cách 1,5 km – Thành phố Huế",
        "url": "https://osm.example/1",
        "image": "/charts/x.png",
    }
    assert plan([{"custom": custom}], "vi", BASE).outgoing == (
        Photo(f"{BASE}/charts/x.png"),
        Text("1. Hoàng thành Huế\nCách 1,5 km – Thành phố Huế\nBản đồ: https://osm.example/1"),
    )


def test_a_location_request_asks_for_a_place_name_instead() -> None:
    replies = [{"text": "Bạn chia sẻ vị trí hiện tại nhé."}, {"custom": {"type": "location_request"}}]
    assert plan(replies, "vi", BASE).outgoing == (
        Text(f"Bạn chia sẻ vị trí hiện tại nhé.\n\n{message('location_by_name', 'vi')}"),
    )


def test_unknown_parts_and_nothing_give_no_message() -> None:
    assert plan([{"custom": {"type": "hologram"}}, "not an object", {}], "vi", BASE) == Plan(())  # type: ignore[list-item]


def test_no_wording_of_the_bridge_has_markup() -> None:
    for key in (
        "choices_hint",
        "location_by_name",
        "map_link",
        "calendar_link",
        "zalo_unsupported",
        "choice_expired",
    ):
        for language in ("vi", "en"):
            text = message(key, language, url="https://x", filename="f", count=2)
            assert not any(mark in text for mark in MARKUP), key


# --- picking by number --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("2", 2),
        (" 2 ", 2),
        ("2.", 2),
        ("2)", 2),
        ("số 2", 2),
        ("Số 2", 2),
        ("so 2", 2),
        ("chọn 2", 2),
        ("Chọn 12", 12),
        ("lựa chọn 3", 3),
        ("option 1", 1),
        ("Number 4", 4),
        ("2022", None),
        ("2 người", None),
        ("năm 2", None),
        ("số", None),
        ("", None),
        ("Quảng Ngãi 2022", None),
    ],
)
def test_picked_number(text: str, number: int | None) -> None:
    assert picked_number(text) == number


def test_choices_hold_until_replaced_and_expire() -> None:
    now = [100.0]
    chats = Chats(choice_seconds=60, clock=lambda: now[0])
    offered = (Button("Di sản", HERITAGE), Button("Thống kê", STATISTICS))
    chats.offer("c1", offered)
    assert chats.choices("c1") == offered
    assert chats.choices("c2") == ()
    now[0] += 59
    assert chats.choices("c1") == offered
    chats.offer("c1", ())  # the next answer offers none
    assert chats.choices("c1") == ()
    chats.offer("c1", offered)
    now[0] += 61
    assert chats.choices("c1") == ()


def test_a_chat_writes_in_the_language_of_its_latest_message() -> None:
    chats = Chats(choice_seconds=60)
    assert (chats.language("c"), chats.known_language("c")) == ("vi", None)
    chats.heard("c", "What can you do?")
    assert chats.language("c") == "en"
    chats.heard("c", "2")  # tells nothing: the language stays
    assert chats.language("c") == "en"
    chats.heard("c", "Đại Nội ở đâu?")
    assert chats.known_language("c") == "vi"


def test_the_least_recently_active_chats_are_forgotten() -> None:
    chats = Chats(choice_seconds=60, size=2)
    for chat in ("a", "b", "c"):
        chats.offer(chat, (Button("x", "/x"),))
    assert [chats.choices(c) != () for c in ("a", "b", "c")] == [False, True, True]


# --- updates ------------------------------------------------------------------------------------------------------


def test_an_update_is_read_plain_or_wrapped() -> None:
    update = {
        "event_name": "message.text.received",
        "message": {"chat": {"id": "e4ea2cd5189df1c3a88c"}, "text": "Xin chào"},
    }
    assert read_update(update) == Update("message.text.received", "e4ea2cd5189df1c3a88c", "Xin chào")
    assert read_update({"ok": True, "result": update}) == read_update(update)
    sticker = {"event_name": "message.sticker.received", "message": {"chat": {"id": 42}, "sticker": "s"}}
    assert read_update(sticker) == Update("message.sticker.received", "42", None)


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {},
        {"event_name": "message.text.received"},
        {"event_name": "message.text.received", "message": 5},
        {"event_name": "message.text.received", "message": {"chat": {}}},
        {"event_name": "message.text.received", "message": {"chat": {"id": True}}},
        {"event_name": "message.text.received", "message": {"chat": {"id": "a b\n"}}},
        {"event_name": "message.text.received", "message": {"chat": {"id": "x" * 200}}},
        {"event_name": 3, "message": {"chat": {"id": "a"}}},
    ],
)
def test_what_is_not_an_update_is_refused(data: object) -> None:
    assert read_update(data) is None
