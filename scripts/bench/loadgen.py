"""A closed-loop load generator for Rasa's REST channel (aiohttp).

`concurrency` virtual users each run conversations one after the other; a conversation is a fixed script of
at most 10 turns under a fresh sender id, and a user sends its next message only when the previous reply has
arrived. The run stops after `total` messages in all. While it runs, the resident memory of the bot's
processes is sampled and the peak kept. `drive` also paces the users to a rate in all and stops after a time
(the soak test, scripts/soak.py).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from scripts.bench.machine import pss_mb, rss_mb

Script = Sequence[str]

# The assistant's conversations: the four topics, Vietnamese with and without diacritics, and English.
ASSISTANT_SCRIPTS: tuple[Script, ...] = (
    (
        "xin chào",
        "Quảng Ngãi đón bao nhiêu khách năm 2022?",
        "Còn khách quốc tế thì sao?",
        "Doanh thu du lịch thì sao?",
        "cảm ơn",
    ),
    (
        "hello",
        "Where is My Son Sanctuary?",
        "When was it recognised by UNESCO?",
        "What are the opening hours of the Imperial City in Hue?",
        "thank you",
        "bye",
    ),
    ("dang ky khai sinh truc tuyen the nao", "can giay to gi", "mat bao lau", "cảm ơn"),
    (
        "Đại Nội ở đâu?",
        "Giá vé vào Đại Nội là bao nhiêu?",
        "Chùa Thiên Mụ được xây dựng năm nào?",
        "Lăng Khải Định ở đâu?",
        "Lăng này được xây dựng từ năm nào đến năm nào?",
        "Quảng Nam có những di sản nào?",
        "cảm ơn",
    ),
    (
        "Chỉ số DTI của Quảng Ngãi năm 2022 xếp thứ mấy?",
        "Chính quyền số thì sao?",
        "Tuần lễ Chuyển đổi số Quảng Ngãi 2023 diễn ra khi nào?",
        "ai to chuc",
        "ngay chuyen doi so quoc gia la ngay nao",
        "cảm ơn",
    ),
    (
        "hi",
        "How many visitors did Quảng Ngãi receive in 2022?",
        "And the revenue?",
        "How many tourists visited Quang Nam in 2022?",
        "How many national treasures does Hue have?",
        "What documents do I need for temporary residence registration?",
        "How long does it take?",
        "What is the hotline for public services in Huế?",
        "How do I get a VNeID level 2 account?",
        "thanks",
    ),
    (
        "my son o dau",
        "hue co may di san unesco",
        "quang ngai don bao nhieu khach nam 2022",
        "lam ly lich tu phap mat bao lau",
        "tro cap that nghiep can giay to gi",
        "quang nam xep hang dti nam 2021",
        "cam on",
    ),
    (
        "Làm hộ chiếu online mất bao lâu?",
        "Đăng ký cấp điện mới mất bao lâu?",
        "Cấp lại thẻ BHYT bị mất làm qua ứng dụng nào?",
        "dang ky thuong tru tren vneid lam sao",
        "cảm ơn",
    ),
)

# The stock bot of `rasa init` (mood bot): its own domain's messages.
REFERENCE_SCRIPTS: tuple[Script, ...] = (
    ("hello", "I am sad", "yes", "bye"),
    ("hi", "I am great", "are you a bot?", "bye"),
    ("good morning", "I am sad", "no", "are you a bot?", "goodbye"),
    ("hey there", "I am feeling very good", "bye"),
    ("hello", "I am sad", "no", "are you a human?", "see you later"),
    ("good evening", "very sad", "yes", "am I talking to a bot?", "I am great", "bye"),
)


@dataclass
class Sample:
    """One message's outcome."""

    latency_s: float
    ok: bool
    empty: bool
    error: str = ""


