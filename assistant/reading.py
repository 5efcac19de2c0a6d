"""How a message is read before anything is looked up in it: folded, the abbreviations and fillers people type
written out (knowledge/language/abbreviations.yml), a province's name typed one letter off written out, and a
word one typo from the knowledge's words corrected.

The answering code reads every question this way (build_question); the NLU component reads every message
almost the same way at inference (rasa_ext/normalizer.py: greetings and thanks kept when nothing else is
said, being intents of their own), with the tables of the knowledge folder as they were when the model was loaded.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable

from assistant.kb.documents import read_documents
from assistant.kb.errors import KnowledgeError
from assistant.kb.index import RetrievalIndex
from assistant.kb.search import KnowledgeBase
from assistant.language import Language
from assistant.settings import get_settings
from assistant.text import detect_language, fold, without_possessives

logger = logging.getLogger(__name__)


def read_message(language: Language, index: RetrievalIndex, text: str) -> str:
    """`text` as the answering code reads it."""
    expanded = index.correct_places(language.expand(without_possessives(text)), language.abbreviations)
    return index.correct(expanded, detect_language(text))


# What makes the rest of a message a question once its greetings, thanks and fillers are dropped: a question
# mark, a Vietnamese question word anywhere (folded), an English one first, or a follow-up's opening ("hi, when
# was it built thanks" and "pls and in 2021 thanks" ask; "cảm ơn bạn đã giúp" and "thanks, it was great" do not).
_ASKS = re.compile(
    r"\?|\b(?:gi|j|nao|ai|dau|sao|may|bao nhieu|bao lau|khong|chua)\b"
    r"|^(?:what|when|where|who|whom|which|how|why|is|are|was|were|does|do|did|can|could|will|should)\b"
    r"|^(?:and|con|vay con|the con)\b"
)


def read_for_intent(language: Language, index: RetrievalIndex, text: str) -> str:
    """`text` as the NLU reads it: greetings and thanks are dropped only around a question (alone, or with
    words that ask nothing, they are intents of their own), and typos are corrected in Vietnamese only (an
    English word one letter from a Vietnamese syllable is not a typo)."""
    expanded = language.expand(text)
    if not _ASKS.search(expanded):
        expanded = language.expand(text, drop_fillers=False)
    expanded = index.correct_places(expanded, language.abbreviations)
    return expanded if detect_language(text) == "en" else index.correct(expanded)


@functools.lru_cache(maxsize=1)
def message_reader() -> Callable[[str], str]:
    """A reader with the tables and vocabulary of the knowledge folder (KNOWLEDGE_DIR), made once per process;
    only folding when the folder cannot be read, so that the NLU still works."""
    folder = get_settings().knowledge_dir
    try:
        kb = KnowledgeBase.from_dir(folder)
        documents = read_documents(folder)
        language = Language.from_dir(folder)
    except (KnowledgeError, OSError, ValueError) as error:
        logger.warning("reading messages without the knowledge folder's tables: %s", error)
        return fold
    index = RetrievalIndex(
        [e for topic in kb.topics() for e in kb.entries(topic)], documents, language.read_source
    )
    return lambda text: read_for_intent(language, index, text)
