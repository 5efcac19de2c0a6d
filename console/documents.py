"""A source document pasted in the console: its text with title, source, date, provinces and licence, written
as knowledge/documents/<id>.md in the format of knowledge/README.md section 1.3."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.kb.documents import DATE_RE, DOCUMENTS_DIR
from assistant.kb.schema import PROVINCES
from assistant.text import words
from console.editing import KnowledgeFolder, Refused, Saved, valid_id

MAX_ID_CHARS = 80
LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class DocumentForm:
    """What the form says about a document."""

    id: str
    title: str
    source_title: str
    source_url: str
    date: str
    provinces: tuple[str, ...]
    language: str
    licence: str
    text: str

    @classmethod
    def read(cls, form: Mapping[str, str], provinces: Sequence[str]) -> DocumentForm:
        def value(name: str) -> str:
            return " ".join(form.get(name, "").split())

        title = value("title")
        return cls(
            id=value("id") or slug(title),
            title=title,
            source_title=value("source_title") or title,
            source_url=value("source_url"),
            date=value("date"),
            provinces=tuple(provinces),
            language=value("language") or "vi",
            licence=value("licence"),
            text=form.get("text", "").replace("\r\n", "\n").strip(),
        )


def slug(title: str) -> str:
    """An id made of the folded words of a title: 'Tuần lễ Chuyển đổi số' -> 'tuan-le-chuyen-doi-so'."""
    made = "-".join(w for w in words(title) if w.isascii() and w.isalnum())
    return made[:MAX_ID_CHARS].strip("-")


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def document_text(document: DocumentForm) -> str:
    """The file: front matter between two '---' lines, then the text as the source wrote it."""
    source = {"title": document.source_title, "url": document.source_url}
    source_text = ", ".join(f"{k}: {_quoted(v)}" for k, v in source.items() if v)
    date = document.date if DATE_RE.match(document.date) else _quoted(document.date)
    provinces = ", ".join(_quoted(p) for p in document.provinces)
    lines = [
        "---",
        f"title: {_quoted(document.title)}",
        f"source: {{{source_text}}}",
        f"date: {date}",
        f"provinces: [{provinces}]",
        f"language: {_quoted(document.language)}",
        f"licence: {_quoted(document.licence)}",
        "---",
        document.text,
        "",
    ]
    return "\n".join(lines)


def save_document(folder: KnowledgeFolder, document: DocumentForm) -> Saved:
    """Write the document if its id is an id and the knowledge stays valid with it; Refused otherwise."""
    if not valid_id(document.id):
        raise Refused("bad_id")
    if any(p not in PROVINCES for p in document.provinces):
        raise Refused("bad_province")
    documents = (folder.folder / DOCUMENTS_DIR).resolve()

    def check(path: Path) -> None:
        if path.resolve().parent != documents or path.suffix != ".md":
            raise Refused("bad_id")

    return folder.save_file(f"{DOCUMENTS_DIR}/{document.id}.md", document_text(document), check)
