"""Bad input every way in is tested with (issue #9): what a user may type, and what the assistant must receive.

Each case is (id, text, expected): expected is ("sent", text the assistant receives) or ("refused", key of the
channel's own wording in bot/messages.yml). The REST channel is not filtered for forced intents (the channels
send theirs through it); the other cases hold for it too.
"""

from __future__ import annotations

from typing import NamedTuple

from bot.inbound import MAX_MESSAGE_CHARS

TEN_KB = "Đại Nội ở đâu? " * 700  # 10,500 characters
ONE_MB = "x" * (1024 * 1024)


class Case(NamedTuple):
    id: str
    text: str
    outcome: str  # "sent" or "refused"
    expected: str  # what the assistant receives, or the refusal's key


CASES = [
    Case("empty", "", "refused", "empty"),
    Case("whitespace", "  \n\t  ", "refused", "empty"),
    Case("zero-width-only", "\u200b\u200b\ufeff", "refused", "empty"),
    Case("just-a-slash", "/", "refused", "empty"),
    Case("10kb", TEN_KB, "refused", "too_long"),
    Case("one-over", "a" * (MAX_MESSAGE_CHARS + 1), "refused", "too_long"),
    Case("control-chars", "Đại\x00 Nội\x07 ở đâu?\x1b", "sent", "Đại Nội ở đâu?"),
    Case("zero-width", "Đại\u200b Nội\u200e ở\u202e đâu?", "sent", "Đại Nội ở đâu?"),
    Case("nfd", "Đa\u0323i Nô\u0323i ở đâu?", "sent", "Đại Nội ở đâu?"),
    Case("arabic", "أين تقع قلعة هوي؟", "sent", "أين تقع قلعة هوي؟"),
    Case("hebrew", "איפה נמצאת העיר הקיסרית?", "sent", "איפה נמצאת העיר הקיסרית?"),
    Case("emoji-only", "😀🏯👍🏽👨\u200d👩\u200d👧", "sent", "😀🏯👍🏽👨\u200d👩\u200d👧"),
    Case("sql", "'; DROP TABLE entries; --", "sent", "'; DROP TABLE entries; --"),
    Case("html", "<script>alert(1)</script>", "sent", "<script>alert(1)</script>"),
    Case("unknown-intent", "/no_such_intent", "sent", "no_such_intent"),
    Case("malformed-forced", "/ask_site_info{not json", "sent", "ask_site_info{not json"),
    Case("restart", "/restart", "sent", "restart"),
    Case(
        "other-entity",
        '/ask_site_info{"site": "x", "evil": "y"}',
        "sent",
        'ask_site_info{"site": "x", "evil": "y"}',
    ),
    Case("double-slash", "//greet", "sent", "greet"),
    Case(
        "button-payload", '/choose_topic{"topic": "heritage"}', "sent", '/choose_topic{"topic": "heritage"}'
    ),
    Case(
        "location",
        '/share_location{"latitude": 16.46, "longitude": 107.59}',
        "sent",
        '/share_location{"latitude": 16.46, "longitude": 107.59}',
    ),
]
