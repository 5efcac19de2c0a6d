"""Cost of the knowledge-base lookups as it grows: 100 to 100,000 synthetic heritage-site entries.

The entries are made here (valid `Entry` objects with generated Vietnamese-like names; never written to the
knowledge folder). For each size: the time to build the in-memory index (KnowledgeBase) and to load() the
entries into a temporary SQLite database, then p50/p95 over random queries of
  resolve (exact name or alias), resolve with one typo, find_in_text on a 20-word message,
  retrieval.rank on that message (the word-overlap ranking answers use when no name matches; a scan),
  the retrieval index (SQLite FTS5 in memory, assistant/kb/index.py) building and searching that message,
  fulltext() on SQLite (FTS5) for a name.
"""

from __future__ import annotations

import gc
import os
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assistant.answering.retrieval import rank
from assistant.kb.entry import Entry, name_key
from assistant.kb.index import RetrievalIndex
from assistant.kb.load import load
from assistant.kb.models import make_sessionmaker
from assistant.kb.search import KnowledgeBase, fulltext
from assistant.text import fold
from scripts.bench.machine import rss_mb

SIZES = (100, 1_000, 10_000, 100_000)
TOPIC = "heritage_sites"
PREFIXES = (
    ("Chùa", "Pagoda"),
    ("Đình làng", "Communal House"),
    ("Đền", "Temple"),
    ("Lăng", "Tomb"),
    ("Tháp", "Tower"),
    ("Miếu", "Shrine"),
    ("Thành cổ", "Citadel"),
    ("Cầu", "Bridge"),
    ("Nhà thờ họ", "Clan House"),
    ("Bảo tàng", "Museum"),
    ("Khu di tích", "Historical Site"),
    ("Phủ", "Palace"),
)
SYLLABLES = (
    "An Bình Phước Hòa Thạnh Long Mỹ Sơn Tân Phú Quang Đức Hưng Thái Vĩnh Xuân Hương Linh Ngọc Bảo Minh Khánh "
    "Lộc Thọ Trung Nghĩa Tịnh Kỳ Duy Điện Quế Tiên Hội Cẩm Thanh Vân Lạc Thiện Quý Trà Hà Giang Lâm Thủy "
    "Đông Nam Bắc Tây Cao Kim Ninh Định Tường Hải Châu Diên Phong Yên Lễ Chánh Mai Liêm Sa Nhơn Quảng Thuận"
).split()
FILLER = (
    "cho tôi hỏi với nhé bạn ơi mình đang đi du lịch miền Trung cùng gia đình và muốn biết thêm thông tin "
    "về di tích này có gần trung tâm thành phố không hôm nay trời đẹp quá"
).split()
BODY = (
    "di tích kiến trúc cổ được xây dựng vào thời Nguyễn nằm bên bờ sông gần làng có mái ngói âm dương cột gỗ "
    "lim chạm khắc tinh xảo là nơi thờ tự của cư dân địa phương lễ hội hằng năm thu hút nhiều du khách"
).split()
PROVINCES = ("thua-thien-hue", "quang-ngai", "quang-nam")


@dataclass
class Timing:
    """p50/p95 (microseconds) of `count` calls."""

    p50_us: float
    p95_us: float
    count: int


def _syllables() -> list[str]:
    unique: dict[str, str] = {}
    for syllable in SYLLABLES:
        unique.setdefault(fold(syllable), syllable)
    return list(unique.values())


def synthetic_entries(count: int, seed: int = 7) -> list[Entry]:
    """`count` valid heritage-site entries with distinct generated names (deterministic for a seed)."""
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, not security)
    syllables = _syllables()
    today = date.today().isoformat()
    seen: set[str] = set()
    entries: list[Entry] = []
    while len(entries) < count:
        prefix_vi, prefix_en = rng.choice(PREFIXES)
        core = " ".join(rng.sample(syllables, rng.choice((2, 2, 3))))
        name_vi = f"{prefix_vi} {core}"
        if name_key(name_vi) in seen:
            continue
        seen.add(name_key(name_vi))
        number = len(entries)
        province = PROVINCES[number % len(PROVINCES)]
        data: dict[str, Any] = {
            "id": f"bench-site-{number}",
            "name": {"vi": name_vi, "en": f"{core} {prefix_en}"},
            "province": province,
            "category": "historical_site",
            "location": {"vi": f"Xã {core}, {province}", "en": f"{core} commune, {province}"},
            "description": {
                "vi": f"{name_vi} " + " ".join(rng.sample(BODY, 15)),
                "en": f"A synthetic benchmark entry named {core}.",
            },
            "source": {"title": "Benchmark synthetic entry", "url": "https://example.org/bench"},
            "as_of": today,
        }
        if number % 3 == 0:
            data["aliases"] = [f"Di tích {core}"]
        entries.append(Entry(TOPIC, data["id"], data, f"{TOPIC}.yml", 2 + number * 20))
    return entries


