"""Calendar files of events (.ics, RFC 5545): one VEVENT per file, in Vietnam time.

An event with a `start_time` gets DTSTART/DTEND with TZID=Asia/Ho_Chi_Minh (and the VTIMEZONE that defines it:
UTC+7, no daylight saving); an event without one is all-day (VALUE=DATE, DTEND the day after the last day).
Lines end with CRLF and are folded at 75 octets; TEXT values escape backslash, ';', ',' and newlines.
Answers about an event carry the file as a `document` message (bot/PROTOCOL.md) whose URL is a path on the
web gateway, `/events/<id>.ics`, which serves it (bot/web/media.py).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from assistant.answering.common import Knowledge, entry_source, name, text_of
from assistant.answering.model import Message
from assistant.kb.entry import Entry

TOPIC = "events"
TZID = "Asia/Ho_Chi_Minh"
PRODID = "-//mien-trung-assistant//events//VI"
UID_DOMAIN = "mien-trung-assistant"
LINE_OCTETS = 75
ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # the knowledge's id rule (assistant/kb/validate.py)
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0700",
    "TZOFFSETTO:+0700",
    "TZNAME:+07",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def calendar_url(event_id: str, language: str) -> str:
    """The path of an event's .ics file on the web gateway (English names and texts with ?lang=en)."""
    return f"/events/{event_id}.ics" + ("?lang=en" if language == "en" else "")


def document_custom(event: Entry, language: str) -> dict[str, str]:
    """The `document` payload of an event's calendar file."""
    return {"type": "document", "url": calendar_url(event.id, language), "filename": f"{event.id}.ics"}


def document_message(event: Entry, language: str) -> Message:
    """A message that offers the event's calendar file."""
    return Message(custom=document_custom(event, language))


def escape_text(value: str) -> str:
    """A TEXT property value: backslash, semicolon and comma escaped, line breaks written as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """`line` folded into CRLF + space continued lines of at most 75 octets, never inside a character."""
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > LINE_OCTETS:
            parts.append(current)
            current, size = " ", 1  # a continuation line starts with one space, which counts
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _local(day: date, time_text: str) -> str:
    hours, minutes = time_text.split(":")
    return f"{_date(day)}T{int(hours):02d}{int(minutes):02d}00"


def event_times(event: Entry) -> list[str]:
    """The DTSTART and DTEND lines of `event` (timed in Vietnam time, else all-day)."""
    start = date.fromisoformat(str(event["start_date"]))
    end = date.fromisoformat(str(event.get("end_date") or event["start_date"]))
    start_time, end_time = event.get("start_time"), event.get("end_time")
    if not start_time:
        return [f"DTSTART;VALUE=DATE:{_date(start)}", f"DTEND;VALUE=DATE:{_date(end + timedelta(days=1))}"]
    lines = [f"DTSTART;TZID={TZID}:{_local(start, str(start_time))}"]
    if end_time:
        lines.append(f"DTEND;TZID={TZID}:{_local(end, str(end_time))}")
    elif end != start:
        lines.append(f"DTEND;TZID={TZID}:{_local(end + timedelta(days=1), '00:00')}")
    return lines


def event_calendar(knowledge: Knowledge, event: Entry, language: str, stamp: datetime) -> str:
    """The .ics text of `event` in `language`; `stamp` (when the file is made) becomes DTSTAMP."""
    description = "\n\n".join(
        part
        for part in (text_of(event["description"], language), entry_source(knowledge, event, language))
        if part
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-TIMEZONE:{TZID}",
        *VTIMEZONE,
        "BEGIN:VEVENT",
        f"UID:{event.id}@{UID_DOMAIN}",
        f"DTSTAMP:{stamp.astimezone(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}",
        *event_times(event),
        f"SUMMARY:{escape_text(name(event, language))}",
        f"DESCRIPTION:{escape_text(description)}",
    ]
    venue = text_of(event.get("venue"), language)
    if venue:
        lines.append(f"LOCATION:{escape_text(venue)}")
    url = (event.get("source") or {}).get("url")
    if url:
        lines.append(f"URL:{url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)


def find_event(knowledge: Knowledge, event_id: str) -> Entry | None:
    """The event with id `event_id`, or None (also for an id the knowledge could never hold)."""
    return knowledge.kb.get(TOPIC, event_id) if ID_RE.match(event_id) else None
