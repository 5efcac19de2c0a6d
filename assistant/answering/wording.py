"""The frame sentences of knowledge answers (knowledge/wording/answers.yml) and number and date formats."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assistant.kb.documents import document_date_text
from assistant.kb.schema import WORDING_FILE
from assistant.text import LANGUAGES
from assistant.yamlfile import safe_load


class WordingError(Exception):
    """The wording file is missing a sentence, a language or a placeholder."""


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def check_wording(data: Any, path: str) -> list[str]:
    """Problems of a wording mapping: every leaf needs vi and en with the same placeholders."""
    problems: list[str] = []

    def walk(node: Any, where: str) -> None:
        if not isinstance(node, Mapping):
            problems.append(f"{path}: '{where}' must be a mapping")
            return
        if set(node) & set(LANGUAGES):
            missing = [lang for lang in LANGUAGES if not isinstance(node.get(lang), str)]
            if missing:
                problems.append(f"{path}: '{where}' has no text for {', '.join(missing)}")
            elif _placeholders(node["vi"]) != _placeholders(node["en"]):
                problems.append(f"{path}: '{where}' has different {{placeholders}} in vi and en")
            return
        for key, child in node.items():
            walk(child, f"{where}.{key}" if where else str(key))

    walk(data, "")
    return problems


@dataclass(frozen=True)
class Wording:
    """Sentences by key and language."""

    sentences: Mapping[str, Any]

    @classmethod
    def from_dir(cls, knowledge_dir: Path) -> Wording:
        """Read and check knowledge_dir/wording/answers.yml."""
        path = knowledge_dir / WORDING_FILE
        with path.open(encoding="utf-8") as handle:
            data = safe_load(handle.read())
        problems = check_wording(data, str(path))
        if problems:
            raise WordingError("; ".join(problems))
        return cls(data)

    def say(self, key: str, language: str, **values: Any) -> str:
        """The sentence `key` (a dotted path like 'units.visits') in `language`, filled with `values`."""
        node: Any = self.sentences
        for part in key.split("."):
            node = node[part]
        return str(node[language if language in LANGUAGES else "vi"]).format(**values)

    def keys(self, key: str) -> list[str]:
        """The keys under a group of sentences ('units' -> ['visits', ...]); [] when there is none."""
        node = self.sentences.get(key)
        return [str(k) for k in node] if isinstance(node, Mapping) else []

    def has(self, key: str) -> bool:
        """True when the wording has a sentence at `key`."""
        node: Any = self.sentences
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return False
            node = node[part]
        return True


def format_number(value: float | int, language: str) -> str:
    """650000 -> '650.000' (vi) or '650,000' (en); 234.9 -> '234,9' (vi) or '234.9' (en)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = f"{value:,}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if language == "vi":
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_date(value: str | date, language: str) -> str:
    """'2023-09-28' -> '28/09/2023' (vi) or '28 September 2023' (en): as people write dates in each language;
    a date a source gives only as a month or a year ('2022-10', '2022') stays a month or a year."""
    return document_date_text(value.isoformat() if isinstance(value, date) else str(value), language)
