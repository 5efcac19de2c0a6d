"""Vietnamese and English words that translate each other, learnt from the knowledge's own translations.

Most entries say everything twice (`vi:` and `en:`), while the source documents are mostly in one language; an
English question reaches a Vietnamese passage only through words known to mean the same. The glossary staff keep
(knowledge/language/glossary.yml) holds the domain's key words; this adds the rest, from the entries: a word of
one language and a word (or two-syllable word) of the other that occur in the same translated sentences far more
often than apart ("week" / "tuần lễ", "relic" / "di tích"), by the Dice coefficient, counted over sentence pairs
when both sides have as many sentences and over whole texts otherwise. Only pairs seen together several times,
each the other's best, are kept: a rare or one-sided pair would make an unrelated passage look like an answer.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence

from assistant.kb.entry import Entry
from assistant.kb.index import EN_STOP_WORDS, SKIPPED_FIELDS, VI_STOP_WORDS, words
from assistant.language import Pair

# A pair must be seen together this often, and its Dice coefficient reach DICE.
MIN_TOGETHER = 3
DICE = 0.5
# Among a word's candidates within this share of the best score, a two-syllable word is preferred to a syllable
# ("tuần lễ" to "tuần"): a Vietnamese word is often two syllables, and one alone is ambiguous ("lễ").
BIGRAM_PREFERENCE = 0.85
MAX_SHARED = 2
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")

Phrase = tuple[str, ...]


def _translations(value: object) -> Iterator[tuple[str, str]]:
    """The (Vietnamese, English) texts of a field value, however deep in lists and mappings."""
    if isinstance(value, Mapping):
        vi, en = value.get("vi"), value.get("en")
        if isinstance(vi, str) and isinstance(en, str):
            yield vi, en
            return
        for item in value.values():
            yield from _translations(item)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            yield from _translations(item)


def _units(entries: Iterable[Entry]) -> Iterator[tuple[str, str]]:
    """Aligned (Vietnamese, English) units: sentence by sentence when both texts have as many, else whole."""
    for entry in entries:
        for key, value in entry.data.items():
            if key in SKIPPED_FIELDS:
                continue
            for vi, en in _translations(value):
                vi_sentences, en_sentences = _SENTENCE_END.split(vi), _SENTENCE_END.split(en)
                if len(vi_sentences) == len(en_sentences) > 1:
                    yield from zip(vi_sentences, en_sentences, strict=True)
                else:
                    yield vi, en


def _terms(text: str, stop: frozenset[str], bigrams: bool) -> set[Phrase]:
    tokens = [w for w in words(text) if not w.isdigit() and len(w) > 1]
    content: set[Phrase] = {(w,) for w in tokens if w not in stop}
    if bigrams:
        content |= {(a, b) for a, b in itertools.pairwise(tokens) if a not in stop and b not in stop}
    return content


def learn_pairs(entries: Iterable[Entry]) -> list[Pair]:
    """The word pairs the entries' translations show, as glossary pairs ({vi phrase}, {en phrase})."""
    vi_count: Counter[Phrase] = Counter()
    en_count: Counter[Phrase] = Counter()
    together: Counter[tuple[Phrase, Phrase]] = Counter()
    english: set[Phrase] = set()
    for vi, en in _units(entries):
        english |= _terms(en, frozenset(), True)
        # English words are paired with Vietnamese words of one or two syllables ("week" / "tuần lễ").
        vi_terms, en_terms = _terms(vi, VI_STOP_WORDS, True), _terms(en, EN_STOP_WORDS, False)
        # A name written alike in both (Quảng Ngãi, Hue-S) says nothing about translation.
        shared = vi_terms & en_terms
        vi_terms, en_terms = vi_terms - shared, en_terms - shared
        vi_count.update(vi_terms)
        en_count.update(en_terms)
        together.update(itertools.product(vi_terms, en_terms))
    best_vi: dict[Phrase, list[tuple[float, Phrase]]] = {}
    best_en: dict[Phrase, list[float]] = {}
    for (v, e), n in together.items():
        if n < MIN_TOGETHER or v in english:  # a name the English texts write too (Minh Mạng)
            continue
        dice = 2 * n / (vi_count[v] + en_count[e])
        if dice < DICE:
            continue
        best_vi.setdefault(e, []).append((dice, v))
        best_en.setdefault(v, []).append(dice)
    pairs: list[Pair] = []
    for e, candidates in sorted(best_vi.items()):
        top = max(score for score, _ in candidates)
        near = [(len(v), score, v) for score, v in candidates if score >= top * BIGRAM_PREFERENCE]
        _, score, v = max(near)
        # The English word is (about) the Vietnamese one's best too, and one of at most MAX_SHARED so close: a
        # Vietnamese word as close to many English words is one long text's, not a translation.
        rivals = [d for d in best_en[v] if d >= score * BIGRAM_PREFERENCE]
        if score >= max(best_en[v]) * BIGRAM_PREFERENCE and len(rivals) <= MAX_SHARED:
            pairs.append((frozenset({v}), frozenset({e})))
    return pairs
