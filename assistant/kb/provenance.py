"""Provenance and freshness rules of the knowledge: a fact's source is the one that contains it, a worked-out
figure says so, and what changes (prices, hours, fees, procedure times) is re-checked a year after its date.

The validator reports the broken rules as problems; `kb check` also lists what is due for review; answers from
a due fact say that it may have changed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.kb import schema
from assistant.kb.documents import Document
from assistant.kb.entry import Entry
from assistant.kb.errors import Problem
from assistant.settings import get_settings

# Topics whose figures are checked against the text of their source, when the knowledge holds that text.
_FIGURE_FIELDS = ("value", "rank", "out_of", "growth_percent")
_SCALES = ((1_000_000_000, ("tỷ",)), (1_000_000, ("triệu",)), (1_000, ("nghìn", "ngàn")))


def as_of_day(value: str) -> date:
    """The first day a source date covers: '2022-10' -> 2022-10-01, '2022' -> 2022-01-01."""
    return date.fromisoformat((str(value) + "-01-01")[:10] if len(str(value)) < 10 else str(value))


def _year_later(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


# ------------------------------------------------------------------------------------------------ provenance


def value_forms(value: float | int) -> set[str]:
    """How a source may write a figure: 650000 -> '650.000', '650,000', '650000', '650 nghìn', '0,65 triệu'..."""
    forms: set[str] = set()
    number = float(value)
    if number.is_integer():
        whole = int(number)
        forms |= {str(whole), f"{whole:,}".replace(",", "."), f"{whole:,}"}
        for scale, scale_words in _SCALES:
            if whole >= scale:
                short = f"{whole / scale:.3f}".rstrip("0").rstrip(".")
                forms |= {f"{short.replace('.', ',')} {word}" for word in scale_words}
    else:
        text = f"{number:.3f}".rstrip("0").rstrip(".")
        forms |= {text, text.replace(".", ",")}
    return forms


def claimed_figures(entry: Entry) -> Iterator[tuple[str, float, bool]]:
    """(field path, value, derived) of every figure an entry states."""
    derived = bool(entry.get("derived"))
    for name in _FIGURE_FIELDS:
        value = entry.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            yield name, value, derived
    for index, figure in enumerate(entry.get("figures") or ()):
        yield f"figures[{index}].value", figure["value"], bool(figure.get("derived"))


def _source_key(source: Mapping[str, Any]) -> str:
    return str(source.get("seed") or source.get("url") or "")


def _source_texts(documents: Iterable[Document]) -> dict[str, str]:
    """The text of every source the knowledge holds as a document, by seed file name or URL."""
    texts: dict[str, str] = {}
    for document in documents:
        key = _source_key(document.source)
        if key:
            body = " ".join(p.text for p in document.passages)
            texts[key] = texts.get(key, "") + " " + unicodedata.normalize("NFC", body)
    return texts


def _sources_of(entry: Entry, field_name: str) -> list[Mapping[str, Any]]:
    """The sources that support `field_name`: the claim sources naming it, else the entry's source."""
    claims = [s for s in entry.get("sources") or () if field_name.split("[")[0] in s["supports"]]
    return claims or ([entry["source"]] if entry.get("source") else [])


