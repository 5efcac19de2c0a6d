"""Channel parity: one conversation played on the web widget's API, on Telegram and on Zalo (fake platforms,
the real assistant) brings back the same facts on each.

Each channel shows an answer its own way (the widget gets the replies as JSON, Telegram escaped HTML with an
inline keyboard, Zalo plain text with numbered choices), so what is compared is what the user learns: the
figures, years and dates of the answer's text. Every one the web widget shows must come back on Telegram and on
Zalo, and the facts the question asks for must be among them.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tests.bridges import Bridge
from tests.conftest import Assistant
from tests.telegram.conftest import start_bridge as start_telegram
from tests.telegram.fake_telegram import FakeTelegram
from tests.zalo.conftest import start_bridge as start_zalo
from tests.zalo.fake_zalo import FakeZalo

pytestmark = pytest.mark.e2e

# (message, facts its answer must give), one conversation: the follow-up leans on the question before it.
CONVERSATION = [
    ("Phố cổ Hội An được UNESCO công nhận năm nào?", ["1999"]),
    ("Quảng Ngãi đón bao nhiêu khách du lịch năm 2022?", ["650.000"]),
    ("Còn khách quốc tế thì sao?", ["11.000"]),
    ("Tuần lễ chuyển đổi số Quảng Ngãi 2023 diễn ra khi nào?", ["28/09/2023", "02/10/2023"]),
    ("When was Hoi An Ancient Town recognised by UNESCO?", ["1999"]),
]
FIGURE = re.compile(r"\d+(?:[.,/]\d+)*")

Channel = Callable[[str], str]


def figures(text: str) -> set[str]:
    """The numbers, years and dates in `text`."""
    return set(FIGURE.findall(text))


def settled(read: Callable[[], list[str]], count: int) -> list[str]:
    """What `read` gives once it holds at least `count` items and no more come."""
    deadline = time.monotonic() + 60
    seen = -1
    while time.monotonic() < deadline:
        current = len(read())
        if current >= count and current == seen:
            return read()
        seen = current
        time.sleep(0.5)
    raise AssertionError(f"fewer than {count} messages in 60 s: {read()}")


@pytest.fixture(scope="module")
def web(assistant: Assistant) -> Channel:
    session = requests.post(f"{assistant.web_url}/api/session", timeout=10).json()["session"]

    def say(text: str) -> str:
        answer = requests.post(
            f"{assistant.web_url}/api/message",
            json={"text": text},
            headers={"Authorization": f"Bearer {session}"},
            timeout=60,
        )
        answer.raise_for_status()
        replies: list[dict[str, Any]] = answer.json()["replies"]
        return "\n\n".join(str(r["text"]) for r in replies if r.get("text"))

    return say


@pytest.fixture(scope="module")
def telegram(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Channel]:
    with FakeTelegram() as fake:
        bridge: Bridge = start_telegram(
            fake, assistant.rasa_url, tmp_path_factory.mktemp("parity") / "tg.log"
        )

        def say(text: str) -> str:
            def texts() -> list[str]:
                return [html.unescape(c.text) for c in fake.recorded("sendMessage", 4242)]

            before = len(texts())
            fake.send_text(4242, text)
            return "\n\n".join(settled(texts, before + 1)[before:])

        try:
            yield say
        finally:
            bridge.stop()


@pytest.fixture(scope="module")
def zalo(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Channel]:
    with FakeZalo() as fake:
        log = tmp_path_factory.mktemp("parity") / "zalo.log"
        bridge = start_zalo(fake, assistant.rasa_url, log, PUBLIC_BASE_URL=assistant.web_url)

        def say(text: str) -> str:
            before = len(fake.texts("parity"))
            fake.send_text("parity", text)
            return "\n\n".join(settled(lambda: fake.texts("parity"), before + 1)[before:])

        try:
            yield say
        finally:
            bridge.stop()


def test_the_same_conversation_brings_the_same_facts_on_every_channel(
    web: Channel, telegram: Channel, zalo: Channel
) -> None:
    for text, facts in CONVERSATION:
        answers = {"web": web(text), "telegram": telegram(text), "zalo": zalo(text)}
        for channel, answer in answers.items():
            for fact in facts:
                assert fact in answer, f"{channel} did not say {fact} to {text!r}: {answer}"
        shown = figures(answers["web"])
        for channel in ("telegram", "zalo"):
            missing = shown - figures(answers[channel])
            assert not missing, f"{channel} lacks {missing} in its answer to {text!r}: {answers[channel]}"
