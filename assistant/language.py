"""How people type, and the same words in the other language: two tables staff keep in knowledge/language/.

`out_of_scope.yml` lists the words of the domains the assistant declines (health, law, weather, bookings).
`abbreviations.yml` maps what people type ("qngai", "bn", "ko", "ad ơi") to what it means ("quang ngai",
"bao nhieu", "khong", nothing); `glossary.yml` pairs Vietnamese and English words of the domain ("diễn giả" /
"speakers"). `Language.expand` rewrites a question with the first table, on folded words;
`Language.equivalents` gives the other language's phrases for those of a question, so that a search finds text
written in either.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.text import fold, stem, without_possessives
from assistant.yamlfile import safe_load

LANGUAGE_DIR = "language"
ABBREVIATIONS_FILE = f"{LANGUAGE_DIR}/abbreviations.yml"
GLOSSARY_FILE = f"{LANGUAGE_DIR}/glossary.yml"
OUT_OF_SCOPE_FILE = f"{LANGUAGE_DIR}/out_of_scope.yml"
MAX_PHRASE_WORDS = 3
ACRONYM_LETTERS = 3
# Words and numbers of folded text; the rest (spaces, punctuation) is kept as it is between them.
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
# A key of the abbreviation table: one to three folded words.
KEY_RE = re.compile(r"[a-z0-9]+(?: [a-z0-9]+){0,2}\Z")


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(fold(text)))


def _english_phrase(text: str) -> tuple[str, ...]:
    """An English phrase as its words' stems, read as questions are (no possessive 's): "districts" and "cities"
    find "district" and "city", "people's committee" finds "People's Committee"."""
    return tuple(stem(w) for w in _phrase(without_possessives(text)))


def _phrases(tokens: list[str], longest: int) -> set[tuple[str, ...]]:
    """Every run of one to `longest` neighbouring tokens."""
    return {tuple(tokens[i : i + n]) for n in range(1, longest + 1) for i in range(len(tokens) - n + 1)}


Pair = tuple[frozenset[tuple[str, ...]], frozenset[tuple[str, ...]]]


def _pairs_found(
    pairs: Iterable[Pair], present: set[tuple[str, ...]]
) -> Iterator[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]:
    """For each phrase of `pairs` (either side) in `present`, the phrase and what else says it: the other side's
    phrases and its own side's other phrases ("company" is said by "doanh nghiệp" and by "business")."""
    for vi, en in pairs:
        for side, other in ((vi, en), (en, vi)):
            for phrase in sorted(side & present):
                yield phrase, tuple(sorted(other | (side - {phrase})))


