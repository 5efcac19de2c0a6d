"""A Rasa NLU component that folds Vietnamese diacritics before tokenisation and tags the message's language.

Residents often type Vietnamese without diacritics ("dai noi hue o dau"). Folding training data and incoming
messages to one form ("đại nội huế" -> "dai noi hue") lets every later component see one vocabulary, so a
question scores the same with or without marks. Folding keeps the length of NFC text, so entity offsets of the
training data stay valid. At inference the component also adds a `language` entity ('vi' or 'en') when the
text says which, which fills the `language` slot that response variations and actions read.

At inference, a message is also read as the answering code reads it (assistant.reading): the abbreviations
and fillers people type written out ("qngai" -> "quang ngai", "ad ơi ... ạ" dropped) and a word one typo from
the knowledge's words corrected, so the intent is recognised from what was meant. Training data is only
folded (its entity offsets must stay valid). The tables are read from the knowledge folder when the model is
loaded: a change to them reaches the NLU at the next restart.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.reading import message_reader
from assistant.text import detect_language, fold

LANGUAGE_ENTITY = "language"
# The user's own words, kept beside the folded text (actions quote and log them).
ORIGINAL_TEXT = "original_text"
EXTRACTOR_NAME = "VietnameseNormalizer"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class VietnameseNormalizer(GraphComponent):
    """Folds diacritics and case of the message text; adds the detected language as an entity."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        self._reader: Callable[[str], str] | None = None

    def _read(self, text: str) -> str:
        """The text as the answering code reads it (folded when the knowledge folder cannot be read)."""
        if self._reader is None:
            self._reader = message_reader()
        return self._reader(text)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseNormalizer:
        """Create the component (it has no state to train)."""
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Fold every training example and the entity values taken verbatim from its text."""
        for example in training_data.training_examples:
            text = example.get(TEXT)
            if not text:
                continue
            text = unicodedata.normalize("NFC", text)
            folded = fold(text)
            for entity in example.get(ENTITIES) or []:
                if entity.get("value") == text[entity["start"] : entity["end"]]:
                    entity["value"] = folded[entity["start"] : entity["end"]]
            example.set(TEXT, folded)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Fold each incoming message and tag its language."""
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            language = detect_language(text)
            message.set(ORIGINAL_TEXT, text, add_to_output=True)
            # A forced intent ("/greet{...}", what buttons send) is only folded: its name and JSON must stay.
            message.set(TEXT, fold(text) if text.lstrip().startswith("/") else self._read(text))
            if language:
                entity = {
                    "entity": LANGUAGE_ENTITY,
                    "value": language,
                    "start": 0,
                    "end": 0,
                    "extractor": EXTRACTOR_NAME,
                }
                message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages
