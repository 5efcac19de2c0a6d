"""Events relative to today (upcoming first, past ones labelled) and every event's calendar file (.ics)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from assistant.answering.common import Knowledge
from assistant.answering.dispatch import answer, build_question
from assistant.answering.events import months_in, when
from assistant.answering.ics import LINE_OCTETS, escape_text, event_calendar, fold
from assistant.answering.model import Reply
from assistant.kb.entry import Entry
from tests.answering.conftest import said

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
STAMP = datetime(2026, 11, 23, 3, 4, 5, tzinfo=timezone.utc)


def ask_on(knowledge: Knowledge, today: date, intent: str, text: str, language: str = "vi") -> Reply:
    question = build_question(knowledge, intent, text, [], {"language": language}, today)
    return answer(knowledge, question)


def documents(reply: Reply) -> list[dict[str, str]]:
    return [m.custom for m in reply.messages if m.custom and m.custom.get("type") == "document"]


def parse(text: str) -> icalendar.Calendar:
    """The calendar, after checking the framing RFC 5545 asks for (CRLF lines of at most 75 octets)."""
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    assert all("\n" not in line and "\r" not in line for line in lines)
    assert all(len(line.encode("utf-8")) <= LINE_OCTETS for line in lines)
    return icalendar.Calendar.from_ical(text)


def the_event(calendar: icalendar.Calendar) -> icalendar.Event:
    [event] = calendar.walk("VEVENT")
    return event


# ---- upcoming and past events


def test_upcoming_events_come_first_and_past_ones_are_labelled(knowledge: Knowledge) -> None:
    reply = ask_on(knowledge, date(2023, 9, 1), "list_events", "sự kiện chuyển đổi số sắp tới")
    lines = said(reply).splitlines()
    assert lines[0] == "Các sự kiện chuyển đổi số trong cơ sở tri thức (hôm nay 01/09/2023):"
    assert lines[1] == "• Tuần lễ Chuyển đổi số Quảng Ngãi 2023 – từ 28/09/2023 đến 02/10/2023 (sắp diễn ra)"
    past = [line for line in lines[2:] if line.startswith("•")]
    assert past and all(line.endswith("(đã diễn ra)") for line in past)
    assert "Ngày Chuyển đổi số quốc gia 10/10 – ngày 10/10/2022" in past[0]  # newest past first
    assert documents(reply) == [
        {"type": "document", "url": "/events/qng-2023-dx-week.ics", "filename": "qng-2023-dx-week.ics"}
    ]


def test_an_event_of_today_is_happening_now(knowledge: Knowledge) -> None:
    reply = ask_on(
        knowledge, date(2023, 9, 29), "list_events", "upcoming digital transformation events", "en"
    )
    assert (
        "Quảng Ngãi Digital Transformation Week 2023 – from 28 September 2023 to 2 October 2023 (happening now)"
        in said(reply)
    )
    assert documents(reply)[0]["url"] == "/events/qng-2023-dx-week.ics?lang=en"


@pytest.mark.parametrize(("text", "language"), [("su kien sap toi", "vi"), ("upcoming events", "en")])
def test_no_upcoming_event_is_said_and_the_latest_past_ones_listed(
    knowledge: Knowledge, text: str, language: str
) -> None:
    reply = ask_on(knowledge, date(2026, 11, 23), "list_events", text, language)
    lines = said(reply).splitlines()
    honest = {
        "vi": "Hiện tôi chưa có sự kiện nào sắp diễn ra; các sự kiện gần nhất đều đã qua.",
        "en": "I have no upcoming events right now; the most recent ones are past.",
    }
    assert lines[1] == honest[language]
    assert (
        "Tuần lễ Chuyển đổi số Quảng Ngãi 2023" in lines[2]
        or "Quảng Ngãi Digital Transformation Week" in lines[2]
    )
    assert lines[2].endswith("(đã diễn ra)" if language == "vi" else "(past)")
    assert documents(reply) == []  # past events' files come with their own answers


def test_a_stated_year_narrows_the_list(knowledge: Knowledge) -> None:
    text = said(ask_on(knowledge, date(2026, 1, 1), "list_events", "các sự kiện chuyển đổi số năm 2022"))
    assert "Huế 2022" in text and "Quảng Ngãi 2023" not in text


@pytest.mark.parametrize("intent", ["ask_event_date", "ask_event_info"])
def test_event_answers_offer_the_calendar_file(knowledge: Knowledge, intent: str) -> None:
    reply = ask_on(
        knowledge, date(2026, 1, 1), intent, "Tuần lễ chuyển đổi số Quảng Ngãi 2023 diễn ra khi nào"
    )
    assert "đã diễn ra từ 28/09/2023 đến 02/10/2023" in said(reply)
    assert documents(reply) == [
        {"type": "document", "url": "/events/qng-2023-dx-week.ics", "filename": "qng-2023-dx-week.ics"}
    ]
    carrier = next(m for m in reply.messages if m.custom)
    assert carrier.text  # on the answer's own message, so feedback buttons stay under the answer


# ---- the .ics file


@pytest.mark.parametrize("event_id", ["qng-2023-dx-week", "national-dx-day", "hue-2022-dx-week"])
def test_every_event_has_a_calendar_file_that_parses(knowledge: Knowledge, event_id: str) -> None:
    entry = knowledge.kb.get("events", event_id)
    assert entry is not None
    calendar = parse(event_calendar(knowledge, entry, "vi", STAMP))
    assert calendar["VERSION"] == "2.0"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Asia/Ho_Chi_Minh"
    assert zone.to_tz().utcoffset(datetime(2023, 9, 28)) == timedelta(hours=7)
    event = the_event(calendar)
    assert str(event["UID"]) == f"{event_id}@mien-trung-assistant"
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["SUMMARY"]) == entry.name_vi
    description = str(event["DESCRIPTION"])
    assert description.startswith(str(entry["description"]["vi"])[:40])
    assert "Nguồn:" in description  # the source line


def test_a_multi_day_event_without_a_time_is_all_day(knowledge: Knowledge) -> None:
    entry = knowledge.kb.get("events", "qng-2023-dx-week")
    assert entry is not None
    event = the_event(parse(event_calendar(knowledge, entry, "en", STAMP)))
    assert event.decoded("DTSTART") == date(2023, 9, 28)
    assert event.decoded("DTEND") == date(2023, 10, 3)  # exclusive: the day after the last day
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert str(event["SUMMARY"]) == "Quảng Ngãi Digital Transformation Week 2023"


def test_a_timed_event_is_in_vietnam_time(knowledge: Knowledge) -> None:
    source = knowledge.kb.get("events", "qnam-2022-10-10-workshop")
    assert source is not None
    timed = Entry("events", source.id, {**dict(source.data), "start_time": "08:00", "end_time": "11:30"})
    text = event_calendar(knowledge, timed, "vi", STAMP)
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20221010T080000\r\n" in text
    event = the_event(parse(text))
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert (start.year, start.month, start.day, start.hour, start.minute) == (2022, 10, 10, 8, 0)
    assert str(start.tzinfo) in ("Asia/Ho_Chi_Minh", "+07")
    assert start.utcoffset() == timedelta(hours=7)
    assert start.astimezone(timezone.utc) == datetime(2022, 10, 10, 1, 0, tzinfo=timezone.utc)
    assert end.astimezone(VIETNAM).time().isoformat() == "11:30:00"
    assert event["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert when(knowledge, timed, "vi") == "ngày 10/10/2022, lúc 08:00"
    assert when(knowledge, timed, "en") == "on 10 October 2022, at 08:00"


def test_text_values_are_escaped_and_long_lines_folded() -> None:
    assert escape_text('a,b;c\\d\ne "x"') == 'a\\,b\\;c\\\\d\\ne "x"'
    line = "DESCRIPTION:" + "Tuần lễ Chuyển đổi số " * 20
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= LINE_OCTETS for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line  # unfolds to the same text
    parsed = icalendar.Calendar.from_ical(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20260101T000000Z\r\n"
        f"SUMMARY:{escape_text('Hội thảo; chủ đề, “số”')}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert str(the_event(parsed)["SUMMARY"]) == "Hội thảo; chủ đề, “số”"


def test_a_month_of_a_year_is_read_as_people_write_it_but_not_from_a_day_or_a_span() -> None:
    assert months_in("the workshop in October 2022") == {(2022, 10)}
    assert months_in("hội thảo tháng 10/2022") == {(2022, 10)}
    assert months_in("hoi thao thang 10 nam 2022") == {(2022, 10)}
    assert months_in("hội thảo ngày 07/10/2022") == set()
    assert months_in("giai đoạn 2021-2025, năm 2022") == set()