def _typo(key: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(key) if c.isalpha()]
    i = rng.choice(letters)
    kind = rng.choice(("replace", "delete", "insert", "swap"))
    if kind == "replace":
        return key[:i] + rng.choice("abcdeghiklmnopqrstuvxy") + key[i + 1 :]
    if kind == "delete":
        return key[:i] + key[i + 1 :]
    if kind == "insert":
        return key[:i] + rng.choice("aehnotu") + key[i:]
    if i + 1 < len(key) and key[i + 1].isalpha():
        return key[:i] + key[i + 1] + key[i] + key[i + 2 :]
    return key[:i] + key[i + 1 :]


def _message(name: str, rng: random.Random, length: int = 20) -> str:
    filler = rng.sample(FILLER, length - len(name.split()))
    at = rng.randrange(len(filler) + 1)
    return " ".join([*filler[:at], name, *filler[at:]]) + "?"


def _measure(call: Callable[[Any], object], queries: Sequence[Any], budget_s: float) -> Timing:
    """Time `call` on each query until the queries or the time budget run out (at least 30 calls)."""
    durations: list[float] = []
    deadline = time.perf_counter() + budget_s
    for query in queries:
        started = time.perf_counter_ns()
        call(query)
        durations.append((time.perf_counter_ns() - started) / 1000)
        if len(durations) >= 30 and time.perf_counter() > deadline:
            break
    durations.sort()
    return Timing(
        round(durations[len(durations) // 2], 1),
        round(durations[min(len(durations) - 1, int(len(durations) * 0.95))], 1),
        len(durations),
    )


def bench_size(size: int, queries: int, budget_s: float, seed: int = 11) -> dict[str, Any]:
    """Every figure for one size."""
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, not security)
    started = time.perf_counter()
    entries = synthetic_entries(size)
    generate_s = time.perf_counter() - started
    started = time.perf_counter()
    kb = KnowledgeBase({TOPIC: entries})
    build_s = time.perf_counter() - started
    picks = [rng.choice(entries) for _ in range(queries)]
    exact = [rng.choice([e.name_vi, e.name_en, *e.aliases]) for e in picks]
    typos = [_typo(name_key(e.name_vi), rng) for e in picks]
    messages = [_message(e.name_vi, rng) for e in picks]
    figures: dict[str, Any] = {
        "entries": size,
        "generate_s": round(generate_s, 3),
        "index_build_s": round(build_s, 3),
        "resolve_exact": _measure(lambda q: kb.resolve(q, TOPIC), exact, budget_s).__dict__,
        "resolve_typo": _measure(lambda q: kb.resolve(q, TOPIC), typos, budget_s).__dict__,
        "find_in_text": _measure(lambda q: kb.find_in_text(q), messages, budget_s).__dict__,
    }
    started = time.perf_counter()
    rank(kb, "warm up the index")
    figures["rank_index_build_s"] = round(time.perf_counter() - started, 3)
    figures["rank"] = _measure(lambda q: rank(kb, q, [TOPIC]), messages, budget_s).__dict__
    started = time.perf_counter()
    index = RetrievalIndex(entries)
    figures["retrieval_build_s"] = round(time.perf_counter() - started, 3)
    figures["retrieval"] = _measure(lambda q: index.search(index.query(q)), messages, budget_s).__dict__
    figures["process_rss_mb"] = round(rss_mb(os.getpid()) or 0.0, 1)
    with tempfile.TemporaryDirectory(prefix="bench-kb-") as folder:
        sessions = make_sessionmaker(f"sqlite:///{Path(folder) / 'kb.db'}")
        started = time.perf_counter()
        with sessions.begin() as session:
            load(session, {TOPIC: entries})
        figures["sqlite_load_s"] = round(time.perf_counter() - started, 3)
        names = [e.name_vi for e in picks]
        with sessions() as session:
            figures["fulltext"] = _measure(lambda q: fulltext(session, q, TOPIC), names, budget_s).__dict__
        sessions.kw["bind"].dispose()
    return figures


def run(sizes: Sequence[int] = SIZES, queries: int = 2000, budget_s: float = 20.0) -> list[dict[str, Any]]:
    """The figures of every size, smallest first."""
    results = []
    for size in sizes:
        gc.collect()
        print(f"bench: knowledge base with {size:,} entries ...", flush=True)
        results.append(bench_size(size, queries, budget_s))
    return results
