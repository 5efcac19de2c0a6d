"""One retrieval index over every knowledge entry (all its texts, both languages) and every document passage.

Ranking is SQLite's FTS5 (an inverted index with BM25 and column weights, in the standard library's sqlite3),
run on an in-memory table built with each knowledge snapshot: no ranking code of our own. What goes in are
search terms made here: folded words (no case, no diacritics, so "Quảng Ngãi" and "quang ngai" are one term)
and syllable bigrams ("quang_ngai"), since a Vietnamese word is often two syllables. Names weigh most, then the
texts, then a passage's heading, speaker and document title.

FTS5 scores every row that holds any query term, so terms found in a large share of the rows (question words,
"du lich" in a travel knowledge base) are left out of the query when rarer ones are there: the work of a search
then follows the rare terms, not the size of the index.

`coverage` says how much of a question a text holds: the share of the question's content words (weighted by
their rarity) found in it. It is what thresholds are set on: BM25 scores do not compare across questions.
"""

from __future__ import annotations

import itertools
import math
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from assistant.kb.documents import Document, Passage
from assistant.kb.entry import Entry, english_texts_in, texts_in
from assistant.text import fold, one_edit_apart, stem, without_possessives

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
WEIGHTS = (4.0, 1.0, 0.5)  # names, text, context (a passage's heading and document title)
# Terms in more than this share of the rows (but at least MIN_COMMON_ROWS, at most MAX_COMMON_ROWS rows) are
# left out of a query that has rarer ones: the rows a search scores stay few however large the index grows.
COMMON_SHARE = 0.05
MIN_COMMON_ROWS = 50
MAX_COMMON_ROWS = 200
CANDIDATES = 30
# Unknown words this long or longer are read as the known word one typo away.
SPELL_MIN_LETTERS = 4
# A province's name or short form is read through a typo when typed in at most this many words, of at least
# this many letters ("qngai"; not "hue", one letter from many words).
PLACE_WORDS = 3
PLACE_MIN_LETTERS = 5
# A bigram found says the words are together ("diễn giả", not "điện" and "giá"): it counts as much as a word.
BIGRAM_WEIGHT = 1.0
# ... scaled by how often its words stand together, down to this share (a rare phrase still says something).
MIN_COHESION = 0.25
# Names of at most this many words are proper names, whose neighbouring words are a phrase however often they
# stand apart elsewhere.
NAME_PHRASE_WORDS = 5
# The share of a question's words found only in a passage's context (heading, document title) that does not
# count when passages are ordered.
CONTEXT_DISCOUNT = 0.25
# How much a passage's rank drops each time it holds twice the terms of the median passage.
LENGTH_WEIGHT = 0.05
# A word of at most this many entries' names identifies them.
IDENTIFYING_NAMES = 3
# Fields that say where an entry comes from or identify it, not what it says.
SKIPPED_FIELDS = frozenset({"id", "source", "as_of", "province", "url", "map_url", "image", "coordinates"})

