"""Errors of the knowledge base and the problems the validator reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a knowledge file, shown as `file:line: message`."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class KnowledgeError(Exception):
    """Base class of every error raised by the knowledge-base code."""


class ValidationFailed(KnowledgeError):
    """The knowledge files have problems, so they may not be loaded."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        first = f": {self.problems[0]}" if self.problems else ""
        super().__init__(f"{count} problem(s) in the knowledge files{first}")


class LoadError(KnowledgeError):
    """The knowledge could not be written to the database."""


class UnknownTopic(KnowledgeError, KeyError):
    """A topic that is not in schema.TOPIC_FIELDS."""

    def __str__(self) -> str:
        return f"unknown topic {self.args[0]!r}" if self.args else "unknown topic"


class UnknownField(KnowledgeError, ValueError):
    """A filter on a field that the topic does not have."""