def provenance_problems(
    topics: Mapping[str, Sequence[Entry]], documents: Iterable[Document], prefix: str
) -> list[Problem]:
    """Problems of the provenance rules, as `file:line` of the entry."""
    texts = _source_texts(documents)
    problems: list[Problem] = []
    for topic, entries in topics.items():
        fields = {**schema.COMMON_FIELDS, **schema.TOPIC_FIELDS[topic]}
        for entry in entries:
            file = f"{prefix}/{schema.TOPIC_FILES[topic]}"

            def problem(message: str, entry: Entry = entry, file: str = file) -> None:
                problems.append(Problem(file, entry.line, f"'{entry.id}': {message}"))

            for claim in entry.get("sources") or ():
                if not (claim.get("seed") or claim.get("url")):
                    problem(f"source {claim['title']!r} names neither a seed file nor a URL")
                for name in claim["supports"]:
                    if name not in fields:
                        problem(
                            f"source {claim['title']!r} supports {name!r}, which is not a field of {topic}"
                        )
            if entry.get("derived") and not entry.get("detail"):
                problem("a derived figure says in 'detail' how it was worked out from the source's words")
            review = entry.get("review_by")
            if review and entry.get("as_of") and date.fromisoformat(review) < as_of_day(entry["as_of"]):
                problem(f"review_by {review} is before as_of {entry['as_of']}")
            for path, value, derived in claimed_figures(entry):
                if derived:
                    continue
                for source in _sources_of(entry, path):
                    text = texts.get(_source_key(source))
                    if text is not None and not any(form in text for form in value_forms(value)):
                        problem(
                            f"{path} {value} is not in the text of its source {source['title']!r}; "
                            "cite the source that states it, or mark a worked-out figure 'derived: true'"
                        )
    return problems


def source_for(entry: Entry, field_name: str) -> tuple[Mapping[str, Any], str]:
    """(source, as_of) behind one field of an entry: the claim source that supports it, else the entry's."""
    for claim in entry.get("sources") or ():
        if field_name in claim["supports"]:
            return claim, str(claim.get("as_of") or entry["as_of"])
    return entry["source"], str(entry["as_of"])


# ------------------------------------------------------------------------------------------------- freshness


@dataclass(frozen=True)
class Review:
    """One fact that must be checked again by a date."""

    file: str
    line: int
    entry: str
    what: str  # the field or visiting kind
    as_of: str
    review_by: date


def review_by(item: Mapping[str, Any], changes: bool) -> date | None:
    """When a fact (an entry, a visiting fact) must be checked again: its own review_by, else a year after its
    as_of when it holds what changes."""
    if item.get("review_by"):
        return date.fromisoformat(str(item["review_by"]))
    if changes and item.get("as_of"):
        return _year_later(as_of_day(str(item["as_of"])))
    return None


def entry_changes(entry: Entry) -> bool:
    """Whether the entry holds a field that changes with rules and prices (a fee, a procedure time)."""
    return any(entry.get(name) for name in schema.REVIEWED_FIELDS)


def current_visiting(facts: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The newest visiting fact of each kind: what a visitor is told; older ones are the record of what was."""
    newest: dict[str, Mapping[str, Any]] = {}
    for fact in facts:
        kept = newest.get(fact["kind"])
        if kept is None or as_of_day(str(fact["as_of"])) > as_of_day(str(kept["as_of"])):
            newest[fact["kind"]] = fact
    return newest


def reviews(topics: Mapping[str, Sequence[Entry]], prefix: str) -> list[Review]:
    """Every current fact with a review date, by date (a visiting fact a newer one of its kind replaced is
    history, not due)."""
    found: list[Review] = []
    for topic, entries in topics.items():
        file = f"{prefix}/{schema.TOPIC_FILES[topic]}"
        for entry in entries:
            when = review_by(entry.data, entry_changes(entry))
            if when:
                what = ", ".join(n for n in sorted(schema.REVIEWED_FIELDS) if entry.get(n)) or "entry"
                found.append(Review(file, entry.line, entry.id, what, str(entry["as_of"]), when))
            for fact in current_visiting(entry.get("visiting") or ()).values():
                when = review_by(fact, fact["kind"] in schema.REVIEWED_VISITING)
                if when:
                    found.append(
                        Review(
                            file, entry.line, entry.id, f"visiting.{fact['kind']}", str(fact["as_of"]), when
                        )
                    )
    return sorted(found, key=lambda r: (r.review_by, r.file, r.line))


def is_due(item: Mapping[str, Any], changes: bool, today: date | None = None) -> bool:
    """Whether a fact's review date has come."""
    when = review_by(item, changes)
    return when is not None and when <= (today or _today())


def _today() -> date:
    """Today, or the TODAY setting (reproducible tests)."""
    override = get_settings().today
    return date.fromisoformat(override) if override else date.today()
