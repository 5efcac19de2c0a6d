"""Ranking knowledge entries by the words a question shares with them (names and aliases count most).

Used when a question names no entry exactly: "how many community digital-technology teams does Quảng Ngãi
have" shares rare words with one entry's name and aliases. Word weights are inverse document frequencies
over the snapshot, so common words ("bao nhieu", "the") weigh little.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant.kb.entry import Entry, texts_in
from assistant.kb.search import KnowledgeBase
from assistant.text import stem, words

NAME_WEIGHT = 1.0
BODY_WEIGHT = 0.35
BODY_FIELDS = ("description", "detail", "theme", "location", "note")
# Share of a name a question must say to move the conversation from its subject to that entry.
SWITCH_NAME_COVERAGE = 0.5
# Scores shift as the knowledge grows (word weights follow how many entries hold a word): a match well ahead of
# the next one (CLEAR_LEAD times its score) is taken from CLEAR_FLOOR of the topic's threshold.
CLEAR_LEAD = 1.6
CLEAR_FLOOR = 0.75


def _bigrams(tokens: list[str]) -> set[str]:
    return {f"{a} {b}" for a, b in itertools.pairwise(tokens)}


@dataclass(frozen=True)
class _Doc:
    entry: Entry
    names: frozenset[str]
    body: frozenset[str]


@dataclass(frozen=True)
class _Index:
    docs: tuple[_Doc, ...]
    idf: dict[str, float]


def _terms(text: str) -> set[str]:
    tokens = [stem(t) for t in words(text)]
    return set(tokens) | _bigrams(tokens)


@lru_cache(maxsize=4)
def _index(kb: KnowledgeBase) -> _Index:
    docs: list[_Doc] = []
    for topic in kb.topics():
        for entry in kb.entries(topic):
            names = set()
            for _, text in entry.names():
                names |= _terms(text)
            body = set()
            for name in BODY_FIELDS:
                for text in texts_in(entry.get(name)):
                    body |= _terms(text)
            docs.append(_Doc(entry, frozenset(names), frozenset(body - names)))
    frequency: Counter[str] = Counter()
    for doc in docs:
        frequency.update(doc.names | doc.body)
    total = max(len(docs), 1)
    idf = {term: math.log((total + 1) / (count + 0.5)) for term, count in frequency.items()}
    return _Index(tuple(docs), idf)


def rank(
    kb: KnowledgeBase,
    text: str,
    topics: Iterable[str] | None = None,
    where: dict[str, Any] | None = None,
    limit: int = 5,
) -> list[tuple[Entry, float]]:
    """Entries of `topics` (all when None) matching `where` field values, best first, with their scores.

    The score is the weight of the question's words and word pairs found in the entry's names and aliases,
    plus a smaller weight for those found in its texts, divided by the weight of the question's own words.
    """
    index = _index(kb)
    wanted = set(topics) if topics is not None else None
    query = _terms(text)
    norm = sum(index.idf.get(t, 0.0) for t in query) or 1.0
    scored: list[tuple[Entry, float]] = []
    for doc in index.docs:
        entry = doc.entry
        if wanted is not None and entry.topic not in wanted:
            continue
        if where and any(entry.get(k) != v for k, v in where.items() if v is not None):
            continue
        score = sum(index.idf.get(t, 0.0) * NAME_WEIGHT for t in query & doc.names)
        score += sum(index.idf.get(t, 0.0) * BODY_WEIGHT for t in query & doc.body)
        if score > 0:
            scored.append((entry, score / norm))
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]


def name_coverage(kb: KnowledgeBase, entry: Entry, text: str) -> float:
    """How much of the entry's best-covered name (by word weight) the text contains, 0..1: a question that
    leaves out a rare word of a name ("tập huấn") is less likely about that entry."""
    idf = _index(kb).idf
    asked = {stem(w) for w in words(text)}
    best = 0.0
    for _, name in entry.names():
        own = {stem(w) for w in words(name) if not w.isdigit()}
        total = sum(idf.get(w, 0.0) for w in own)
        if total:
            best = max(best, sum(idf.get(w, 0.0) for w in own & asked) / total)
    return best


def phrase_attribute(text: str, table: Iterable[tuple[str, Iterable[str]]]) -> str | None:
    """The first attribute of `table` one of whose phrases (folded words, matched as whole words) the text has:
    the question's own words say what it asks even when the intent says otherwise."""
    folded = " " + " ".join(words(text)) + " "
    for attribute, phrases in table:
        if any(f" {phrase} " in folded for phrase in phrases):
            return attribute
    return None


def find_subject(
    kb: KnowledgeBase, text: str, named: str | None, context: str | None, topic: str, threshold: float
) -> Entry | None:
    """The entry of `topic` named in the question, else the best word match above `threshold`, else the one
    talked about before (`context`). While a conversation has a subject, a word match replaces it only when the
    question says some of the match's name: "ở đâu?" after a tomb asks where the tomb is, even though "đâu"
    folds like "đấu" of an arena's description."""
    entry = kb.get(topic, named) if named else None
    if entry:
        return entry
    ranked = rank(kb, text, [topic])
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if ranked and (
        ranked[0][1] >= threshold
        or (ranked[0][1] >= CLEAR_FLOOR * threshold and ranked[0][1] >= CLEAR_LEAD * second)
    ):
        best = ranked[0][0]
        if not context or name_coverage(kb, best, text) >= SWITCH_NAME_COVERAGE:
            return best
    return kb.get(topic, context) if context else None
