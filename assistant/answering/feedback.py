"""The 'helpful / not right' buttons added under an answer that came from a knowledge entry."""

from __future__ import annotations

from assistant.answering.common import Knowledge, button
from assistant.answering.model import Question, Reply

FEEDBACK_VALUES = ("helpful", "wrong")


def with_feedback_buttons(knowledge: Knowledge, question: Question, reply: Reply) -> Reply:
    """Add the two feedback buttons to the last message of an answer that names its entry."""
    if not reply.answered or not reply.entry or not reply.messages:
        return reply
    last = reply.messages[-1]
    last.buttons = [
        *last.buttons,
        *(
            button(
                knowledge.wording.say(f"buttons.{value}", question.language),
                "feedback",
                feedback_value=value,
                feedback_entry=reply.entry,
            )
            for value in FEEDBACK_VALUES
        ),
    ]
    return reply
