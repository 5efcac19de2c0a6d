"""Messages that ask two or three things at once: split into parts, each answered, one reply for all.

"Hội An được UNESCO công nhận năm nào, thuộc tỉnh nào?" is two questions; the second names no subject and
takes the first one's (the context carries over from part to part, as between two messages). A message is
split only where each side asks something on its own (a question word on both sides), so "Quảng Nam và Quảng
Ngãi có bao nhiêu di tích?" stays one question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from assistant.answering.common import Knowledge
from assistant.answering.dispatch import build_question, respond
from assistant.answering.evidence import SUBJECT_SLOTS
from assistant.answering.model import CONTEXT_SLOTS, Reply
from assistant.text import fold

MAX_PARTS = 3
MIN_PART_WORDS = 2
# Where a message may be cut (folded text): after a question mark or a semicolon, before a comma, "và", "còn",
# "and", "also".
_CUT = re.compile(
    r"(?<=[?;])\s+|,\s*(?:(?:và|va|còn|con|and)\s+)?|\s+(?:và|va|còn|con|and|also)\s+", re.IGNORECASE
)
# Words that ask (folded, whole words): each part must have one.
_ASKING = re.compile(
    r"\b(?:nao|bao nhieu|ai|gi|dau|may|bao xa|bao lau|khi nao|luc nao|the nao|sao|khong|chua|"
    r"which|what|when|where|who|how|whom|whose|is|are|was|were|did|does|do)\b"
)


def split_parts(text: str) -> list[str]:
    """The questions of a message, in order (the message itself when it asks one thing)."""
    pieces = [p.strip(" ,;") for p in _CUT.split(text) if p and p.strip(" ,;")]
    parts: list[str] = []
    for piece in pieces:
        asks = bool(_ASKING.search(fold(piece)))
        if parts and (not asks or len(piece.split()) < MIN_PART_WORDS or not _ASKING.search(fold(parts[-1]))):
            parts[-1] = f"{parts[-1]}, {piece}"  # not a question of its own: it belongs to the one before
        else:
            parts.append(piece)
    if len(parts) > MAX_PARTS:
        parts = [*parts[: MAX_PARTS - 1], ", ".join(parts[MAX_PARTS - 1 :])]
    return parts if len(parts) > 1 else [text]


Parsed = tuple[str, Sequence[dict[str, Any]]]  # (intent, entities) of one part, as the NLU read it


def respond_parts(
    knowledge: Knowledge,
    parts: Iterable[tuple[str, Parsed]],
    slots: dict[str, Any],
    today: date,
) -> Reply:
    """One reply that answers each part in turn; a part takes the context the parts before it left."""
    context = dict(slots)
    merged = Reply()
    answered_any = False
    named: dict[str, list[str]] = {}
    places: list[str] = []
    for text, (intent, entities) in parts:
        question = build_question(knowledge, intent, text, entities, context, today)
        own = {t: ids for t, ids in question.mentioned.items() if ids and t != "provinces"}
        if not own and named:
            # A part that names nothing is about what the part before named ("Châu bản triều Nguyễn gồm bao
            # nhiêu văn bản, được UNESCO ghi danh năm nào?"), when that part's answer did not keep it.
            question = replace(question, mentioned={**question.mentioned, **named})
        if question.mentioned.get("provinces"):
            places = question.mentioned["provinces"]
        elif places:
            # ... and of the province the part before named ("Huế có bao nhiêu bảo vật quốc gia và bao nhiêu
            # di sản được UNESCO công nhận?").
            question = replace(question, mentioned={**question.mentioned, "provinces": places})
        reply = respond(knowledge, question)
        # The next part takes this one's subject from the conversation when the answer kept it; else by name.
        kept = any(reply.slots.get(slot) for slot in SUBJECT_SLOTS)
        named = {} if kept else own or named
        # A part answered by what an earlier part's reply already says ("… hợp nhất với địa phương nào, chính
        # quyền mới hoạt động từ ngày nào?": one entry says both) is not said twice.
        merged.messages += [m for m in reply.messages if m not in merged.messages]
        merged.slots.update(reply.slots)
        context.update({k: v for k, v in reply.slots.items() if k in CONTEXT_SLOTS})
        merged.entry = merged.entry or reply.entry
        answered_any = answered_any or reply.answered
    merged.answered = answered_any
    return merged
