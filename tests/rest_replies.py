"""What the assistant sends a channel for an answer: the Reply of the answering code passed through Rasa's own
REST output channel, as action_answer utters it (for channel tests that need no trained model)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel

from assistant.answering.common import Knowledge
from assistant.answering.dispatch import answer, build_question
from assistant.answering.model import Reply
from assistant.settings import PROJECT_ROOT, Settings
from assistant.state import KnowledgeState


def rest_replies(reply: Reply) -> list[dict[str, Any]]:
    """The REST channel's replies for the messages of `reply` (text, buttons, custom, image as Rasa splits them)."""
    channel = CollectingOutputChannel()

    async def utter() -> None:
        for m in reply.messages:
            message = {"text": m.text, "buttons": m.buttons, "custom": m.custom, "image": m.image}
            await channel.send_response("tester", {k: v for k, v in message.items() if v})

    asyncio.run(utter())
    return [{k: v for k, v in m.items() if k != "recipient_id" and v is not None} for m in channel.messages]


def replies_to(
    knowledge: Knowledge, intent: str, text: str, language: str = "vi", today: date = date(2026, 11, 23)
) -> list[dict[str, Any]]:
    """The REST replies of the answer to `text` classified as `intent`."""
    question = build_question(knowledge, intent, text, [], {"language": language}, today)
    return rest_replies(answer(knowledge, question))


def project_knowledge(tmp: Path) -> Knowledge:
    """The project's knowledge/, loaded into a SQLite database under `tmp`."""
    settings = dataclasses.replace(
        Settings.from_env(),
        knowledge_dir=PROJECT_ROOT / "knowledge",
        database_url=f"sqlite:///{tmp / 'knowledge.db'}",
    )
    return KnowledgeState(settings).current()
