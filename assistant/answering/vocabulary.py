"""Words for metrics and DTI pillars, read from the NLU synonyms so the model and the actions share them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.text import words

VOCABULARY_FILE = Path(__file__).resolve().parents[2] / "data" / "nlu" / "lookups" / "vocabulary.yml"
KINDS = ("metric", "pillar")


@dataclass(frozen=True)
class Vocabulary:
    """Folded phrase -> (kind, value), e.g. 'khach quoc te' -> ('metric', 'international_visitors')."""

    phrases: dict[str, tuple[str, str]]
    longest: int
    allowed: dict[str, frozenset[str]]

    @classmethod
    def load(cls, path: Path = VOCABULARY_FILE, values: dict[str, set[str]] | None = None) -> Vocabulary:
        """Read the synonyms of the NLU vocabulary file whose values are metrics or pillars."""
        phrases: dict[str, tuple[str, str]] = {}
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                data = yaml.safe_load(handle) or {}
            for item in data.get("nlu") or []:
                value = item.get("synonym")
                if not value:
                    continue
                kind = next((k for k in KINDS if values and value in values.get(k, set())), None)
                if kind is None:
                    continue
                for line in str(item.get("examples", "")).splitlines():
                    phrase = " ".join(words(line.strip().lstrip("-").strip()))
                    if phrase:
                        phrases[phrase] = (kind, value)
                phrases.setdefault(" ".join(words(value.replace("_", " "))), (kind, value))
        longest = max((p.count(" ") + 1 for p in phrases), default=0)
        allowed = {kind: frozenset((values or {}).get(kind, set())) for kind in KINDS}
        return cls(phrases, longest, allowed)

    def values(self, kind: str) -> set[str]:
        """The values of `kind` the vocabulary knows ('revenue', 'digital_government', ...)."""
        return set(self.allowed.get(kind, frozenset()))

    def find(self, text: str) -> dict[str, str]:
        """The metric and pillar named in `text` (longest phrase first), e.g. {'metric': 'revenue'}."""
        tokens = words(text)
        found: dict[str, str] = {}
        used: set[int] = set()
        for size in range(min(self.longest, len(tokens)), 0, -1):
            for start in range(len(tokens) - size + 1):
                span = set(range(start, start + size))
                if span & used:
                    continue
                hit = self.phrases.get(" ".join(tokens[start : start + size]))
                if hit and hit[0] not in found:
                    found[hit[0]] = hit[1]
                    used |= span
        return found
