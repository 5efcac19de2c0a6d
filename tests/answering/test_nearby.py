"""Map links on heritage answers and the sites nearest to a shared location (fixture coordinates)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.common import Knowledge
from assistant.answering.dispatch import answer, build_question
from assistant.answering.model import Reply
from assistant.answering.nearby import (
    MAX_SITES,
    Point,
    format_distance,
    haversine_km,
    nearest_sites,
    parse_point,
)
from assistant.records import LOCATION_LABEL, redact
from tests.answering.conftest import buttons, said
from tests.answering.nearby_support import HANOI, HUE, TODAY, nearby_state

LOCATION_REQUEST = {"type": "location_request"}


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    return nearby_state(tmp_path_factory.mktemp("nearby")).current()


def ask(
    knowledge: Knowledge,
    intent: str,
    text: str,
    language: str = "vi",
    entities: list[dict[str, Any]] | None = None,
    **slots: Any,
) -> Reply:
    question = build_question(knowledge, intent, text, entities or [], {"language": language, **slots}, TODAY)
    return answer(knowledge, question)


def share(knowledge: Knowledge, point: tuple[Any, Any], language: str = "vi", **slots: Any) -> Reply:
    """What the channels send when the user shares a location."""
    latitude, longitude = point
    text = f'/share_location{{"latitude": {latitude}, "longitude": {longitude}}}'
    entities = [{"entity": "latitude", "value": latitude}, {"entity": "longitude", "value": longitude}]
    return ask(knowledge, "share_location", text, language, entities, **slots)


def customs(reply: Reply) -> list[dict[str, Any]]:
    return [m.custom for m in reply.messages if m.custom]


# ---- distances


def test_haversine_known_distances() -> None:
    assert haversine_km(Point(16.0, 108.0), Point(16.0, 108.0)) == 0
    # one degree of latitude is about 111.2 km anywhere
    assert haversine_km(Point(15.0, 108.0), Point(16.0, 108.0)) == pytest.approx(111.19, abs=0.01)
    # Huế to Hà Nội, about 540 km as the crow flies; symmetric
    hue, hanoi = Point(*HUE), Point(*HANOI)
    assert haversine_km(hue, hanoi) == pytest.approx(542, abs=5)
    assert haversine_km(hue, hanoi) == haversine_km(hanoi, hue)
    # across the antimeridian: the short way round
    assert haversine_km(Point(0, 179.5), Point(0, -179.5)) == pytest.approx(111.19, abs=0.01)


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        (16.46, 107.59, Point(16.46, 107.59)),
        ("16.46", " 107.59 ", Point(16.46, 107.59)),
        (-90, 180, Point(-90.0, 180.0)),
        (90.5, 107.0, None),
        (16.0, -180.01, None),
        ("abc", 107.0, None),
        (16.0, None, None),
        (True, 107.0, None),
        (float("nan"), 107.0, None),
        ("inf", 107.0, None),
        ([16], 107.0, None),
    ],
)
def test_parse_point(latitude: Any, longitude: Any, expected: Point | None) -> None:
    assert parse_point(latitude, longitude) == expected


def test_format_distance() -> None:
    assert format_distance(1.234, "vi") == "1,2"
    assert format_distance(1.234, "en") == "1.2"
    assert format_distance(0.04, "en") == "0.0"
    assert format_distance(1234.56, "vi") == "1.234,6"
    assert format_distance(1234.56, "en") == "1,234.6"


def test_nearest_sites_are_sorted_and_limited(knowledge: Knowledge) -> None:
    nearest = nearest_sites(knowledge, Point(*HUE))
    ids = [site.id for site, _ in nearest]
    assert ids == [
        "hue-imperial-city",
        "tomb-of-tu-duc",
        "thien-mu-pagoda",
        "my-son-sanctuary",
        "hoi-an-ancient-town",
    ]
    distances = [km for _, km in nearest]
    assert distances == sorted(distances) and len(nearest) == MAX_SITES
    # sites without coordinates are never listed
    everything = nearest_sites(knowledge, Point(*HUE), limit=100)
    assert {s.id for s, _ in everything} == {*ids, "ly-son-island"}
    assert all(not math.isnan(km) for _, km in everything)


# ---- replies


def test_nearby_without_a_location_asks_for_it(knowledge: Knowledge) -> None:
    reply = ask(knowledge, "ask_nearby", "Gần đây có di tích nào?")
    assert reply.messages[0].text == knowledge.wording.say("nearby_ask", "vi")
    assert customs(reply) == [LOCATION_REQUEST]
    assert reply.answered and "latitude" not in reply.slots
    english = ask(knowledge, "ask_nearby", "What's near me?", language="en")
    assert english.messages[0].text.startswith("Please share your current location")
    assert customs(english) == [LOCATION_REQUEST]


def test_shared_location_lists_the_nearest_sites_first_with_distances(knowledge: Knowledge) -> None:
    reply = share(knowledge, HUE)
    header, *places, last = reply.messages
    assert header.text == knowledge.wording.say("nearby_header", "vi")
    cards = [m.custom for m in places]
    assert [c["title"] for c in cards] == [
        "1. Hoàng thành Huế",
        "2. Lăng Tự Đức",
        "3. Chùa Thiên Mụ",
        "4. Thánh địa Mỹ Sơn",
        "5. Phố cổ Hội An",
    ]
    km = format_distance(haversine_km(Point(*HUE), Point(16.4697, 107.5778)), "vi")
    assert "," in km
    assert cards[0] == {
        "type": "card",
        "title": "1. Hoàng thành Huế",
        "text": f"Cách {km} km – Thành phố Huế",
        "url": "https://www.openstreetmap.org/?mlat=16.46970&mlon=107.57780#map=16/16.46970/107.57780",
    }
    distances = [float(c["text"].split()[1].replace(",", ".")) for c in cards]
    assert distances == sorted(distances)
    assert all(c["url"].startswith("https://www.openstreetmap.org/?mlat=") for c in cards)
    assert "Lý Sơn" not in str(cards) and "Sa Huỳnh" not in str(cards)
    # the source and the sites as buttons (their details and map) come last
    assert last.text.startswith("Nguồn:")
    assert buttons(reply) == [
        "Hoàng thành Huế",
        "Lăng Tự Đức",
        "Chùa Thiên Mụ",
        "Thánh địa Mỹ Sơn",
        "Phố cổ Hội An",
    ]
    assert last.buttons[0]["payload"] == '/ask_site_location{"site": "hue-imperial-city"}'
    assert reply.slots == {"latitude": HUE[0], "longitude": HUE[1], "last_intent": "ask_nearby"}
    assert reply.answered and reply.entry is None


def test_english_distances_use_a_decimal_point(knowledge: Knowledge) -> None:
    reply = share(knowledge, HUE, language="en")
    km = format_distance(haversine_km(Point(*HUE), Point(16.4697, 107.5778)), "en")
    assert reply.messages[0].text.startswith("The heritage sites nearest to you")
    assert customs(reply)[0]["title"] == "1. Huế Imperial City"
    assert customs(reply)[0]["text"] == f"{km} km away – Huế city" and "." in km
    assert reply.messages[-1].text.startswith("Source:")


def test_nearby_after_sharing_uses_the_latest_location(knowledge: Knowledge) -> None:
    first = share(knowledge, HUE)
    again = ask(knowledge, "ask_nearby", "gan day co di tich nao", **first.slots)
    assert again.messages == first.messages
    assert "latitude" not in again.slots  # nothing new to store
    # a new location replaces the old one
    moved = share(knowledge, (15.8794, 108.3350), **first.slots)
    assert customs(moved)[0]["title"] == "1. Phố cổ Hội An"
    assert customs(moved)[0]["text"].startswith("Cách 0,")
    assert moved.slots["latitude"] == 15.8794


def test_typed_coordinates_count_as_a_location(knowledge: Knowledge) -> None:
    reply = ask(knowledge, "share_location", "vị trí của tôi: 16.4637, 107.5909")
    assert customs(reply)[0]["title"] == "1. Hoàng thành Huế"
    assert reply.slots["longitude"] == 107.5909


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(95.0, 107.0), (16.0, 200.0), ('"abc"', 107.0), ("null", 107.0)],
)
def test_bad_coordinates_are_politely_refused(knowledge: Knowledge, latitude: Any, longitude: Any) -> None:
    reply = share(knowledge, (latitude, longitude))
    assert reply.messages[0].text == knowledge.wording.say("nearby_bad_location", "vi")
    assert customs(reply) == [LOCATION_REQUEST]
    assert "latitude" not in reply.slots and reply.answered


def test_a_bad_location_keeps_the_previous_one(knowledge: Knowledge) -> None:
    first = share(knowledge, HUE)
    bad = share(knowledge, (123.0, 456.0), **first.slots)
    assert "latitude" not in bad.slots  # the slots keep the last good location
    later = ask(knowledge, "ask_nearby", "What's near me?", "en", **first.slots)
    assert len(customs(later)) == MAX_SITES


def test_far_away_says_so_and_gives_the_nearest(knowledge: Knowledge) -> None:
    reply = share(knowledge, HANOI)
    km = format_distance(haversine_km(Point(*HANOI), Point(16.4697, 107.5778)), "vi")
    assert reply.messages[0].text == knowledge.wording.say(
        "nearby_far", "vi", name="Hoàng thành Huế", distance=f"{km} km"
    )
    assert [c["title"] for c in customs(reply)] == ["1. Hoàng thành Huế"]
    assert buttons(reply) == ["Hoàng thành Huế"]
    assert reply.answered
    english = said(share(knowledge, HANOI, language="en"))
    assert english.startswith("You are quite far from the heritage sites I know")
    assert "The nearest is Huế Imperial City, about 5" in english


def test_sites_near_a_named_site(knowledge: Knowledge) -> None:
    # "near Hội An": the distances are from the site named, which is not listed itself; nothing is stored
    reply = ask(
        knowledge, "ask_nearby", "Di tích nào gần Phố cổ Hội An?", latitude=HANOI[0], longitude=HANOI[1]
    )
    assert reply.messages[0].text == knowledge.wording.say("nearby_header_site", "vi", name="Phố cổ Hội An")
    titles = [c["title"] for c in customs(reply)]
    assert titles[0] == "1. Thánh địa Mỹ Sơn" and "Phố cổ Hội An" not in " ".join(titles)
    assert "latitude" not in reply.slots
    english = ask(knowledge, "ask_nearby", "heritage sites near Hội An Ancient Town", "en")
    assert (
        english.messages[0].text
        == "The heritage sites nearest to Hội An Ancient Town (straight-line distance):"
    )


def test_shared_location_is_never_kept_in_unanswered_records() -> None:
    assert redact('/share_location{"latitude": 16.46, "longitude": 107.59}') == (
        f"/share_location{{{LOCATION_LABEL}, {LOCATION_LABEL}}}"
    )
    assert redact("tôi ở 16.4637, 107.5909 thì gần đâu") == f"tôi ở {LOCATION_LABEL} thì gần đâu"
    assert redact("my coordinates: 15.7645 108.1243") == f"my coordinates: {LOCATION_LABEL}"
    # amounts with thousands separators and years stay
    assert redact("16.463 và 107.591 lượt khách năm 2022") == "16.463 và 107.591 lượt khách năm 2022"


# ---- map links on heritage answers


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("ask_site_info", "Đại Nội là gì?"),
        ("ask_site_location", "Đại Nội ở đâu?"),
        ("ask_site_recognition", "Đại Nội được UNESCO công nhận năm nào?"),
        ("ask_site_visiting", "Giờ mở cửa Đại Nội?"),
    ],
)
def test_answers_about_a_site_with_coordinates_carry_a_venue(
    knowledge: Knowledge, intent: str, text: str
) -> None:
    reply = ask(knowledge, intent, text)
    venue, *rest = reply.messages
    assert venue.custom == {
        "type": "venue",
        "latitude": 16.4697,
        "longitude": 107.5778,
        "title": "Hoàng thành Huế",
        "address": "Thành phố Huế",
        "map_url": "https://www.openstreetmap.org/?mlat=16.46970&mlon=107.57780#map=16/16.46970/107.57780",
    }
    assert not venue.text and not venue.buttons
    # the answer's text, with its buttons, comes last on every channel
    assert rest and rest[-1].text and all(not m.custom for m in rest)


def test_english_venue(knowledge: Knowledge) -> None:
    [venue] = customs(ask(knowledge, "ask_site_info", "What is the Imperial City?", language="en"))
    assert (venue["title"], venue["address"]) == ("Huế Imperial City", "Huế city")


def test_site_without_coordinates_has_no_venue(knowledge: Knowledge) -> None:
    reply = ask(knowledge, "ask_site_info", "Di chỉ Sa Huỳnh là gì?")
    assert "Di chỉ khảo cổ" in said(reply)
    assert customs(reply) == []


def test_fixture_folder_is_used(tmp_path: Path) -> None:
    assert nearby_state(tmp_path).current().kb.get("heritage_sites", "ly-son-island") is not None
