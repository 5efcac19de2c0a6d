"""The console's own wording, Vietnamese first, read from console/messages.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

MESSAGES_FILE = Path(__file__).with_name("messages.yml")
LANGUAGES = ("vi", "en")


@lru_cache(maxsize=1)
def _messages() -> dict[str, dict[str, str]]:
    with MESSAGES_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def say(key: str, language: str = "vi", /, **values: object) -> str:
    """The sentence `key` in `language` ('vi' or 'en'), with `values` filled in."""
    texts = _messages()[key]
    text = texts.get(language) or texts["vi"]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in _messages()
