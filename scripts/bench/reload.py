"""Time from saving a knowledge file to the new answer, against a running assistant.

A new heritage site (a valid entry with a fresh name, in the assistant's own copy of the knowledge) is
appended to heritage_sites.yml; then "<name> ở đâu?" is asked over REST every 0.2 s, each time as a new
user, until a reply names the new site. The time until /knowledge/status reports the new content is kept too.
"""

from __future__ import annotations

import asyncio
import random
import time
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp

from scripts.bench.loadgen import reply_texts

POLL_S = 0.2
TIMEOUT_S = 60.0
# Syllables for fresh names that no real entry has.
SYLLABLES = "Khê Lương Vạn Tường Nguyên Phổ Đạo Kiều Chiêm Dực Huân Lưu Toản Khuê Nghi Oánh".split()


def fresh_name(rng: random.Random) -> str:
    """A Vietnamese-like temple name made of three syllables, new to the knowledge."""
    return "Đền " + " ".join(rng.sample(SYLLABLES, 3))


def entry_yaml(entry_id: str, site: str, marker: str) -> str:
    """One heritage_sites entry (indented for the `entries:` list), marked as benchmark data."""
    return f"""
  - id: {entry_id}
    name:
      vi: {site}
      en: {site} Temple
    province: quang-ngai
    category: temple
    location:
      vi: {marker}, Quảng Ngãi
      en: {marker}, Quảng Ngãi
    description:
      vi: {site} là mục thử nghiệm do benchmark thêm vào bản sao tri thức (không phải dữ liệu thật).
      en: {site} is a test entry the benchmark adds to a copy of the knowledge (not real data).
    source:
      title: "Benchmark synthetic entry"
      url: "https://example.org/bench"
    as_of: {date.today().isoformat()}
"""


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


async def _status_hash(session: aiohttp.ClientSession, action_url: str) -> str | None:
    try:
        async with session.get(f"{action_url}/knowledge/status") as response:
            return str((await response.json()).get("content_hash"))
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return None


async def _one(
    rest_url: str, action_url: str, knowledge_dir: Path, number: int, rng: random.Random
) -> dict[str, Any]:
    site = fresh_name(rng)
    marker = f"Thôn Thử Nghiệm {number + 1}"
    entry_id = f"bench-reload-{number}-{rng.randrange(10**6)}"
    path = knowledge_dir / "heritage_sites.yml"
    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        before = await _status_hash(session, action_url)
        text = path.read_text(encoding="utf-8")
        saved = time.perf_counter()
        path.write_text(text.rstrip("\n") + "\n" + entry_yaml(entry_id, site, marker), encoding="utf-8")
        status_s: float | None = None
        attempt = 0
        while time.perf_counter() - saved < TIMEOUT_S:
            if status_s is None and await _status_hash(session, action_url) not in (before, None):
                status_s = time.perf_counter() - saved
            attempt += 1
            texts = await reply_texts(session, rest_url, f"bench-reload-{number}-{attempt}", f"{site} ở đâu?")
            joined = _nfc(" ".join(texts or []))
            if _nfc(site) in joined or _nfc(marker) in joined:
                return {
                    "site": site,
                    "answer_s": round(time.perf_counter() - saved, 2),
                    # the status may change between its check and the question: then it changed by now
                    "status_s": round(status_s if status_s is not None else time.perf_counter() - saved, 2),
                    "polls": attempt,
                }
            await asyncio.sleep(POLL_S)
    return {"site": site, "answer_s": None, "status_s": status_s, "polls": attempt, "error": "timed out"}


async def _run(rest_url: str, action_url: str, knowledge_dir: Path, repeats: int) -> list[dict[str, Any]]:
    rng = random.Random(5)  # noqa: S311 (test names, not security)
    results = []
    for number in range(repeats):
        results.append(await _one(rest_url, action_url, knowledge_dir, number, rng))
        await asyncio.sleep(1.0)
    return results


def run(rest_url: str, action_url: str, knowledge_dir: Path, repeats: int) -> dict[str, Any]:
    """Add `repeats` new sites one after the other; each time until the answer, and the median."""
    trials = asyncio.run(_run(rest_url, action_url, knowledge_dir, repeats))
    times = sorted(t["answer_s"] for t in trials if t["answer_s"] is not None)
    return {
        "trials": trials,
        "median_s": times[len(times) // 2] if times else None,
        "max_s": times[-1] if times else None,
        "failed": sum(1 for t in trials if t["answer_s"] is None),
    }
