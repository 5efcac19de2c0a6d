"""Every button the answers make can be tapped: its payload passes the channels' forced-intent policy unchanged."""

from __future__ import annotations

from assistant.answering.common import COVERED_PROVINCES, Knowledge
from assistant.answering.dispatch import QUESTION_INTENTS, answer, build_question
from assistant.answering.feedback import with_feedback_buttons
from bot.inbound import user_text
from tests.answering.conftest import TODAY


def test_every_button_payload_may_be_forced(knowledge: Knowledge) -> None:
    kb = knowledge.kb
    # A few entries of every topic: the buttons differ by kind of answer, not by entry.
    names = [next(iter(e.names()))[1] for topic in kb.topics() for e in kb.entries(topic)[:3] if e.name_vi]
    questions = [("", [])]
    questions += [("", [{"entity": "province", "value": p}]) for p in COVERED_PROVINCES]
    questions += [(name, []) for name in names]
    payloads: set[str] = set()
    for intent in sorted(QUESTION_INTENTS | {"nlu_fallback"}):
        for language in ("vi", "en"):
            for text, entities in questions:
                question = build_question(knowledge, intent, text, entities, {"language": language}, TODAY)
                reply = with_feedback_buttons(knowledge, question, answer(knowledge, question))
                payloads |= {b["payload"] for m in reply.messages for b in m.buttons}
    assert len(payloads) > 50
    refused = sorted(p for p in payloads if user_text(p) != p)
    assert not refused, "add these intents or entity keys to bot/inbound.py: " + ", ".join(refused[:5])
