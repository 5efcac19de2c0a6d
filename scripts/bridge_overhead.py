"""Measure a chat bridge's own overhead per message (Telegram's or Zalo's).

The bridge (`python -m bot.telegram` or `python -m bot.zalo`, as `make run` starts it) runs against the test
suite's fake of its platform's Bot API. For each message the fake records when it handed the update to the bridge
(getUpdates) and when the reply arrived (sendMessage); the assistant's own time is measured separately by posting
the same message straight to its REST channel, alternating with the bridge's messages. The bridge's overhead is
the difference.

It also runs the bridge against a stand-in assistant that answers at once (in a process of its own, so it does
not share this one's interpreter lock with the fake platform), where nearly the whole time is the bridge's.

Usage: start the assistant (`make run`), then
    .venv/bin/python -m scripts.bridge_overhead --channel zalo [--rasa-url http://127.0.0.1:5005] [--messages 100]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from assistant.settings import Settings
from tests.bridges import Bridge
from tests.fake_bot_api import FakeBotApi
from tests.telegram.conftest import start_bridge as start_telegram
from tests.telegram.fake_telegram import FakeTelegram
from tests.telegram.stub_rasa import StubRasa
from tests.zalo.conftest import start_bridge as start_zalo
from tests.zalo.fake_zalo import FakeZalo

QUESTION = "bạn làm được gì"
WARM_UP = 5
# Seconds between questions: keeps the Telegram bridge under Telegram's 30 messages a second, which its rate
# limiter enforces (faster, the limiter's wait would be measured instead of the bridge).
PACE = 0.05
STAND_IN_REPLIES = {QUESTION: [{"text": "Tôi trả lời về bốn chủ đề.", "buttons": []}]}


@dataclass(frozen=True)
class Channel:
    """A bridge to measure: its platform's fake, how to start it, and how its chats are named."""

    name: str
    fake: Callable[[], FakeBotApi]
    start: Callable[..., Bridge]
    chat_id: Callable[[int], Any]


CHANNELS = {
    "telegram": Channel("telegram", FakeTelegram, start_telegram, int),
    "zalo": Channel("zalo", FakeZalo, start_zalo, str),
}


def serve_stand_in(urls: multiprocessing.Queue) -> None:
    """Run the stand-in assistant in this (child) process until it is terminated."""
    stub = StubRasa(STAND_IN_REPLIES).start()
    urls.put(stub.url)
    multiprocessing.Event().wait()


def through_bridge(bridge: Bridge, chat_id: Any) -> float:
    """Seconds from the update handed to the bridge to its reply arriving at the platform."""
    update_id = bridge.fake.send_text(chat_id, QUESTION)
    [sent] = bridge.fake.wait_for("sendMessage", chat_id, timeout=60)
    return float(sent.at - bridge.fake.delivered_at[update_id])


def direct(session: requests.Session, rasa_url: str, sender: str, channel: str) -> float:
    """Seconds for the assistant's REST channel to answer the same message."""
    started = time.monotonic()
    answer = session.post(
        f"{rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": QUESTION, "metadata": {"channel": channel}},
        timeout=60,
    )
    answer.raise_for_status()
    return time.monotonic() - started


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[int(0.9 * (len(ms) - 1))]
    return f"{name:<44} median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms   (n={len(ms)})"


def measure(
    channel: Channel, rasa_url: str, messages: int, log: Path, first_chat: int
) -> tuple[list[float], list[float]]:
    """(bridge times, direct times) for `messages` questions, each from a new chat, alternating."""
    bridge_times: list[float] = []
    direct_times: list[float] = []
    with channel.fake() as fake, requests.Session() as session:
        bridge = channel.start(fake, rasa_url, log, LOG_LEVEL="INFO")
        try:
            for i in range(WARM_UP + messages):
                bridge_time = through_bridge(bridge, channel.chat_id(first_chat + i))
                direct_time = direct(session, rasa_url, f"overhead-{first_chat}-{i}", channel.name)
                if i >= WARM_UP:
                    bridge_times.append(bridge_time)
                    direct_times.append(direct_time)
                time.sleep(PACE)
        finally:
            bridge.stop()
    return bridge_times, direct_times


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--channel", choices=sorted(CHANNELS), default="telegram")
    parser.add_argument("--rasa-url", default=Settings.from_env().rasa_url)
    parser.add_argument("--messages", type=int, default=100)
    args = parser.parse_args()
    channel = CHANNELS[args.channel]
    with tempfile.TemporaryDirectory() as tmp:
        urls: multiprocessing.Queue = multiprocessing.Queue()
        stand_in = multiprocessing.Process(target=serve_stand_in, args=(urls,), daemon=True)
        stand_in.start()
        try:
            stub_bridge, stub_direct = measure(
                channel, urls.get(timeout=30), args.messages, Path(tmp) / "stub.log", 10**7
            )
        finally:
            stand_in.terminate()
        print(f"{channel.name} bridge, stand-in assistant that answers at once:")
        print(summary("  update -> sendMessage through the bridge", stub_bridge))
        print(summary("  stand-in round trip, direct", stub_direct))
        try:
            requests.get(f"{args.rasa_url}/status", timeout=5).raise_for_status()
        except requests.RequestException:
            print(f"\nNo assistant at {args.rasa_url}: start it with `make run` for the real figures.")
            return 1
        real_bridge, real_direct = measure(
            channel, args.rasa_url, args.messages, Path(tmp) / "real.log", 2 * 10**7
        )
    print(f"{channel.name} bridge, real assistant at {args.rasa_url} ({QUESTION!r}):")
    print(summary("  update -> sendMessage through the bridge", real_bridge))
    print(summary("  assistant round trip, direct", real_direct))
    overhead = statistics.median(real_bridge) - statistics.median(real_direct)
    print(f"Bridge overhead per message (difference of medians): {overhead * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