@dataclass(frozen=True)
class Language:
    """The two tables, ready to apply (empty tables change nothing)."""

    abbreviations: Mapping[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    pairs: tuple[Pair, ...] = ()
    out_of_scope: Mapping[str, frozenset[tuple[str, ...]]] = field(default_factory=dict)
    # Pairs learnt from the knowledge's own translations (assistant/kb/lexicon.py), used after the glossary's.
    learned: tuple[Pair, ...] = ()

    def with_learned(self, pairs: Iterable[Pair]) -> Language:
        return dataclasses.replace(self, learned=tuple(pairs))

    @functools.cached_property
    def longest_phrase(self) -> int:
        """The most words a phrase of the glossary (or of the learnt pairs) has."""
        sides = [side for pair in (*self.pairs, *self.learned) for side in pair]
        return max((len(p) for side in sides for p in side), default=1)

    @functools.cached_property
    def acronyms(self) -> Mapping[tuple[str, ...], tuple[str, ...]]:
        """The abbreviations of three letters or more that mean something (UBND, CĐS, TT&TT): sources write
        those too; the short forms of chat (k, j, v, dc) they do not, and there they may be something else."""
        return {k: v for k, v in self.abbreviations.items() if v and len("".join(k)) >= ACRONYM_LETTERS}

    @classmethod
    def from_data(
        cls,
        abbreviations: Mapping[str, Any] | None,
        glossary: Iterable[Any] | None,
        out_of_scope: Mapping[str, Any] | None = None,
    ) -> Language:
        table = {
            _phrase(str(key)): _phrase(str(value or ""))
            for key, value in (abbreviations or {}).items()
            if _phrase(str(key))
        }
        pairs = []
        for item in glossary or []:
            if isinstance(item, Mapping):
                vi = frozenset(p for p in (_phrase(str(w)) for w in item.get("vi") or []) if p)
                en = frozenset(p for p in (_english_phrase(str(w)) for w in item.get("en") or []) if p)
                if vi and en:
                    pairs.append((vi, en))
        domains = {
            str(domain): frozenset(p for p in (_phrase(str(w)) for w in words or []) if p)
            for domain, words in (out_of_scope or {}).items()
            if isinstance(words, list)
        }
        return cls(table, tuple(pairs), domains)

    @classmethod
    def from_dir(cls, knowledge_dir: Path) -> Language:
        """The tables of a knowledge folder (missing files: empty tables). Validation is the validator's job."""

        def read(name: str) -> Any:
            path = knowledge_dir / name
            return safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None

        abbreviations = read(ABBREVIATIONS_FILE)
        glossary = read(GLOSSARY_FILE)
        out_of_scope = read(OUT_OF_SCOPE_FILE)
        return cls.from_data(
            abbreviations if isinstance(abbreviations, Mapping) else None,
            glossary if isinstance(glossary, list) else None,
            out_of_scope if isinstance(out_of_scope, Mapping) else None,
        )

    def read_source(self, text: str) -> str:
        """A text of the knowledge read as questions are: folded, its acronyms written out."""
        return self.expand(text, drop_fillers=False, table=self.acronyms)

    def expand(
        self,
        text: str,
        drop_fillers: bool = True,
        table: Mapping[tuple[str, ...], tuple[str, ...]] | None = None,
    ) -> str:
        """`text` folded, with every abbreviation (of `table`, else all) written out (longest first) and, unless
        `drop_fillers` is False, fillers dropped; what lies between the words (spaces, '/', '?') is kept, so
        dates and numbers read as before."""
        table = self.abbreviations if table is None else table
        folded = fold(text)
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(folded)]
        words = [folded[a:b] for a, b in spans]
        out: list[str] = []
        last = 0
        i = 0
        while i < len(words):
            for size in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
                meaning = table.get(tuple(words[i : i + size]))
                if meaning is not None and (meaning or drop_fillers):
                    start, end = spans[i][0], spans[i + size - 1][1]
                    out += [folded[last:start], " ".join(meaning)]
                    last = end
                    i += size
                    break
            else:
                i += 1
        out.append(folded[last:])
        expanded = " ".join("".join(out).split()).lstrip(" ,;.!")
        return expanded if _TOKEN.search(expanded) else " ".join(folded.split())  # "cảm ơn" alone stays

    def equivalents(self, words: Iterable[str]) -> list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]:
        """For each glossary phrase found in `words` (folded), the phrase and its other-language phrases."""
        # Words as typed may hold punctuation ("week?", "Ngãi's"): only their letters and digits count.
        tokens = [token for word in words for token in _TOKEN.findall(fold(word))]
        longest = self.longest_phrase
        present = _phrases(tokens, longest) | _phrases([stem(t) for t in tokens], longest)
        found = list(_pairs_found(self.pairs, present))
        glossed = {word for phrase, _ in found for word in phrase}
        found += [(p, o) for p, o in _pairs_found(self.learned, present) if not glossed & set(p)]
        return found

    def out_of_scope_domain(self, text: str) -> str | None:
        """The out-of-scope domain (health, law, ...) whose words `text` holds, if any."""
        tokens = _TOKEN.findall(fold(text))
        present = _phrases(tokens, 3)
        return next((domain for domain, phrases in self.out_of_scope.items() if phrases & present), None)
