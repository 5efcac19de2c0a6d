"""The channels' own wording, read from bot/messages.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

MESSAGES_FILE = Path(__file__).with_name("messages.yml")


@lru_cache(maxsize=1)
def _messages() -> dict[str, dict[str, str]]:
    with MESSAGES_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def message(key: str, language: str = "vi", **values: object) -> str:
    """The channel message `key` in `language` ('vi' or 'en'), with `values` filled in."""
    texts = _messages()[key]
    return texts.get(language, texts["vi"]).format(**values)