@dataclass
class LoadResult:
    """Figures of one load level against one bot."""

    bot: str
    concurrency: int
    messages: int
    duration_s: float
    throughput: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    errors: int
    empty_replies: int
    error_examples: list[str] = field(default_factory=list)
    rss_peak_mb: dict[str, float] = field(default_factory=dict)
    rss_peak_total_mb: float = 0.0
    pss_peak_mb: dict[str, float] = field(default_factory=dict)
    pss_peak_total_mb: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile q (0-100) of `values` (0.0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


async def send(session: aiohttp.ClientSession, url: str, sender: str, message: str) -> Sample:
    """POST one message to the REST channel and time it until the whole reply is read."""
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": message}) as response:
            body = await response.read()
            latency = time.perf_counter() - started
            if response.status != 200:
                return Sample(latency, False, False, f"HTTP {response.status}")
            replies = await response.json(content_type=None) if body else []
            empty = not (isinstance(replies, list) and replies)
            return Sample(latency, True, empty)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return Sample(time.perf_counter() - started, False, False, f"{type(error).__name__}: {error}"[:200])


async def reply_texts(
    session: aiohttp.ClientSession, url: str, sender: str, message: str
) -> list[str] | None:
    """The texts the bot answers to `message` (None when the request failed)."""
    try:
        async with session.post(url, json={"sender": sender, "message": message}) as response:
            if response.status != 200:
                return None
            replies = await response.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return None
    if not isinstance(replies, list):
        return None
    return [str(r.get("text", "")) for r in replies if isinstance(r, dict)]


class _Budget:
    """What is left to send in this run (shared by the virtual users of one event loop): at most `total`
    messages, until `until` (time.monotonic()), and with `rate` at most `rate` messages a second in all (a
    slow spell is not made up for by a burst afterwards)."""

    def __init__(self, total: int | None, rate: float | None = None, until: float | None = None) -> None:
        self.left = total
        self.interval = 1 / rate if rate else 0.0
        self.until = until
        self.next_slot = 0.0

    async def take(self) -> bool:
        slot = max(self.next_slot, time.monotonic())
        if (self.left is not None and self.left <= 0) or (self.until is not None and slot >= self.until):
            return False
        if self.left is not None:
            self.left -= 1
        if self.interval:
            self.next_slot = slot + self.interval
            await asyncio.sleep(slot - time.monotonic())
        return True


async def _user(
    session: aiohttp.ClientSession,
    url: str,
    scripts: Sequence[Script],
    user: int,
    concurrency: int,
    tag: str,
    budget: _Budget,
    samples: list[Sample],
) -> None:
    conversation = 0
    while True:
        script = scripts[(user + conversation * concurrency) % len(scripts)]
        sender = f"{tag}-u{user}-c{conversation}"
        for message in script[:10]:
            if not await budget.take():
                return
            samples.append(await send(session, url, sender, message))
        conversation += 1


# Seconds between two readings of the proportional memory (PSS): the kernel walks every page of the process
# for it (milliseconds for a Rasa worker, holding the process's memory lock meanwhile), so reading it as
# often as RSS would slow the bot being measured; RSS is a counter, read every RSS_EVERY_S.
RSS_EVERY_S = 0.25
PSS_EVERY_S = 5.0


def _peak(measure: Callable[[int], float | None], pids: Mapping[str, int], found: dict[str, float]) -> None:
    total = 0.0
    for label, pid in pids.items():
        value = measure(pid)
        if value is not None:
            found[label] = max(found.get(label, 0.0), value)
            total += value
    found["_total"] = max(found.get("_total", 0.0), total)


async def _sample_memory(
    pids: Mapping[str, int], peaks: dict[str, float], pss_peaks: dict[str, float], stop: asyncio.Event
) -> None:
    pss_due = time.monotonic() + PSS_EVERY_S / 2
    while True:
        _peak(rss_mb, pids, peaks)
        if time.monotonic() >= pss_due:
            _peak(pss_mb, pids, pss_peaks)
            pss_due = time.monotonic() + PSS_EVERY_S
        try:
            await asyncio.wait_for(stop.wait(), timeout=RSS_EVERY_S)
            _peak(pss_mb, pids, pss_peaks)  # once more at the end: a short level gets one reading at least
            return
        except asyncio.TimeoutError:
            continue


def _session(concurrency: int, timeout: float) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=concurrency + 2)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout))


async def warm_up(rest_url: str, scripts: Sequence[Script], tag: str, messages: int = 50) -> int:
    """Play the scripts in turn, one message at a time, until `messages` are sent; the number that failed."""
    failures = sent = 0
    async with _session(1, 60) as session:
        while sent < messages:
            for number, script in enumerate(scripts):
                for message in script:
                    sample = await send(session, rest_url, f"{tag}-warm{sent}-{number}", message)
                    failures += 0 if sample.ok else 1
                    sent += 1
    return failures


async def drive(
    rest_url: str,
    scripts: Sequence[Script],
    concurrency: int,
    samples: list[Sample],
    tag: str,
    *,
    total: int | None = None,
    rate: float | None = None,
    seconds: float | None = None,
    timeout: float = 60.0,
) -> float:
    """Run `concurrency` virtual users until `total` messages are sent or `seconds` have passed, at most `rate`
    messages a second in all (None: each user as fast as its replies come); every outcome is appended to
    `samples` as it arrives, so a caller may watch them meanwhile. The wall time in seconds."""
    until = time.monotonic() + seconds if seconds is not None else None
    budget = _Budget(total, rate, until)
    async with _session(concurrency, timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _user(session, rest_url, scripts, user, concurrency, tag, budget, samples)
                for user in range(concurrency)
            )
        )
        return time.perf_counter() - started


async def run_load(
    bot: str,
    rest_url: str,
    scripts: Sequence[Script],
    concurrency: int,
    total: int,
    pids: Mapping[str, int],
    timeout: float = 60.0,
) -> LoadResult:
    """Send `total` messages with `concurrency` virtual users; latency, throughput, errors and peak
    memory (RSS and PSS)."""
    samples: list[Sample] = []
    peaks: dict[str, float] = {}
    pss_peaks: dict[str, float] = {}
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_memory(pids, peaks, pss_peaks, stop))
    tag = f"bench-{bot}-{concurrency}-{time.time_ns()}"
    duration = await drive(rest_url, scripts, concurrency, samples, tag, total=total, timeout=timeout)
    stop.set()
    await sampler
    latencies = [s.latency_s * 1000 for s in samples if s.ok]
    errors = [s for s in samples if not s.ok]
    examples = list(dict.fromkeys(s.error for s in errors))[:5]
    return LoadResult(
        bot=bot,
        concurrency=concurrency,
        messages=len(samples),
        duration_s=round(duration, 2),
        throughput=round(len(latencies) / duration, 2) if duration else 0.0,
        p50_ms=round(percentile(latencies, 50), 1),
        p95_ms=round(percentile(latencies, 95), 1),
        p99_ms=round(percentile(latencies, 99), 1),
        mean_ms=round(sum(latencies) / len(latencies), 1) if latencies else 0.0,
        errors=len(errors),
        empty_replies=sum(1 for s in samples if s.ok and s.empty),
        error_examples=examples,
        rss_peak_mb={k: round(v, 1) for k, v in peaks.items() if k != "_total"},
        rss_peak_total_mb=round(peaks.get("_total", 0.0), 1),
        pss_peak_mb={k: round(v, 1) for k, v in pss_peaks.items() if k != "_total"},
        pss_peak_total_mb=round(pss_peaks.get("_total", 0.0), 1),
    )
