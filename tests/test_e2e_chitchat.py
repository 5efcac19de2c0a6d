"""End to end: the trained model in a real Rasa server with the real action server, over the REST channel."""

from __future__ import annotations

import pytest

from tests.conftest import Assistant

pytestmark = pytest.mark.e2e


def test_vietnamese_greeting(assistant: Assistant) -> None:
    replies = assistant.say("xin chào", sender="e2e-vi")
    assert replies[0]["text"].startswith("Xin chào!")
    assert [b["title"] for b in replies[0]["buttons"]] == [
        "Di sản, di tích",
        "Thống kê du lịch",
        "Dịch vụ công trực tuyến",
        "Chuyển đổi số",
    ]


def test_greeting_without_diacritics_is_answered_in_vietnamese(assistant: Assistant) -> None:
    assert assistant.texts("xin chao", sender="e2e-vi-plain")[0].startswith("Xin chào!")


def test_english_greeting(assistant: Assistant) -> None:
    assert assistant.texts("hello", sender="e2e-en")[0].startswith("Hello!")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("bạn là ai", "Tôi là trợ lý ảo"),
        ("are you a bot", "I am a virtual assistant"),
        ("bạn làm được gì", "Tôi trả lời từ cơ sở tri thức"),
        ("what can you do", "I can answer"),
        ("đặt vé máy bay cho tôi", "Xin lỗi, tôi chưa hỗ trợ việc này"),
        ("book me a hotel room", "Sorry, I can't help with that"),
        ("cam on ban", "Không có gì ạ!"),
        ("goodbye", "Goodbye"),
    ],
)
def test_chitchat_in_both_languages(assistant: Assistant, message: str, expected: str) -> None:
    assert expected in assistant.texts(message, sender=f"e2e-{message}")[0]


def test_topic_button_payload(assistant: Assistant) -> None:
    texts = assistant.texts('/choose_topic{"topic": "heritage"}', sender="e2e-topic")
    assert "di sản" in texts[0]


def test_action_server_is_up(assistant: Assistant) -> None:
    import requests

    assert requests.get(f"{assistant.action_url}/health", timeout=5).json() == {"status": "ok"}
