"""Heritage sites near the user: straight-line distances from a shared location, the nearest first.

The location comes from the message (the channels send `/share_location{"latitude": .., "longitude": ..}`, or the
user types "16.4637, 107.5909"), else from the conversation (slots `latitude` and `longitude`, the latest shared
location). A site the message names ("di tích gần Phố cổ Hội An") stands in for a location the message does not
give. Without any, the assistant asks for the location with a `location_request` (bot/PROTOCOL.md).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from assistant.answering.common import Knowledge, button, name, text_of
from assistant.answering.heritage import TOPIC, osm_url
from assistant.answering.model import Message, Question, Reply
from assistant.answering.wording import format_date
from assistant.kb.entry import Entry

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius
MAX_SITES = 5
FAR_KM = 100.0  # farther than this from every known site: the user is outside the provinces covered
LOCATION_SLOTS = ("latitude", "longitude")
LOCATION_REQUEST = {"type": "location_request"}
# Two decimal numbers typed as a pair: "16.4637, 107.5909" or "16.4637 107.5909".
_TYPED_POINT = re.compile(r"(?<![\d.])([-+]?\d{1,3}\.\d+)(?:\s*[,;]\s*|\s+)([-+]?\d{1,3}\.\d+)(?![\d.])")


@dataclass(frozen=True)
class Point:
    """A place on Earth in decimal degrees."""

    latitude: float
    longitude: float


def parse_point(latitude: Any, longitude: Any) -> Point | None:
    """The point, or None unless both are finite numbers (or numeric strings) within ±90 and ±180 degrees."""
    values = []
    for value, bound in ((latitude, 90.0), (longitude, 180.0)):
        if isinstance(value, bool) or value is None:
            return None
        try:
            number = float(str(value).strip()) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            return None
        if not math.isfinite(number) or not -bound <= number <= bound:
            return None
        values.append(number)
    return Point(values[0], values[1])


def haversine_km(a: Point, b: Point) -> float:
    """The great-circle distance between two points, in kilometres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def site_point(site: Entry) -> Point | None:
    """The coordinates of a site, when the knowledge has them."""
    coordinates = site.get("coordinates")
    return parse_point(coordinates.get("lat"), coordinates.get("lon")) if coordinates else None


def nearest_sites(
    knowledge: Knowledge, point: Point, limit: int = MAX_SITES, exclude: str | None = None
) -> list[tuple[Entry, float]]:
    """The sites with coordinates (but `exclude`) and their distances from `point` in km, the nearest first."""
    distances = []
    for site in knowledge.kb.entries(TOPIC):
        where = site_point(site)
        if where is not None and site.id != exclude:
            distances.append((site, haversine_km(point, where)))
    distances.sort(key=lambda pair: (pair[1], pair[0].id))
    return distances[:limit]


def format_distance(km: float, language: str) -> str:
    """1.234 km -> '1,2' (vi) or '1.2' (en); 1234.5 -> '1.234,5' (vi) or '1,234.5' (en)."""
    text = f"{km:,.1f}"
    if language == "vi":
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _given_point(question: Question) -> tuple[bool, Point | None]:
    """(whether the message gives a location, the location when it is valid)."""
    latitude, longitude = question.values.get("latitude"), question.values.get("longitude")
    if latitude is not None or longitude is not None:
        return True, parse_point(latitude, longitude)
    match = _TYPED_POINT.search(question.text)
    if match:
        return True, parse_point(match.group(1), match.group(2))
    return False, None


def location_of(question: Question) -> tuple[bool, Point | None]:
    """(whether this message gives a location, the location to use: the message's, else the latest shared)."""
    given, point = _given_point(question)
    if given:
        return True, point
    return False, parse_point(question.context.get("latitude"), question.context.get("longitude"))


def _named_site(knowledge: Knowledge, question: Question) -> Entry | None:
    """The site with coordinates this message names ("di tích gần Phố cổ Hội An"), if any."""
    site = knowledge.entry(TOPIC, question.first(TOPIC))
    return site if site is not None and site_point(site) is not None else None


def _ask_location(knowledge: Knowledge, question: Question, key: str) -> Reply:
    reply = Reply(slots={"last_intent": "ask_nearby"})
    reply.say(knowledge.wording.say(key, question.language))
    reply.messages.append(Message(custom=dict(LOCATION_REQUEST)))
    return reply


def nearby_sites(knowledge: Knowledge, question: Question) -> Reply:
    """The heritage sites nearest to the user's location (or to a site the message names), or a request for
    the location.

    Every reply counts as answered: a shared location is never written to the unanswered records.
    """
    language = question.language
    say = knowledge.wording.say
    given, point = location_of(question)
    anchor = None if given else _named_site(knowledge, question)
    if anchor is not None:
        point = site_point(anchor)
    if point is None:
        return _ask_location(knowledge, question, "nearby_bad_location" if given else "nearby_ask")
    reply = Reply(slots={"last_intent": "ask_nearby"})
    if given:
        reply.slots.update(latitude=point.latitude, longitude=point.longitude)
    nearest = nearest_sites(knowledge, point, exclude=anchor.id if anchor else None)
    if not nearest:
        reply.say(say("nearby_no_sites", language))
        return reply

    first, first_km = nearest[0]
    if anchor is None and first_km > FAR_KM:  # outside the provinces covered: say so, give the nearest only
        shown = nearest[:1]
        distance = _distance(knowledge, first_km, language)
        reply.say(say("nearby_far", language, name=name(first, language), distance=distance))
    elif anchor is not None:
        shown = nearest
        reply.say(say("nearby_header_site", language, name=name(anchor, language)))
    else:
        shown = nearest
        reply.say(say("nearby_header", language))
    for rank, (site, km) in enumerate(shown, start=1):
        reply.messages.append(Message(custom=_card(knowledge, site, km, rank, language)))
    newest = max(site["as_of"] for site, _ in shown)
    buttons = [button(name(site, language), "ask_site_location", site=site.id) for site, _ in shown]
    reply.say(say("source_list", language, date=format_date(newest, language)), buttons)
    return reply


def _distance(knowledge: Knowledge, km: float, language: str) -> str:
    return knowledge.wording.say("distance_km", language, value=format_distance(km, language))


def _card(knowledge: Knowledge, site: Entry, km: float, rank: int, language: str) -> dict[str, Any]:
    """A site as a `card` (bot/PROTOCOL.md): its rank and name, distance and address, and its map link."""
    say = knowledge.wording.say
    coordinates = site["coordinates"]
    return {
        "type": "card",
        "title": say("nearby_card_title", language, rank=rank, name=name(site, language)),
        "text": say(
            "nearby_card_text",
            language,
            distance=_distance(knowledge, km, language),
            location=text_of(site.get("location"), language),
        ),
        "url": osm_url(coordinates["lat"], coordinates["lon"]),
    }
