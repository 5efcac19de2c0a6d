"""Search: lookups, filters, names with and without diacritics or with one typo, mentions, full text."""

from __future__ import annotations

import random
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from assistant.kb.entry import Entry, name_key
from assistant.kb.errors import UnknownField, UnknownTopic
from assistant.kb.load import load
from assistant.kb.models import drop_schema, make_engine
from assistant.kb.search import KnowledgeBase, Match, fulltext, fulltext_statement
from assistant.kb.validate import load_dir
from assistant.text import one_edit_apart
from tests.kb.conftest import VALID

KB = KnowledgeBase.from_dir(VALID)


def _ids(matches: list[Match]) -> list[tuple[str, str]]:
    return [(m.topic, m.entry_id) for m in matches]


# ---------------------------------------------------------------------------------------------- lookups


def test_get_and_snapshot() -> None:
    entry = KB.get("heritage_sites", "thien-mu-pagoda")
    assert entry is not None and entry.name_en == "Thien Mu Pagoda"
    assert KB.get("heritage_sites", "nothing") is None
    assert len(KB) == 24 and KB.content_hash
    with pytest.raises(UnknownTopic):
        KB.get("weather", "x")


def test_entries_filters() -> None:
    found = KB.entries("tourism_statistics", province="quang-ngai", year=2022, metric="visitors")
    assert [e.id for e in found] == ["quang-ngai-visitors-2022"]
    assert [e.id for e in KB.entries("tourism_statistics", province="quang-ngai", year=None)] == [
        "quang-ngai-visitors-2022",
        "quang-ngai-visitors-2023",
    ]
    assert len(KB.entries("tourism_statistics", year={2022, 2023})) == 4
    revenue = KB.entries("tourism_statistics", year=2022, metric="revenue")
    assert [e.id for e in revenue] == ["quang-nam-revenue-2022"]
    assert [e.id for e in KB.entries("events", kind="week")] == ["quang-ngai-dx-week-2023"]
    assert [e.id for e in KB.entries("public_services", helpers="hue-s-app")] == ["birth-registration"]
    assert [e.id for e in KB.entries("tourism_statistics", derived=False)] == ["quang-ngai-visitors-2023"]
    assert KB.entries("tourism_statistics", derived=0) == []  # a bool is not an int
    assert len(KB.entries("heritage_sites", province=["quang-nam", "quang-ngai"])) == 3
    with pytest.raises(UnknownField):
        KB.entries("events", metric="visitors")
    with pytest.raises(UnknownTopic):
        KB.entries("hotels")


# ---------------------------------------------------------------------------------------------- resolve


@pytest.mark.parametrize(
    ("text", "expected", "via"),
    [
        ("Chùa Thiên Mụ", "thien-mu-pagoda", "name"),
        ("chua thien mu", "thien-mu-pagoda", "name"),
        ("CHUA THIEN MU", "thien-mu-pagoda", "name"),
        ("  chùa   thiên-mụ ", "thien-mu-pagoda", "name"),
        ("Thien Mu Pagoda", "thien-mu-pagoda", "name"),
        ("dai noi", "hue-imperial-city", "alias"),
        ("Đại Nội", "hue-imperial-city", "alias"),
        ("imperial city", "hue-imperial-city", "alias"),
        ("hoang thanh hue", "hue-imperial-city", "name"),
        ("thien-mu-pagoda", "thien-mu-pagoda", "id"),
    ],
)
def test_resolve_exact(text: str, expected: str, via: str) -> None:
    matches = KB.resolve(text)
    assert _ids(matches) == [("heritage_sites", expected)]
    assert matches[0].via == via and not matches[0].typo


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chua thienn mu", ("heritage_sites", "thien-mu-pagoda")),  # insertion
        ("chua thien m", ("heritage_sites", "thien-mu-pagoda")),  # deletion
        ("chua thian mu", ("heritage_sites", "thien-mu-pagoda")),  # substitution
        ("chua thein mu", ("heritage_sites", "thien-mu-pagoda")),  # transposition
        ("chuathien mu", ("heritage_sites", "thien-mu-pagoda")),  # a missing space
        ("chua thi en mu", ("heritage_sites", "thien-mu-pagoda")),  # an extra space
        ("chua thie nmu", ("heritage_sites", "thien-mu-pagoda")),  # a space swapped with a letter
        ("chua th en mu", ("heritage_sites", "thien-mu-pagoda")),  # a space instead of a letter
        ("chua thienxmu", ("heritage_sites", "thien-mu-pagoda")),  # a letter instead of a space
        ("Quảng Ngĩa", ("provinces", "quang-ngai")),
        ("imperail city", ("heritage_sites", "hue-imperial-city")),  # English, transposition
        ("My Son Sanctuay", ("heritage_sites", "my-son-sanctuary")),  # English, deletion
        ("hoi am", ("heritage_sites", "hoi-an-ancient-town")),
    ],
)
def test_resolve_one_typo(text: str, expected: tuple[str, str]) -> None:
    matches = KB.resolve(text)
    assert _ids(matches) == [expected]
    assert matches[0].typo and matches[0].score < 0.9