# Phrases and words that ask rather than say (folded, Vietnamese and English): not content of a question.
# Folding makes many Vietnamese words alike (so: số/sở, co: có/cổ, hoi: hỏi/Hội), so only words that stay
# unambiguous once folded are here; the rest weigh what their rarity says.
QUESTION_PHRASES = (
    "co bao nhieu",
    "bao nhieu",
    "co may",
    "xep thu may",
    "dung thu may",
    "thu may",
    "hang may",
    "mat bao lau",
    "bao lau",
    "khi nao",
    "luc nao",
    "bao gio",
    "nam o dau",
    "o dau",
    "dia phuong nao",
    "tinh nao",
    "noi nao",
    "nhu the nao",
    "the nao",
    "ra sao",
    "la gi",
    "la ai",
    "nam nao",
    "ngay nao",
    "cai gi",
    "tai sao",
    "vi sao",
    "lien quan toi",
    "lien quan den",
    "how many",
    "how much",
    "how long",
    "what is",
    "what are",
    "when was",
    "when is",
    "where is",
    "who is",
    "who was",
    "related to",
    "which province",
    "which city",
    "which place",
)
VI_STOP_WORDS = frozenset("la cua khong duoc nhung cac gi ai nao vay voi va thi oi a nhe ha nhi".split())
# English ones are dropped from an English question only: folded, several are Vietnamese words ("Mỹ" my, "An"
# an, "thẻ" the, "tổ" to, "cần" can, "đô" do, "ít" it).
EN_STOP_WORDS = frozenset(
    """about an and are as at be been by can could did do does for from had has have how i in is it its me my of
    on or please tell that the their there this to was were what when where which who whom why will with would
    you your many much take took taken part get got make made have has had do done give gave say said see also
    than then into some any all each other want wants wanted know being mention mentioned mentions should shall
    must might one ones these those they them he she his her him we our us just very such if while during both
    either""".split()
)
# Compared with a question's stemmed words ("does" is "doe" once stemmed).
EN_STOP_WORDS |= {stem(w) for w in EN_STOP_WORDS} | {re.sub(r"^(b|m)y$", r"\1i", w) for w in EN_STOP_WORDS}
STOP_WORDS = VI_STOP_WORDS | EN_STOP_WORDS
# "Còn X (thì sao)?", "And X?", "What about X?": the words that mark a follow-up ask nothing themselves (and
# "con" inside a question may be a child, so only its place marks it).
FOLLOW_UP_OPENINGS = (("vay", "con"), ("the", "con"), ("con",), ("and",), ("what", "about"), ("how", "about"))
FOLLOW_UP_CLOSINGS = (("thi", "sao"),)
_QUESTION_PHRASE = re.compile(r"\b(?:" + "|".join(QUESTION_PHRASES) + r")\b")


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit_or_same(a: str, b: str) -> bool:
    return a == b or one_edit_apart(a, b)


def _without_follow_up_marks(tokens: list[str]) -> list[str]:
    """The words of a message without the opening and closing words that mark it a follow-up."""
    for opening in FOLLOW_UP_OPENINGS:
        if tuple(tokens[: len(opening)]) == opening and len(tokens) > len(opening):
            tokens = tokens[len(opening) :]
            break
    for closing in FOLLOW_UP_CLOSINGS:
        if tuple(tokens[-len(closing) :]) == closing and len(tokens) > len(closing):
            tokens = tokens[: -len(closing)]
            break
    return tokens


def is_follow_up(text: str) -> bool:
    """True when a message opens or closes with the words that mark a follow-up ("Còn …", "… thì sao?")."""
    tokens = words(text)
    return _without_follow_up_marks(tokens) != tokens


# Ordinals read alike however written: "thứ hai", "thứ 2", a list's "2." or "(2)" are all "thu 2" ("việc thứ hai"
# finds "Thứ hai là …"; "yếu tố thứ 5" finds "…; 5. Xây dựng …"). "thứ tư" (also "thứ tự", order) is left,
# and "thu nam" before a number is "(doanh) thu năm 2022", no ordinal.
_ORDINAL_WORDS = {"nhat": 1, "hai": 2, "ba": 3, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10}
_ORDINAL = re.compile(r"\bthu (" + "|".join(_ORDINAL_WORDS) + r")\b(?!\s*\d)")
_ORDINAL_TERM = re.compile(r"thu_\d{1,2}")
_LIST_MARK = re.compile(r"(^|[;:.]\s+)(\d{1,2})\.\s|\((\d{1,2})\)")


def _ordinals(folded: str) -> str:
    folded = _ORDINAL.sub(lambda m: f"thu {_ORDINAL_WORDS[m.group(1)]}", folded)
    return _LIST_MARK.sub(lambda m: f"{m.group(1) or ' '}thu {m.group(2) or m.group(3)} ", folded)


