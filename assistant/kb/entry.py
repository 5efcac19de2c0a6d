"""One validated knowledge entry, immutable, and the folded key every name and alias is matched by."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from assistant.text import words


def name_key(text: str) -> str:
    """The folded words of `text` joined by one space: "Đại Nội - Huế" -> "dai noi hue"."""
    return " ".join(words(text))


def freeze(value: Any) -> Any:
    """A read-only copy of JSON-like data: mappings become MappingProxyType, lists become tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """A plain JSON-ready copy of frozen data (dicts and lists)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class Entry:
    """One entry of one topic. `data` holds every field as in the file; dates are 'YYYY-MM-DD' strings."""

    topic: str
    id: str
    data: Mapping[str, Any] = field(hash=False)
    file: str = ""
    line: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", freeze(self.data))

    def get(self, name: str, default: Any = None) -> Any:
        """The value of field `name`, or `default` when the entry does not have it."""
        return self.data.get(name, default)

    def __getitem__(self, name: str) -> Any:
        return self.data[name]

    @property
    def province(self) -> str:
        return str(self.data.get("province", ""))

    @property
    def name_vi(self) -> str:
        return _text(self.data.get("name"), "vi")

    @property
    def name_en(self) -> str:
        return _text(self.data.get("name"), "en")

    @property
    def aliases(self) -> tuple[str, ...]:
        return tuple(self.data.get("aliases") or ())

    def names(self) -> Iterable[tuple[str, str]]:
        """(kind, text) of every name the entry is known by: kind is 'name' or 'alias'."""
        for text in (self.name_vi, self.name_en):
            if text:
                yield "name", text
        for alias in self.aliases:
            yield "alias", alias

    def to_json(self) -> dict[str, Any]:
        """The entry's fields as plain dicts and lists (for json.dumps and the database)."""
        return thaw(self.data)


def _text(value: Any, language: str) -> str:
    if isinstance(value, Mapping):
        return str(value.get(language) or "")
    return ""


def english_texts_in(value: Any) -> Iterator[str]:
    """The English texts of a field's value: the strings under an "en" key of its mappings."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from texts_in(item) if key == "en" else english_texts_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from english_texts_in(item)


def texts_in(value: Any) -> Iterator[str]:
    """Every text of a field's value: a string, or the strings inside its mappings and lists."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from texts_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from texts_in(item)
