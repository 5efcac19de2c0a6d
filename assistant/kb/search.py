"""Find knowledge entries: an immutable in-memory snapshot (`KnowledgeBase`) and full-text search.

Names and aliases are matched by their folded key (assistant.text.fold: no case, no diacritics, đ -> d),
exactly or with one typo (insertion, deletion, substitution or transposition of one character, a space
included). Typos are found without scanning: a deletion-neighbourhood index over the words of every name
gives the words one edit away from a typed word, and the few phrases they make are looked up in a dict.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from assistant.kb import schema
from assistant.kb.entry import Entry, name_key
from assistant.kb.errors import KnowledgeError, UnknownField, UnknownTopic
from assistant.kb.load import content_hash, loaded_meta, read_entries
from assistant.kb.models import FTS_TABLE, PG_TSVECTOR, EntryRow, has_schema
from assistant.kb.validate import load_dir
from assistant.text import fold, one_edit_apart

_WORD = re.compile(r"\w+", re.UNICODE)  # the same words as assistant.text.words
_TERM = re.compile(r"[^\W_]+", re.UNICODE)

Topics = str | Iterable[str] | None

SCORE = {"id": 1.0, "name": 1.0, "alias": 0.95}
TYPO_PENALTY = 0.2
MAX_WINDOW = 12


@dataclass(frozen=True)
class Match:
    """One entry found for a text.

    `via` says how: 'id', 'name', 'alias' or 'fulltext'; `matched` is the folded name or alias that matched;
    `typo` is True when it matched with one typo; `span` is (start, end) of the mention in the NFC form of the
    searched text (find_in_text only).
    """

    topic: str
    entry_id: str
    score: float
    via: str = "name"
    matched: str = ""
    typo: bool = False
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class _Ref:
    topic: str
    entry_id: str
    via: str
    order: int


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _topic_set(topic: Topics) -> frozenset[str] | None:
    if topic is None:
        return None
    topics = frozenset([topic] if isinstance(topic, str) else topic)
    for name in topics:
        if name not in schema.TOPIC_FIELDS:
            raise UnknownTopic(name)
    return topics


def _matches(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, (set, frozenset, list, tuple)):
        return any(_matches(value, w) for w in wanted)
    if isinstance(value, tuple):
        return wanted in value
    if isinstance(value, bool) or isinstance(wanted, bool):
        return type(value) is type(wanted) and value == wanted
    return bool(value == wanted)


def _match(ref: _Ref, key: str, typo: bool, span: tuple[int, int] | None = None) -> Match:
    score = SCORE[ref.via] - (TYPO_PENALTY if typo else 0.0)
    return Match(ref.topic, ref.entry_id, score, ref.via, key, typo, span)


class KnowledgeBase:
    """An immutable snapshot of the knowledge, indexed for lookups by id, by field and by name."""

    def __init__(
        self, entries: Mapping[str, Iterable[Entry]] | Iterable[Entry], content_hash: str | None = None
    ) -> None:
        items = [e for es in entries.values() for e in es] if isinstance(entries, Mapping) else list(entries)
        topic_order = {topic: i for i, topic in enumerate(schema.TOPIC_FIELDS)}
        items.sort(key=lambda e: (topic_order.get(e.topic, len(topic_order)), e.file, e.line, e.id))
        self._content_hash = content_hash
        self._by_id: dict[tuple[str, str], Entry] = {}
        by_topic: dict[str, list[Entry]] = {topic: [] for topic in schema.TOPIC_FIELDS}
        by_province: dict[tuple[str, str], list[Entry]] = {}
        keys: dict[str, list[_Ref]] = {}
        ids: dict[str, list[_Ref]] = {}
        for order, entry in enumerate(items):
            self._by_id[(entry.topic, entry.id)] = entry
            by_topic.setdefault(entry.topic, []).append(entry)
            by_province.setdefault((entry.topic, entry.province), []).append(entry)
            ids.setdefault(entry.id, []).append(_Ref(entry.topic, entry.id, "id", order))
            seen: set[str] = set()
            for via, name in entry.names():
                key = name_key(name)
                if key and key not in seen:
                    seen.add(key)
                    keys.setdefault(key, []).append(_Ref(entry.topic, entry.id, via, order))
        self._by_topic = {t: tuple(es) for t, es in by_topic.items()}
        self._by_province = {k: tuple(es) for k, es in by_province.items()}
        self._keys = {k: tuple(sorted(rs, key=lambda r: (-SCORE[r.via], r.order))) for k, rs in keys.items()}
        self._ids = {k: tuple(refs) for k, refs in ids.items()}
        self._vocab = frozenset(word for key in self._keys for word in key.split(" "))
        deletes: dict[str, list[str]] = {}
        for word in self._vocab:
            if not any(c.isdigit() for c in word):
                for variant in _deletions(word):
                    deletes.setdefault(variant, []).append(word)
        self._deletes = {k: tuple(v) for k, v in deletes.items()}
        self._lengths = frozenset(key.count(" ") + 1 for key in self._keys)
        # (words, letters) of every key, and the first and last words, to skip windows no typo can fix
        self._shapes = frozenset((key.count(" ") + 1, len(key) - key.count(" ")) for key in self._keys)
        self._firsts = frozenset(key.split(" ", 1)[0] for key in self._keys)
        self._lasts = frozenset(key.rsplit(" ", 1)[-1] for key in self._keys)

    # ------------------------------------------------------------------------------------------ building

    @classmethod
    def from_session(cls, session: Session) -> KnowledgeBase:
        """A snapshot of the knowledge loaded in the database."""
        meta = loaded_meta(session)
        return cls(read_entries(session), content_hash=meta.content_hash if meta else None)

    @classmethod
    def from_dir(cls, path: str | Path) -> KnowledgeBase:
        """A snapshot of a valid knowledge folder (raises ValidationFailed when it has problems)."""
        topics = load_dir(path)
        return cls(topics, content_hash=content_hash(topics))

    # ------------------------------------------------------------------------------------------ lookups

    @property
    def content_hash(self) -> str | None:
        return self._content_hash

    def __len__(self) -> int:
        return len(self._by_id)

    def topics(self) -> tuple[str, ...]:
        return tuple(self._by_topic)

    def get(self, topic: str, entry_id: str) -> Entry | None:
        """The entry `entry_id` of `topic`, or None."""
        _topic_set(topic)
        return self._by_id.get((topic, entry_id))

    def entries(self, topic: str, **filters: Any) -> list[Entry]:
        """The entries of `topic` (in file order) whose fields equal every filter.

        A filter value may be a collection (any of its values), a filter of None is ignored, and a list
        field (like `portals`) matches when it contains the value:
        entries("tourism_statistics", province="quang-ngai", year=2022, metric="visitors").
        """
        _topic_set(topic)
        fields = {**schema.COMMON_FIELDS, **schema.TOPIC_FIELDS[topic]}
        unknown = sorted(set(filters) - set(fields))
        if unknown:
            raise UnknownField(f"topic {topic!r} has no field {unknown[0]!r}")
        active = {k: v for k, v in filters.items() if v is not None}
        province = active.get("province")
        if isinstance(province, str):
            del active["province"]
            pool = self._by_province.get((topic, province), ())
        else:
            pool = self._by_topic.get(topic, ())
        return [e for e in pool if all(_matches(e.data.get(k), v) for k, v in active.items())]

    # ------------------------------------------------------------------------------------------ names

    def _refs(self, key: str, topics: frozenset[str] | None) -> list[_Ref]:
        return [r for r in self._keys.get(key, ()) if topics is None or r.topic in topics]

    def _near(self, word: str) -> list[str]:
        """The words of the names one edit away from `word` (never for words with digits)."""
        if any(c.isdigit() for c in word):
            return []
        found = {w for d in _deletions(word) for w in self._deletes.get(d, ())}
        return sorted(w for w in found if one_edit_apart(word, w))

    def _typo_keys(self, tokens: Sequence[str], near: Callable[[str], list[str]]) -> Iterator[str]:
        """Every known phrase one edit away from the phrase `tokens` (a space counts as a character)."""
        vocab = self._vocab
        for i, word in enumerate(tokens):
            head, tail = list(tokens[:i]), list(tokens[i + 1 :])
            for other in near(word):
                yield " ".join([*head, other, *tail])
            for j in range(1, len(word)):
                if word[:j] in vocab and word[j:] in vocab:  # a missing space
                    yield " ".join([*head, word[:j], word[j:], *tail])
                if j < len(word) - 1 and word[:j] in vocab and word[j + 1 :] in vocab:  # a letter for a space
                    yield " ".join([*head, word[:j], word[j + 1 :], *tail])
        for i in range(len(tokens) - 1):
            a, b = tokens[i], tokens[i + 1]
            head, tail = list(tokens[:i]), list(tokens[i + 2 :])
            if a + b in vocab:  # an extra space
                yield " ".join([*head, a + b, *tail])
            for other in near(a + b):  # a space for a letter
                if len(other) == len(a) + len(b) + 1 and other.startswith(a) and other.endswith(b):
                    yield " ".join([*head, other, *tail])
            if len(b) > 1 and a + b[0] in vocab and b[1:] in vocab:  # space swapped with the next letter
                yield " ".join([*head, a + b[0], b[1:], *tail])
            if len(a) > 1 and a[:-1] in vocab and a[-1] + b in vocab:  # space swapped with the letter before
                yield " ".join([*head, a[:-1], a[-1] + b, *tail])

    def _typo_refs(
        self,
        tokens: Sequence[str],
        topics: frozenset[str] | None,
        min_length: int,
        near: Callable[[str], list[str]],
    ) -> list[tuple[str, _Ref]]:
        keys = {key for key in self._typo_keys(tokens, near) if key in self._keys}
        found = []
        for key in sorted(keys):
            if len(key) - key.count(" ") >= min_length:
                found += [(key, ref) for ref in self._refs(key, topics)]
        return found

    def _may_be_one_typo_away(self, window: Sequence[str]) -> bool:
        """False when no known phrase can be one edit away from `window` (a cheap test before the real one).

        One edit changes the number of words and of letters by at most one, and touches at most two
        neighbouring words, so a window of three words or more keeps its first or its last word.
        """
        letters = sum(len(w) for w in window)
        shapes = self._shapes
        if not any((len(window) + dw, letters + dl) in shapes for dw in (-1, 0, 1) for dl in (-1, 0, 1)):
            return False
        return len(window) < 3 or window[0] in self._firsts or window[-1] in self._lasts

    def _ranked(self, matches: Iterable[tuple[Match, int]]) -> list[Match]:
        best: dict[tuple[str, str], tuple[Match, int]] = {}
        for match, order in matches:
            key = (match.topic, match.entry_id)
            if key not in best or match.score > best[key][0].score:
                best[key] = (match, order)
        return [m for m, _ in sorted(best.values(), key=lambda mo: (-mo[0].score, mo[1]))]

    def resolve(
        self, text_: str, topic: Topics = None, *, typos: bool = True, min_typo_length: int = 4
    ) -> list[Match]:
        """The entries whose id, name or alias is `text_` (folded), best first.

        Exact matches win; only when there is none are names one typo away tried (for names of at least
        `min_typo_length` letters).
        """
        topics = _topic_set(topic)
        ids = [r for r in self._ids.get(text_.strip(), ()) if topics is None or r.topic in topics]
        tokens = _WORD.findall(fold(text_))
        key = " ".join(tokens)
        exact = [(Match(r.topic, r.entry_id, SCORE["id"], "id", r.entry_id), r.order) for r in ids]
        exact += [(_match(r, key, False), r.order) for r in self._refs(key, topics)]
        if exact or not typos or not tokens:
            return self._ranked(exact)
        fuzzy = self._typo_refs(tokens, topics, min_typo_length, self._near)
        return self._ranked((_match(r, k, True), r.order) for k, r in fuzzy)

    def find_in_text(
        self, text_: str, topic: Topics = None, *, typos: bool = True, min_typo_length: int = 7
    ) -> list[Match]:
        """The entries named anywhere in a message, in the order they are mentioned.

        Windows of consecutive folded words are looked up, longest first; a word already used by a longer
        mention is not used again. Names of at least `min_typo_length` letters may carry one typo.
        """
        topics = _topic_set(topic)
        folded = fold(unicodedata.normalize("NFC", text_))
        tokens = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]
        cache: dict[str, list[str]] = {}

        def near(word: str) -> list[str]:
            if word not in cache:
                cache[word] = self._near(word)
            return cache[word]

        words = [t for t, _, _ in tokens]
        used = [False] * len(words)
        found: list[tuple[int, int, Match]] = []
        longest = min(max(self._lengths, default=0) + 1, len(words))
        for size in range(longest, 0, -1):  # longest first; at one size exact names before typos
            # Names of any length are found as written; typos are looked for in windows of MAX_WINDOW words.
            for typo in (False, True) if typos and size <= MAX_WINDOW else (False,):
                for start in range(len(words) - size + 1):
                    if any(used[start : start + size]):
                        continue
                    window = words[start : start + size]
                    if not typo:
                        key = " ".join(window)
                        refs = [(key, r) for r in self._refs(key, topics)]
                    elif not all(w in self._vocab for w in window) and self._may_be_one_typo_away(window):
                        # (Words all spelt as the names spell words are no typo: "lao động" is not "Lâm Đồng".)
                        refs = self._typo_refs(window, topics, min_typo_length, near)
                    else:
                        continue
                    if not refs:
                        continue
                    used[start : start + size] = [True] * size
                    span = (tokens[start][1], tokens[start + size - 1][2])
                    ranked = self._ranked((_match(r, k, typo, span), r.order) for k, r in refs)
                    found += [(start, rank, match) for rank, match in enumerate(ranked)]
        return [match for _, _, match in sorted(found, key=lambda f: (f[0], f[1]))]


# ---------------------------------------------------------------------------------------------- full text


def _terms(query: str) -> list[str]:
    return list(dict.fromkeys(_TERM.findall(fold(query))))


def fulltext_statement(dialect: str, query: str, topic: Topics = None, limit: int = 5) -> Select | None:
    """The SELECT (topic, entry_id, score) that fulltext() runs on `dialect`; None when there is no word."""
    topics = _topic_set(topic)
    terms = _terms(query)
    if not terms or limit <= 0:
        return None
    if dialect == "sqlite":
        fts = literal_column(FTS_TABLE.name)
        score = -func.bm25(fts, 0.0, 0.0, 10.0, 1.0)
        topic_column = FTS_TABLE.c.topic
        statement = select(FTS_TABLE.c.topic, FTS_TABLE.c.entry_id, score.label("score")).where(
            fts.op("MATCH")(" OR ".join(f'"{t}"' for t in terms))
        )
    elif dialect == "postgresql":
        vector = literal_column(PG_TSVECTOR)
        tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), " | ".join(f"'{t}'" for t in terms))
        topic_column = EntryRow.topic
        score = func.ts_rank(vector, tsquery)
        statement = select(EntryRow.topic, EntryRow.entry_id, score.label("score")).where(
            vector.op("@@")(tsquery)
        )
    else:
        raise KnowledgeError(f"full-text search is not available on {dialect}")
    if topics is not None:
        statement = statement.where(topic_column.in_(sorted(topics)))
    order = (literal_column("score").desc(), topic_column, literal_column("entry_id"))
    return statement.order_by(*order).limit(limit)


def fulltext(session: Session, query: str, topic: Topics = None, limit: int = 5) -> list[Match]:
    """Entries whose names, aliases or texts contain words of `query` (Vietnamese with or without marks, or
    English), best first. Any word may match; entries matching more words, and in their names, rank higher.
    """
    statement = fulltext_statement(session.get_bind().dialect.name, query, topic, limit)
    if statement is None or not has_schema(session):
        return []
    return [Match(t, e, float(s), "fulltext") for t, e, s in session.execute(statement)]
