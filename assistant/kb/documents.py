"""Source documents: the texts the curated facts come from (knowledge/documents/*.md), split into passages.

A document is a Markdown file whose YAML front matter says what it is, followed by its text as the source
wrote it:

    ---
    title: Tuần lễ Chuyển đổi số Quảng Ngãi 2023
    source: {title: "Tuần lễ Chuyển đổi số Quảng Ngãi 2023 (bài báo)", seed: 000_83f1f0376246b7e0.txt}
    date: 2023            # the date the source states: YYYY-MM-DD, YYYY-MM or YYYY
    provinces: [quang-ngai]
    language: vi
    licence: "Bài báo, trích dẫn có ghi nguồn (quoted with attribution)"
    ---
    Tuần lễ Chuyển đổi số Quảng Ngãi 2023 diễn ra từ ngày ...

The text is split into passages: each line is a paragraph, each paragraph is split into sentences; a passage
keeps its document, its line in the file and the heading above it (a short line without a full stop).
Answers quote passages exactly as written. The validator (assistant/kb/validate.py) checks the front matter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.text import MONTHS_EN
from assistant.yamlfile import safe_load

DOCUMENTS_DIR = "documents"
FRONT_MATTER = "---"
DATE_RE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?\Z")
# A sentence ends with . ! ? or … followed by a space and a capital letter, a digit or an opening mark; not
# after a short capitalised abbreviation ("TP. Huế", "TS. Nguyễn").
_SENTENCE_END = re.compile(
    r"(?<=[.!?…])\s+(?=[\"“(\[0-9A-ZÀ-ỸĐ])"
    # ... or, where the space was lost ("họp trực tuyến.Ông Đỗ …"), a word's end and a capitalised word
    r"|(?<=[a-zà-ỹđ][a-zà-ỹđ][.!?…])(?=[A-ZÀ-ỸĐ][a-zà-ỹđ])"
)
_ABBREVIATION = re.compile(r"(?:^|\s)[A-ZĐ][A-Za-zđ]{0,3}\.$")
HEADING_MAX_CHARS = 90
MIN_PASSAGE_CHARS = 12
# "… nhờ 05 điểm: 1. Sự quan tâm …; 2. Triển khai …": a list's item number ends no sentence; the items stay with
# what they list.
_ITEM_NUMBER = re.compile(r"(?:^|[\s:;,])\d{1,2}\.$")
# A report's section number: "I.", "II.", "2.", "a)".
_OUTLINE_NUMBER = re.compile(r"(?:[IVX]{1,4}|\d{1,2}|[a-zđ])[.)]\s")
# "Ông X, Giám đốc Y nói: …": who speaks, whose words run on to the end of the paragraph.
_SPEAKER = re.compile(
    r"^(?P<who>[^:]{3,160}?)\s+(?:nói|cho biết|cho rằng|chia sẻ|nhấn mạnh|khẳng định|phát biểu|bày tỏ|said|says"
    r"|stated)\s*:",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Passage:
    """One sentence (or short paragraph) of a document, as the source wrote it."""

    document: str  # the document's id (its file name without .md)
    number: int  # its place in the document, from 0
    line: int  # its line in the file
    text: str
    heading: str = ""  # the heading above it, if any
    speaker: str = ""  # who says it, when it is part of a quote that an earlier sentence introduced

    @property
    def ref(self) -> str:
        return f"{self.document}#{self.number}"


@dataclass(frozen=True)
class Document:
    """A source document: what it is (front matter) and its passages."""

    id: str
    title: str
    source: Mapping[str, Any]
    date: str
    provinces: tuple[str, ...]
    language: str
    licence: str
    file: str
    passages: tuple[Passage, ...]


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line of the body's first line) of a document's text; None without front matter."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER:
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() == FRONT_MATTER:
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    return None


def _is_heading(line: str) -> bool:
    return len(line) <= HEADING_MAX_CHARS and not line.rstrip().endswith((".", ":", ";", ",", "!", "?"))


def _sentences(line: str) -> list[str]:
    found, start = [], 0
    for match in _SENTENCE_END.finditer(line):
        if _ABBREVIATION.search(line[start : match.start()]) or _ITEM_NUMBER.search(
            line[start : match.start()]
        ):
            continue
        found.append(line[start : match.start()].strip())
        start = match.end()
    found.append(line[start:].strip())
    return found


def passages(document_id: str, body: str, first_line: int) -> tuple[Passage, ...]:
    """The passages of a document's body, in order."""
    found: list[Passage] = []
    heading = ""
    for offset, raw in enumerate(body.split("\n")):
        line = " ".join(unicodedata.normalize("NFC", raw).split())
        line = line.lstrip("-•*+ ").strip()
        if not line:
            continue
        if _is_heading(line) and len(line.split()) <= 14:
            # A section's number orders the document; it is not what the section is about ("3." is no "thứ ba").
            heading = _OUTLINE_NUMBER.sub("", line, count=1) if _OUTLINE_NUMBER.match(line) else line
            if len(line) < MIN_PASSAGE_CHARS or _OUTLINE_NUMBER.match(line):
                continue  # a numbered section's title ("2. Nội dung tham luận") says what follows, no fact
        speaker = ""
        for sentence in _sentences(line):
            if len(sentence) >= MIN_PASSAGE_CHARS:
                number = len(found)
                found.append(Passage(document_id, number, first_line + offset, sentence, heading, speaker))
            introduced = _SPEAKER.match(sentence)
            if introduced:
                speaker = introduced.group("who")
    return tuple(found)


def document_date_text(date: str, language: str) -> str:
    """'28/09/2023', '10/2023' or '2023' (Vietnamese); '28 September 2023', 'October 2023' or '2023' (English)."""
    parts = date.split("-")
    if language == "en":
        if len(parts) == 3:
            return f"{int(parts[2])} {MONTHS_EN[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{MONTHS_EN[int(parts[1]) - 1]} {parts[0]}"
        return parts[0]
    return "/".join(reversed(parts))


def read_document(path: Path) -> Document | None:
    """The document of a file that the validator accepted (None when it has no front matter)."""
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8-sig"))
    parts = split_front_matter(text)
    if parts is None:
        return None
    front, body, first_line = parts
    meta = safe_load(front) or {}
    provinces = meta.get("provinces") or []
    return Document(
        id=path.stem,
        title=str(meta.get("title", "")),
        source=dict(meta.get("source") or {}),
        date=str(meta.get("date", "")),
        provinces=tuple(str(p) for p in provinces),
        language=str(meta.get("language", "vi")),
        licence=str(meta.get("licence", "")),
        file=f"{DOCUMENTS_DIR}/{path.name}",
        passages=passages(path.stem, body, first_line),
    )


def document_files(knowledge_dir: Path) -> list[Path]:
    """The document files of a knowledge folder, by name."""
    folder = knowledge_dir / DOCUMENTS_DIR
    return sorted(p for p in folder.glob("*.md") if p.is_file()) if folder.is_dir() else []


def read_documents(knowledge_dir: Path) -> tuple[Document, ...]:
    """Every document of a (valid) knowledge folder."""
    documents = (read_document(path) for path in document_files(knowledge_dir))
    return tuple(d for d in documents if d is not None)