def test_resolve_refuses_more_than_one_typo_and_short_names() -> None:
    assert KB.resolve("chua thein mo") == []
    assert KB.resolve("hu") == []  # "hue" is too short to guess
    assert KB.resolve("chua thein mu", typos=False) == []
    assert KB.resolve("") == [] and KB.resolve("?!") == []


def test_resolve_never_changes_a_number() -> None:
    assert KB.resolve("Tuần lễ Chuyển đổi số Quảng Ngãi 2022") == []
    week = KB.resolve("tuan le chuyen doi so quang ngai 2023")
    assert _ids(week) == [("events", "quang-ngai-dx-week-2023")]


def test_resolve_by_topic() -> None:
    assert _ids(KB.resolve("quang ngai", topic="provinces")) == [("provinces", "quang-ngai")]
    assert KB.resolve("hue", topic="heritage_sites") == []
    assert _ids(KB.resolve("hue", topic=["heritage_sites", "provinces"])) == [("provinces", "thua-thien-hue")]


def test_resolve_returns_every_entry_of_an_ambiguous_name() -> None:
    def entry(topic: str, entry_id: str, vi: str, aliases: list[str], line: int) -> Entry:
        data = {"id": entry_id, "name": {"vi": vi, "en": vi}, "aliases": aliases, "province": "quang-nam"}
        return Entry(topic, entry_id, data, "x.yml", line)

    kb = KnowledgeBase(
        [
            entry("heritage_sites", "a", "Chùa Cầu", [], 1),
            entry("heritage_sites", "b", "Cầu Nhật Bản", ["Chùa Cầu"], 2),
            entry("events", "c", "Lễ hội Chùa Cầu", ["chua cau"], 3),
        ]
    )
    matches = kb.resolve("chua cau")
    assert _ids(matches) == [("heritage_sites", "a"), ("heritage_sites", "b"), ("events", "c")]
    assert [m.via for m in matches] == ["name", "alias", "alias"]


# ---------------------------------------------------------------------------------------------- find_in_text


def test_find_in_text_finds_the_province_in_a_question() -> None:
    matches = KB.find_in_text("nam 2022 quang ngai don bao nhieu khach")
    assert _ids(matches) == [("provinces", "quang-ngai")]
    assert matches[0].span == (9, 19)


def test_find_in_text_several_mentions_in_order() -> None:
    text = "Tôi muốn đi Đại Nội và chùa Thiên Mụ ở Huế, rồi tới phố cổ Hội An"
    matches = KB.find_in_text(text)
    assert _ids(matches) == [
        ("heritage_sites", "hue-imperial-city"),
        ("heritage_sites", "thien-mu-pagoda"),
        ("provinces", "thua-thien-hue"),
        ("heritage_sites", "hoi-an-ancient-town"),
    ]
    assert [text[m.span[0] : m.span[1]] for m in matches if m.span] == [
        "Đại Nội",
        "chùa Thiên Mụ",
        "Huế",
        "phố cổ Hội An",
    ]


def test_find_in_text_prefers_the_longest_name() -> None:
    matches = KB.find_in_text("gia ve Hoang thanh Hue bao nhieu")
    assert _ids(matches) == [("heritage_sites", "hue-imperial-city")]  # not the province "Hue" inside it


