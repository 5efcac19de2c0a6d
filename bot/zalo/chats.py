"""What the Zalo bridge keeps per chat: the language it writes in, the numbered choices last offered, and the
queue that keeps its messages in order.

Zalo has no buttons: the bridge lists the assistant's choices by number and the user replies with one ("2",
"2.", "số 2", "chọn 2", "option 2"). The choices hold until the bridge's next answer to the chat replaces them,
and for at most ZALO_CHOICE_SECONDS. Zalo tells nothing of a user's language either: the chat's is the one its
latest message was written in (assistant.text.detect_language), Vietnamese until one says otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from assistant.text import detect_language, fold
from bot.replies import Button
from bot.zalo.api import Update

logger = logging.getLogger(__name__)

# A reply that picks a numbered choice: the number alone, or after a word that says so, folded (no marks).
_PICK = re.compile(r"(?:(?:so|chon|lua chon|option|choice|choose|number)\s*)?(\d{1,2})\s*[.)]?")
# Chats remembered at most (the least recently active are forgotten first).
MAX_CHATS = 10_000


def picked_number(text: str) -> int | None:
    """The number `text` picks ("2", "2.", "số 2", "chọn 2"), or None when it is not such a reply."""
    match = _PICK.fullmatch(fold(text).strip())
    return int(match.group(1)) if match else None


@dataclass
class _Chat:
    language: str | None = None
    choices: tuple[Button, ...] = ()
    offered_at: float = 0.0


class Chats:
    """Each chat's language and current choices; the least recently active chats are forgotten first."""

    def __init__(
        self, choice_seconds: float, size: int = MAX_CHATS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._choice_seconds = choice_seconds
        self._size = size
        self._clock = clock
        self._chats: OrderedDict[str, _Chat] = OrderedDict()

    def _chat(self, chat_id: str) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat()
            while len(self._chats) > self._size:
                self._chats.popitem(last=False)
        self._chats.move_to_end(chat_id)
        return chat

    def language(self, chat_id: str) -> str:
        """The language the chat writes in ('vi' until a message says otherwise)."""
        chat = self._chats.get(chat_id)
        return chat.language if chat and chat.language else "vi"

    def known_language(self, chat_id: str) -> str | None:
        """The chat's language when one of its messages told it."""
        chat = self._chats.get(chat_id)
        return chat.language if chat else None

    def heard(self, chat_id: str, text: str) -> None:
        """Note the language of the chat's new message, when it tells."""
        language = detect_language(text)
        if language:
            self._chat(chat_id).language = language

    def offer(self, chat_id: str, choices: Sequence[Button]) -> None:
        """The choices the bridge's newest answer offers (none: the earlier ones no longer hold)."""
        chat = self._chat(chat_id)
        chat.choices, chat.offered_at = tuple(choices), self._clock()

    def choices(self, chat_id: str) -> tuple[Button, ...]:
        """The chat's current choices; none once they expired."""
        chat = self._chats.get(chat_id)
        if chat is None or not chat.choices:
            return ()
        if self._clock() - chat.offered_at > self._choice_seconds:
            chat.choices = ()
        return chat.choices


class ChatQueues:
    """Handles each chat's updates one after the other, in the order they came, and different chats at once.

    A chat with updates waiting has one worker task; it ends when the chat's queue is empty.
    """

    def __init__(self, handle: Callable[[Update], Awaitable[None]]) -> None:
        self._handle = handle
        self._queues: dict[str, deque[Update]] = {}
        self._workers: set[asyncio.Task[None]] = set()

    def put(self, update: Update) -> None:
        """Queue `update` behind the earlier ones of its chat."""
        chat_id = update.chat_id
        queue = self._queues.get(chat_id)
        if queue is not None:
            queue.append(update)
            return
        self._queues[chat_id] = deque([update])
        worker = asyncio.create_task(self._work(chat_id), name=f"zalo-chat-{chat_id}")
        self._workers.add(worker)
        worker.add_done_callback(self._workers.discard)

    async def _work(self, chat_id: str) -> None:
        queue = self._queues[chat_id]
        while queue:
            update = queue.popleft()
            try:
                await self._handle(update)
            except Exception:  # one update's failure must not stop the chat's next ones
                logger.exception("an update of chat %s failed", chat_id)
        del self._queues[chat_id]  # no await since the queue was found empty: nothing was added meanwhile

    async def close(self, grace: float) -> None:
        """Let the updates being handled finish for up to `grace` seconds, then cancel the rest."""
        if self._workers:
            _, pending = await asyncio.wait(set(self._workers), timeout=grace)
            for worker in pending:
                worker.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
