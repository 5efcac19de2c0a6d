"""The single-process assistant's conversations, kept in memory compressed.

Rasa's InMemoryTrackerStore keeps every conversation as its JSON text for as long as the server runs, so a
long run grows the Rasa server steadily (`make soak`, docs/benchmarks.md). The same text compressed with zlib
takes about a fifth of that; it is compressed when saved and decompressed when read, so Rasa sees exactly the
text it stored. The scaled set-up keeps conversations in
PostgreSQL instead (endpoints.scaled.yml).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, MutableMapping
from typing import Any

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain

LEVEL = 1  # the fastest level: most of the gain, a small fraction of a millisecond a message


class CompressedTexts(MutableMapping[str, str]):
    """A dictionary of texts that holds each value zlib-compressed."""

    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}

    def __getitem__(self, key: str) -> str:
        return zlib.decompress(self._data[key]).decode("utf-8")

    def __setitem__(self, key: str, value: str) -> None:
        self._data[key] = zlib.compress(value.encode("utf-8"), LEVEL)

    def __delitem__(self, key: str) -> None:
        del self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def stored_bytes(self) -> int:
        """The compressed size of every conversation together."""
        return sum(len(v) for v in self._data.values())


class CompressedInMemoryTrackerStore(InMemoryTrackerStore):
    """Rasa's InMemoryTrackerStore with its conversations compressed (same behaviour, less memory)."""

    def __init__(self, domain: Domain, event_broker: Any = None, **kwargs: Any) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self.store: CompressedTexts = CompressedTexts()