def test_find_in_text_english_and_topic() -> None:
    text = "How much is a ticket to the Imperial City in Hue?"
    assert _ids(KB.find_in_text(text)) == [
        ("heritage_sites", "hue-imperial-city"),
        ("provinces", "thua-thien-hue"),
    ]
    assert _ids(KB.find_in_text(text, topic="provinces")) == [("provinces", "thua-thien-hue")]


def test_find_in_text_with_one_typo_and_no_false_guess() -> None:
    assert _ids(KB.find_in_text("so khach den Quang Ngia nam 2023")) == [("provinces", "quang-ngai")]
    assert KB.find_in_text("toi muon hoi ai do mot cau") == []  # "hoi ai" is not "Hoi An"
    assert KB.find_in_text("so khach den Quang Ngia", typos=False) == []


def test_find_in_text_decomposed_input() -> None:
    text = unicodedata.normalize("NFD", "Khách đến Quảng Ngãi")
    matches = KB.find_in_text(text)
    assert _ids(matches) == [("provinces", "quang-ngai")]
    nfc = unicodedata.normalize("NFC", text)
    assert matches[0].span and nfc[matches[0].span[0] : matches[0].span[1]] == "Quảng Ngãi"


# ---------------------------------------------------------------------------------------------- typo property


def test_one_edit_apart() -> None:
    assert one_edit_apart("thien", "thein") and one_edit_apart("thien", "thin")
    assert one_edit_apart("mu", "mua") and one_edit_apart("mu", "m")
    assert not one_edit_apart("thien", "thien") and not one_edit_apart("thien", "tehin")
    assert not one_edit_apart("ab", "ba c")


_KEYS = sorted({name_key(t) for e in KB.entries("heritage_sites") for _, t in e.names()})
_ALL_KEYS = {name_key(t) for topic in KB.topics() for e in KB.entries(topic) for _, t in e.names()}
_LETTERS = "abcdefghijklmnopqrstuvwxyz "


@st.composite
def _one_typo(draw: st.DrawFn) -> tuple[str, str]:
    key = draw(st.sampled_from(_KEYS))
    kind = draw(st.sampled_from(["insert", "delete", "substitute", "transpose"]))
    i = draw(st.integers(0, len(key) - (2 if kind == "transpose" else 1)))
    char = draw(st.sampled_from(_LETTERS))
    if kind == "insert":
        return key, key[:i] + char + key[i:]
    if kind == "delete":
        return key, key[:i] + key[i + 1 :]
    if kind == "substitute":
        return key, key[:i] + char + key[i + 1 :]
    return key, key[:i] + key[i + 1] + key[i] + key[i + 2 :]


@settings(max_examples=300, deadline=None)
@given(_one_typo())
def test_any_single_typo_in_a_name_is_resolved(case: tuple[str, str]) -> None:
    key, typed = case
    assume(name_key(typed) not in _ALL_KEYS or name_key(typed) == key)
    expected = {(r.topic, r.entry_id) for r in KB.resolve(key)}
    assert expected & set(_ids(KB.resolve(typed)))


# ---------------------------------------------------------------------------------------------- scale


def test_resolve_stays_fast_with_100000_entries() -> None:
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    syllables = [
        "an",
        "ba",
        "cau",
        "chua",
        "dinh",
        "ho",
        "lang",
        "mieu",
        "nha",
        "phu",
        "son",
        "tan",
        "thanh",
        "thap",
        "tu",
        "vien",
        "xuan",
        "yen",
        "hoa",
        "long",
        "phong",
        "quang",
        "minh",
        "duc",
        "binh",
    ]
    entries = []
    for n in range(100_000):
        words = [*rng.sample(syllables, 3), f"{n:x}"]
        name = " ".join(words)
        data = {"id": f"e{n}", "name": {"vi": name, "en": name}, "province": "quang-nam"}
        entries.append(Entry("heritage_sites", f"e{n}", data, "big.yml", n + 1))
    kb = KnowledgeBase(entries)
    probes = [entries[rng.randrange(len(entries))] for _ in range(200)]
    started = time.perf_counter()
    for entry in probes:
        assert ("heritage_sites", entry.id) in _ids(kb.resolve(entry.name_vi.replace(" ", "", 1)))
        first, rest = entry.name_vi.split(" ", 1)
        swapped = f"{first[1]}{first[0]}{first[2:]} {rest}"
        assert ("heritage_sites", entry.id) in _ids(kb.resolve(swapped))
    per_query = (time.perf_counter() - started) / (2 * len(probes))
    assert per_query < 0.01, f"{per_query * 1000:.1f} ms per query"
    started = time.perf_counter()
    for entry in probes[:50]:
        found = kb.find_in_text(f"cho toi biet ve {entry.name_vi} o dau va gio mo cua")
        assert ("heritage_sites", entry.id) in _ids(found)
    per_message = (time.perf_counter() - started) / 50
    assert per_message < 0.05, f"{per_message * 1000:.1f} ms per message"


