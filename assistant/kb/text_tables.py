"""Plain-text tables and short texts of the staff command's reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from assistant import records
from assistant.kb import schema
from assistant.kb.entry import Entry


def stats_table(topics: dict[str, list[Entry]]) -> str:
    """A plain-text table: one row per topic, one column per province, with totals."""
    provinces = list(schema.PROVINCES)
    header = ["chủ đề (topic)", *provinces, "tổng (total)"]
    rows = []
    for topic in schema.TOPIC_FIELDS:
        entries = topics.get(topic, [])
        counts = [sum(1 for e in entries if e.province == p) for p in provinces]
        rows.append([topic, *map(str, counts), str(len(entries))])
    totals = [sum(int(row[i + 1]) for row in rows) for i in range(len(provinces) + 1)]
    rows.append(["tổng (total)", *map(str, totals)])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows[:-1]), rule, line(rows[-1])])


def local_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(records.LOCAL_TIME_ZONE).strftime("%Y-%m-%d %H:%M")


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A plain-text table; columns whose index is in `right` are right-aligned (numbers)."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def limited(items: list[Any], limit: int) -> list[Any]:
    return items if limit <= 0 else items[:limit]
