"""Measure the Telegram bridge's own overhead per message.

The bridge (`python -m bot.telegram`, as `make run` starts it) runs against the test suite's fake Telegram Bot
API. For each message the fake records when it handed the update to the bridge (getUpdates) and when the reply
arrived (sendMessage); the assistant's own time is measured separately by posting the same message straight to
its REST channel, alternating with the bridge's messages. The bridge's overhead is the difference.

It also runs the bridge against a stand-in assistant that answers at once (in a process of its own, so it does
not share this one's interpreter lock with the fake Telegram), where nearly the whole time is the bridge's.

Usage: start the assistant (`make run`), then
    .venv/bin/python scripts/telegram_overhead.py [--rasa-url http://127.0.0.1:5005] [--messages 100]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

from assistant.settings import Settings
from tests.telegram.conftest import Bridge, start_bridge
from tests.telegram.fake_telegram import FakeTelegram
from tests.telegram.stub_rasa import StubRasa

ROOT = Path(__file__).resolve().parent.parent

QUESTION = "bạn làm được gì"
WARM_UP = 5
# Seconds between questions: keeps the bridge under Telegram's 30 messages a second, which its rate limiter
# enforces (faster, the limiter's wait would be measured instead of the bridge).
PACE = 0.05
STAND_IN_REPLIES = {QUESTION: [{"text": "Tôi trả lời về bốn chủ đề.", "buttons": []}]}


def serve_stand_in(urls: multiprocessing.Queue) -> None:
    """Run the stand-in assistant in this (child) process until it is terminated."""
    stub = StubRasa(STAND_IN_REPLIES).start()
    urls.put(stub.url)
    multiprocessing.Event().wait()


def through_bridge(bridge: Bridge, chat_id: int) -> float:
    """Seconds from the update handed to the bridge to its reply arriving at Telegram."""
    update_id = bridge.fake.send_text(chat_id, QUESTION)
    [sent] = bridge.fake.wait_for("sendMessage", chat_id, timeout=60)
    return sent.at - bridge.fake.delivered_at[update_id]


def direct(session: requests.Session, rasa_url: str, sender: str) -> float:
    """Seconds for the assistant's REST channel to answer the same message."""
    started = time.monotonic()
    answer = session.post(
        f"{rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": QUESTION, "metadata": {"channel": "telegram"}},
        timeout=60,
    )
    answer.raise_for_status()
    return time.monotonic() - started


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[int(0.9 * (len(ms) - 1))]
    return f"{name:<44} median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms   (n={len(ms)})"


def measure(rasa_url: str, messages: int, log: Path, first_chat: int) -> tuple[list[float], list[float]]:
    """(bridge times, direct times) for `messages` questions, each from a new chat, alternating."""
    bridge_times: list[float] = []
    direct_times: list[float] = []
    with FakeTelegram() as fake, requests.Session() as session:
        bridge = start_bridge(fake, rasa_url, log, LOG_LEVEL="INFO")
        try:
            for i in range(WARM_UP + messages):
                chat = first_chat + i
                bridge_time = through_bridge(bridge, chat)
                direct_time = direct(session, rasa_url, f"overhead-{first_chat}-{i}")
                if i >= WARM_UP:
                    bridge_times.append(bridge_time)
                    direct_times.append(direct_time)
                time.sleep(PACE)
        finally:
            bridge.stop()
    return bridge_times, direct_times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rasa-url", default=Settings.from_env().rasa_url)
    parser.add_argument("--messages", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        urls: multiprocessing.Queue = multiprocessing.Queue()
        stand_in = multiprocessing.Process(target=serve_stand_in, args=(urls,), daemon=True)
        stand_in.start()
        try:
            stub_bridge, stub_direct = measure(
                urls.get(timeout=30), args.messages, Path(tmp) / "stub.log", 10**7
            )
        finally:
            stand_in.terminate()
        print("Stand-in assistant that answers at once:")
        print(summary("  update -> sendMessage through the bridge", stub_bridge))
        print(summary("  stand-in round trip, direct", stub_direct))
        try:
            requests.get(f"{args.rasa_url}/status", timeout=5).raise_for_status()
        except requests.RequestException:
            print(f"\nNo assistant at {args.rasa_url}: start it with `make run` for the real figures.")
            return 1
        real_bridge, real_direct = measure(args.rasa_url, args.messages, Path(tmp) / "real.log", 2 * 10**7)
    print(f"Real assistant at {args.rasa_url} ({QUESTION!r}):")
    print(summary("  update -> sendMessage through the bridge", real_bridge))
    print(summary("  assistant round trip, direct", real_direct))
    overhead = statistics.median(real_bridge) - statistics.median(real_direct)
    print(f"Bridge overhead per message (difference of medians): {overhead * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