# Vietnamese writes a syllable's lone final vowel i or y alike ("chữ kí"/"chữ ký", "lí"/"lý"): read as i.
_FINAL_Y = re.compile(r"\b((?:ch|gh|kh|nh|ph|th|tr|[bcdghklmnprstvx]))y\b")


def _written_words(text: str) -> list[str]:
    # "70%" is read as it is said, so that it answers "bao nhiêu phần trăm" (and, by the glossary, "percent").
    folded = _ordinals(without_possessives(fold(text))).replace("%", " phan tram ")
    return _WORD.findall(_FINAL_Y.sub(r"\1i", folded))


def words(text: str) -> list[str]:
    """The folded, lightly stemmed words of `text`."""
    return [stem(w) for w in _written_words(text)]


def terms(tokens: Sequence[str]) -> list[str]:
    """Search terms of folded words: the words and their neighbour bigrams."""
    return [*tokens, *(f"{a}_{b}" for a, b in itertools.pairwise(tokens))]


def phrase_term(phrase: Sequence[str]) -> str:
    """The term that stands for a phrase of folded words: the word, or its words joined by '_'."""
    return "_".join(stem(w) for w in phrase)


def entrytexts_in(entry: Entry) -> tuple[str, str]:
    """(names, other texts) of an entry, both languages."""
    names = " ".join(name for _, name in entry.names())
    body = " ".join(
        text for key, value in entry.data.items() if key not in SKIPPED_FIELDS for text in texts_in(value)
    )
    return names, body


@dataclass(frozen=True)
class Hit:
    """One entry or passage found for a question, with its BM25 score and how much of the question it holds."""

    item: Entry | Passage
    score: float
    coverage: float
    terms: frozenset[str] = frozenset()  # what it holds: its words and bigrams (and its context's)
    rank: float = 0.0  # its place in the order: coverage, less for words only its context says and for length

    @property
    def is_passage(self) -> bool:
        return isinstance(self.item, Passage)


@dataclass(frozen=True)
class Query:
    """A question as the index searches it: its content terms with their weights, what else counts for each
    (the glossary's words in the other language), and its search terms."""

    content: dict[str, float]
    terms: tuple[str, ...]
    alternatives: dict[str, frozenset[str]]

    @property
    def words(self) -> int:
        """How many words (not word pairs) the question has that ask something."""
        return sum("_" not in term for term in self.content)