# ---------------------------------------------------------------------------------------------- full text


@pytest.fixture
def loaded(engine: Engine, knowledge_dir: Path) -> Engine:
    with Session(engine, future=True) as session, session.begin():
        load(session, load_dir(knowledge_dir))
    return engine


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("chùa cổ bên sông Hương", ("heritage_sites", "thien-mu-pagoda")),
        ("chua co ben song huong", ("heritage_sites", "thien-mu-pagoda")),
        ("old pagoda on the Perfume River", ("heritage_sites", "thien-mu-pagoda")),
        ("lam giay khai sinh", ("public_services", "birth-registration")),
        ("how to do birth registration", ("public_services", "birth-registration")),
        ("đền tháp Chăm", ("heritage_sites", "my-son-sanctuary")),
        ("Cham temple towers", ("heritage_sites", "my-son-sanctuary")),
        ("tuần lễ chuyển đổi số", ("events", "quang-ngai-dx-week-2023")),
    ],
)
def test_fulltext_best_match(loaded: Engine, query: str, expected: tuple[str, str]) -> None:
    with Session(loaded, future=True) as session:
        matches = fulltext(session, query)
    assert matches and _ids(matches)[0] == expected, matches
    assert all(m.via == "fulltext" and m.score > 0 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_fulltext_topic_limit_and_nothing(loaded: Engine) -> None:
    with Session(loaded, future=True) as session:
        assert fulltext(session, "Quang Ngai", topic="provinces") and all(
            m.topic == "provinces" for m in fulltext(session, "Quang Ngai", topic="provinces")
        )
        assert len(fulltext(session, "placeholder", limit=3)) == 3
        assert fulltext(session, "zzzz qqqq") == []
        assert fulltext(session, "   ") == []
        assert fulltext(session, "\"' OR 1=1 -- ;") == []  # quotes and operators are only text
        assert fulltext(session, "pagoda", topic=["portals", "events"]) == []


def test_fulltext_before_any_load(engine: Engine) -> None:
    with Session(engine, future=True) as session:
        assert fulltext(session, "chua") == []


def test_snapshot_from_the_database_equals_the_files(loaded: Engine, knowledge_dir: Path) -> None:
    with Session(loaded, future=True) as session:
        kb = KnowledgeBase.from_session(session)
    assert kb.content_hash == KnowledgeBase.from_dir(knowledge_dir).content_hash
    assert _ids(kb.resolve("dai noi")) == [("heritage_sites", "hue-imperial-city")]
    assert kb.get("tourism_statistics", "quang-ngai-visitors-2023")["value"] == 1200.5


@pytest.mark.postgres
def test_postgres_fulltext_uses_the_gin_index(postgres_url: str, knowledge_dir: Path) -> None:
    engine = make_engine(postgres_url)
    try:
        with Session(engine, future=True) as session, session.begin():
            load(session, load_dir(knowledge_dir))
        statement = fulltext_statement("postgresql", "chùa Thiên Mụ")
        assert statement is not None
        sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
        with Session(engine, future=True) as session, session.begin():
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {sql}")))
        assert "ix_kb_entries_fts" in plan, plan
    finally:
        with engine.begin() as connection:
            drop_schema(connection)
        engine.dispose()


def test_known_words_spelt_right_are_no_typo_of_a_name() -> None:
    kb = KnowledgeBase.from_dir(Path(__file__).resolve().parents[2] / "knowledge")
    found = {
        m.entry_id for m in kb.find_in_text("Sở Lao động - Thương binh và Xã hội Quảng Ngãi", "provinces")
    }
    assert found == {"quang-ngai"}  # "lao động" (labour) is not "Lâm Đồng" one letter away
    assert {m.entry_id for m in kb.find_in_text("du lich lam dogn", "provinces")} == {"lam-dong"}