class RetrievalIndex:
    """The index of one knowledge snapshot (immutable once built; searches may run from several threads)."""

    def __init__(
        self,
        entries: Iterable[Entry],
        documents: Iterable[Document] = (),
        reader: Callable[[str], str] | None = None,
    ) -> None:
        # The knowledge is read as questions are (abbreviations written out: a passage's "UBND" is the
        # question's "ủy ban nhân dân"); `reader` is that reading, or none.
        self._reader = reader
        self._items: list[Entry | Passage] = []
        self._named: set[str] = set()
        self._vocabulary: Counter[str] = Counter()
        # The words of the knowledge's English texts: an English question's typo is corrected to one of them only
        # ("chart" is no typo of the Vietnamese "chất").
        self._english: set[str] = set()
        self._words: list[frozenset[str]] = []
        # ... and without their context (a passage's heading and document title).
        self._own_words: list[frozenset[str]] = []
        df: Counter[str] = Counter()
        rows = []
        # In how many entries' names each term is: a rare one names an entry ("Vinasoy"), a common one a kind
        # ("di sản", "DTI").
        self._name_df: Counter[str] = Counter()
        for entry in entries:
            names, body = entrytexts_in(entry)
            rows.append(self._row(entry, [names, body, ""], df))
            self._name_df.update(set(rows[-1][1].split()))  # the terms of its names
            english = [entry.name_en, *(t for v in entry.data.values() for t in english_texts_in(v))]
            self._english.update(w for text in english if text for w in _written_words(text))
            for _, name in entry.names():
                # A short name's words are one phrase ("Sơn Mỹ"); a long one is a title, whose neighbouring
                # words may stand together by chance ("… Quảng Ngãi năm 2022").
                stems = words(self._read(name))
                if len(stems) <= NAME_PHRASE_WORDS:
                    self._named.update(f"{a}_{b}" for a, b in itertools.pairwise(stems))
        for document in documents:
            for passage in document.passages:
                # A passage is read in its place: under its heading, in its document of that year.
                context = f"{passage.heading} {passage.speaker} {document.title} {document.date[:4]}"
                rows.append(self._row(passage, ["", passage.text, context], df))
                if document.language == "en":
                    self._english.update(_written_words(passage.text))
        self._df = df
        sizes = sorted(
            len(self._own_words[i]) for i, item in enumerate(self._items) if isinstance(item, Passage)
        )
        self._typical_passage = max(1, sizes[len(sizes) // 2]) if sizes else 1
        self._size = len(self._items)
        self._near: dict[str, list[str]] | None = None
        self._places: tuple[dict[str, set[tuple[str, str, str]]], frozenset[str]] | None = None
        self._name_terms: dict[tuple[str, str], frozenset[str]] = {}
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE idx USING fts5(names, body, context, tokenize = \"unicode61 tokenchars '_'\")"
        )
        self._db.executemany("INSERT INTO idx(rowid, names, body, context) VALUES (?, ?, ?, ?)", rows)

    def _row(self, item: Entry | Passage, columns: list[str], df: Counter[str]) -> tuple[int, str, str, str]:
        rowid = len(self._items)
        self._items.append(item)
        written = [_written_words(self._read(text)) for text in columns]
        # Words as written (not stemmed: "closed" is stemmed "clos", which is no word to correct "close" to).
        self._vocabulary.update({w for ws in written for w in ws})
        tokens = [[stem(w) for w in ws] for ws in written]
        fields = [" ".join(terms(ts)) for ts in tokens]
        self._words.append(frozenset(" ".join(fields).split()))
        self._own_words.append(frozenset(" ".join(fields[:2]).split()))
        df.update(set(" ".join(fields).split()))
        return rowid, fields[0], fields[1], fields[2]

    def __len__(self) -> int:
        return self._size

    def _read(self, text: str) -> str:
        return self._reader(text) if self._reader is not None and text else text

    def terms_of(self, text: str) -> frozenset[str]:
        """The terms of a text as the index reads it, to measure how much of a question it holds."""
        return text_terms(self._read(text))

    def name_terms(self, entry: Entry) -> frozenset[str]:
        """The terms of all an entry's names (kept: every question that weighs names asks for them again)."""
        key = (entry.topic, entry.id)
        found = self._name_terms.get(key)
        if found is None:
            found = frozenset().union(*(self.terms_of(text) for _, text in entry.names()))
            self._name_terms[key] = found
        return found

    def identifies(self, query: Query, entry: Entry) -> bool:
        """True when the question says a word of the entry's names that few other entries' names have (its
        own name, "Vinasoy"), not only words of a kind of entry ("di sản", "DTI")."""
        names = self.name_terms(entry)
        return any(
            self._name_df[held] <= IDENTIFYING_NAMES
            for term in query.content
            for held in (term, *query.alternatives.get(term, ()))
            if held in names
        )

    def idf(self, term: str) -> float:
        return math.log(1 + (self._size + 1) / (self._df.get(term, 0) + 0.5))

    def correct(self, text: str, language: str | None = None) -> str:
        """`text` (folded) with each unknown word of four letters or more that is one edit (a letter dropped,
        added, changed or two swapped) away from words of the knowledge replaced by the most common of them:
        "qunag ngai" reads "quang ngai". Known words, numbers and words with no near neighbour stay. In an
        English message (`language` "en") only words of the knowledge's English texts are taken."""
        out = []
        for match in re.finditer(r"[^\W_]+|[\W_]+", text):
            word = match.group()
            known = word in self._vocabulary or stem(word) in self._df or word in STOP_WORDS
            if len(word) >= SPELL_MIN_LETTERS and word.isalpha() and not known:
                near = [w for w in self._near_words(word) if language != "en" or w in self._english]
                if near:
                    word = max(near, key=lambda w: (self._vocabulary[w], w))
            out.append(word)
        return "".join(out)

    def correct_places(self, text: str, abbreviations: Mapping[tuple[str, ...], tuple[str, ...]]) -> str:
        """`text` (folded) with a province's name or short form typed one letter off (or with its spaces lost)
        written out: "quang ngi", "qnngai", "q.ngni", "quangngai" read "quang ngai". Words that are already a
        province's name stay, and so does a typo as near to two provinces ("quang nai": Ngãi or Nam?)."""
        near, spaced = self._place_forms(abbreviations)
        tokens = list(re.finditer(r"[a-z]+", text))
        named = [False] * len(tokens)
        for i in range(len(tokens)):
            for size in range(1, PLACE_WORDS + 1):
                if " ".join(t.group() for t in tokens[i : i + size]) in spaced:
                    named[i : i + size] = [True] * size
        out, last, i = [], 0, 0
        while i < len(tokens):
            for size in range(min(PLACE_WORDS, len(tokens) - i), 0, -1):
                window = tokens[i : i + size]
                typed = "".join(t.group() for t in window)
                if any(named[i : i + size]) or len(typed) < PLACE_MIN_LETTERS:
                    continue
                if size == 1 and (typed in self._vocabulary or typed in STOP_WORDS):
                    continue
                found = {
                    (place, name)
                    for d in _deletions(typed)
                    for form, place, name in near.get(d, ())
                    if _one_edit_or_same(typed, form)
                }
                if len({place for place, _ in found}) == 1:
                    out += [text[last : window[0].start()], min(found)[1]]
                    last = window[-1].end()
                    i += size
                    break
            else:
                i += 1
        out.append(text[last:])
        return "".join(out)

    def _place_forms(
        self, abbreviations: Mapping[tuple[str, ...], tuple[str, ...]]
    ) -> tuple[dict[str, set[tuple[str, str, str]]], frozenset[str]]:
        """The provinces' names and the short forms that stand for them, without spaces: by each form with one
        letter dropped, (form, province, its name) triples; and the names and short forms as typed."""
        if self._places is None:
            written: dict[str, str] = {}
            for item in self._items:
                # The provinces the knowledge covers ("national" is no place one types a typo of)
                if (
                    isinstance(item, Entry)
                    and item.topic == "provinces"
                    and item.id != "national"
                    and item.get("covered") is not False
                ):
                    for _, name in item.names():
                        folded = " ".join(re.findall(r"[a-z]+", fold(name)))
                        if folded and re.fullmatch(
                            r"[a-z ]+", fold(name).replace("-", " ").replace(".", " ")
                        ):
                            written[folded] = item.id
            forms = {name: (place, name) for name, place in written.items()}
            for short, meaning in abbreviations.items():
                place = written.get(" ".join(meaning))
                if place is not None:
                    forms[" ".join(short)] = (place, " ".join(meaning))
            near: dict[str, set[tuple[str, str, str]]] = {}
            for form, (place, name) in forms.items():
                joined = form.replace(" ", "")
                if len(joined) >= PLACE_MIN_LETTERS - 1:  # "qnnam" typed for "qnam"
                    for variant in _deletions(joined):
                        near.setdefault(variant, set()).add((joined, place, name))
            self._places = (near, frozenset(forms))
        return self._places

    def _near_words(self, word: str) -> list[str]:
        if self._near is None:
            near: dict[str, list[str]] = {}
            for term in self._vocabulary:
                if term.isalpha() and len(term) >= SPELL_MIN_LETTERS - 1:
                    for variant in _deletions(term):
                        near.setdefault(variant, []).append(term)
            self._near = near
        found = {w for d in _deletions(word) for w in self._near.get(d, ())}
        return sorted(w for w in found if one_edit_apart(word, w))

    def query(
        self,
        text: str,
        equivalents: Iterable[tuple[Sequence[str], Iterable[Sequence[str]]]] = (),
        language: str | None = None,
    ) -> Query:
        """The content terms of a question: its words that are not stop words (of its `language`; both
        languages' when not known), and the bigrams of neighbouring content words that the index knows (a bigram
        nowhere in the knowledge says nothing about the question). `equivalents` are (phrase, other-language
        phrases) pairs of the glossary found in the question."""
        stop = VI_STOP_WORDS if language == "vi" else STOP_WORDS
        tokens = _without_follow_up_marks(words(_QUESTION_PHRASE.sub(" ", " ".join(_written_words(text)))))
        content = [t for t in tokens if t not in stop]
        content += [
            f"{a}_{b}"
            for a, b in itertools.pairwise(tokens)
            if a not in stop and b not in stop and self._df.get(f"{a}_{b}", 0)
        ]
        weights = {t: self._weight(t) for t in dict.fromkeys(content)}
        alternatives: dict[str, set[str]] = {}
        extra: list[str] = []
        for phrase, others in equivalents:
            key = phrase_term(phrase)
            other_terms = {phrase_term(o) for o in others}
            for word in (key, *(stem(w) for w in phrase)):
                if word in weights:
                    alternatives.setdefault(word, set()).update(other_terms)
            extra += [t for o in others for t in terms([stem(w) for w in o])]
        for term, others in alternatives.items():
            if not self._df.get(term):
                # A word the knowledge holds only in the other language weighs what its translation weighs
                # ("joined" as "tham gia"), not the most a word can (it is not rare, only written otherwise).
                weights[term] = min(weights[term], max(self._translation_weight(o) for o in others))
        query_terms = [*terms(tokens), *extra]
        return Query(
            weights,
            tuple(t for t in dict.fromkeys(query_terms) if t in self._df),
            {k: frozenset(v) for k, v in alternatives.items()},
        )

    def _translation_weight(self, phrase: str) -> float:
        """What a translation weighs: its own rarity when the knowledge has it, else that of its rarest word."""
        if self._df.get(phrase):
            return self.idf(phrase)
        return max(self.idf(part) for part in phrase.split("_"))

    def _weight(self, term: str) -> float:
        """A word weighs its rarity; two neighbouring words weigh their pair's rarity, scaled by how much they
        are one phrase, and never more than the rarer of the two words (a pair met once, by chance, is rare
        but says little more than its words)."""
        if "_" not in term:
            return self.idf(term)
        rarest_word = max(self.idf(part) for part in term.split("_"))
        return min(self.idf(term), rarest_word) * self._cohesion(term)

    def _cohesion(self, bigram: str) -> float:
        """How much two neighbouring words of a question are one phrase: the share of the rows holding the rarer
        word that hold the two together ("diễn giả": most; "khi triển", of "… khi triển khai …": few). A pair
        that is chance adjacency would otherwise weigh as much as the rarest word."""
        if bigram in self._named or _ORDINAL_TERM.fullmatch(bigram):
            # a name's words are one phrase however often they stand apart ("Sơn Mỹ"); so is an ordinal
            return BIGRAM_WEIGHT
        rarer = min(self._df.get(part, 0) for part in bigram.split("_"))
        together = self._df.get(bigram, 0) / rarer if rarer else 0.0
        return BIGRAM_WEIGHT * max(MIN_COHESION, min(1.0, together))

    def coverage(self, query: Query, found: Iterable[str]) -> float:
        """The weighted share of the question's content terms that `found` (terms: words and bigrams) holds;
        a term counts as found when one of its other-language equivalents is."""
        total = sum(query.content.values())
        if not total:
            return 0.0
        return sum(query.content[term] for term in self.held(query, found)) / total

    def held(self, query: Query, found: Iterable[str]) -> frozenset[str]:
        """The question's content terms that `found` holds (directly or through an equivalent)."""
        have = found if isinstance(found, (set, frozenset)) else set(found)
        return frozenset(
            term
            for term in query.content
            if self._holds(query, term, have) or ("_" in term and self._holds_translated(query, term, have))
        )

    @staticmethod
    def _holds(query: Query, term: str, have: frozenset[str] | set[str]) -> bool:
        return term in have or any(_phrase_held(alt, have) for alt in query.alternatives.get(term, ()))

    @staticmethod
    def _holds_translated(query: Query, term: str, have: frozenset[str] | set[str]) -> bool:
        """A question's two neighbouring words found in a text of the other language: each is found, one at
        least through its translation (that the two stand together cannot be seen across languages)."""
        parts = term.split("_")
        translated = False
        for part in parts:
            if part in have:
                continue
            if not any(_phrase_held(alt, have) for alt in query.alternatives.get(part, ())):
                return False
            translated = True
        return translated

    def search(self, query: Query, limit: int = 5, passages: bool | None = None) -> list[Hit]:
        """The best entries and passages for `query`, by coverage then BM25; `passages` True/False keeps one
        kind only."""
        common = max(MIN_COMMON_ROWS, min(self._size * COMMON_SHARE, MAX_COMMON_ROWS))
        rare = [t for t in query.terms if self._df[t] <= common]
        chosen = rare or sorted(query.terms, key=lambda t: self._df[t])[:2]
        if not chosen:
            return []
        match = " OR ".join(f'"{t}"' for t in chosen)
        with self._lock:
            found = self._db.execute(
                "SELECT rowid, -bm25(idx, ?, ?, ?) AS score FROM idx WHERE idx MATCH ? ORDER BY bm25(idx, ?, ?, ?)"
                " LIMIT ?",
                (*WEIGHTS, match, *WEIGHTS, CANDIDATES if passages is None else CANDIDATES * 3),
            ).fetchall()
        ranked = []
        for rowid, score in found:
            item = self._items[rowid]
            if passages is not None and isinstance(item, Passage) != passages:
                continue
            coverage = self.coverage(query, self._words[rowid])
            # A word the passage says counts more than one only its document's title says (every passage of
            # the document has that): part of what only the context holds is left out of the order.
            own = self.coverage(query, self._own_words[rowid]) if coverage else 0.0
            rank = coverage - CONTEXT_DISCOUNT * (coverage - own)
            if isinstance(item, Passage):
                # A long paragraph holds some of any question's words: a sentence that holds nearly as much is
                # the better answer (as in BM25, length counts against a text).
                rank -= LENGTH_WEIGHT * max(
                    0.0, math.log2(len(self._own_words[rowid]) / self._typical_passage)
                )
            ranked.append((rank, Hit(item, score, coverage, self._words[rowid], rank)))
        ranked.sort(key=lambda r: (-round(r[0], 6), -r[1].score))
        return [hit for _, hit in ranked[:limit]]


def _phrase_held(phrase: str, have: frozenset[str] | set[str]) -> bool:
    """True when a text's terms hold a phrase term: the term itself, or, for three words or more ("chuyen_doi_so",
    which no text's terms are), each pair of its neighbouring words."""
    if phrase in have:
        return True
    parts = phrase.split("_")
    return len(parts) > 2 and all(f"{a}_{b}" in have for a, b in itertools.pairwise(parts))


def text_terms(text: str) -> frozenset[str]:
    """The terms (words and bigrams) of a text, to measure how much of a question it holds."""
    return frozenset(terms(words(text)))
