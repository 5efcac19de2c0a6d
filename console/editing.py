"""Edit a knowledge entry from a form: the form's fields come from the schema, the change is written back into
its YAML file keeping comments, order and style (ruamel.yaml round trip), and only after the validator of
`make kb-check` accepted a copy of the folder holding the change; the file is replaced atomically.

A form field is named by its path in the entry: `name.vi`, `source.url`, `coordinates.source.title`. Text
fields are a vi and an en input, lists one item per line, lists of records a small YAML text. A value the
form cannot turn into its type is written as typed, so that the validator's own message says what is wrong.
A value left as it was keeps its node untouched (its quotes, folding and comments).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    ScalarString,
)

from assistant.kb import schema
from assistant.kb.entry import Entry
from assistant.kb.errors import Problem
from assistant.kb.validate import DATE_RE, ID_RE, THOUSANDS_RE, parse_spec, validate_dir
from assistant.state import folder_signature
from assistant.text import fold


class _Missing:
    """A field the form leaves empty (an optional field is then removed from the entry)."""


MISSING = _Missing()
FOLD_AT = 100  # a longer text in a block mapping is written folded (>-), lines of about this length
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]+\Z")
_YEAR = re.compile(r"[0-9]{4}\Z")


def round_trip() -> YAML:
    """A ruamel.yaml round trip that writes the knowledge files back exactly as they are read."""
    handler = YAML(typ="rt")
    handler.preserve_quotes = True  # type: ignore[assignment]  # ruamel declares it None
    handler.width = 4096  # type: ignore[assignment]
    handler.indent(mapping=2, sequence=4, offset=2)
    return handler


def dump(data: Any) -> str:
    out = io.StringIO()
    round_trip().dump(data, out)
    return out.getvalue()


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------------------------ the fields


def entry_fields(topic: str) -> dict[str, str]:
    """The fields of an entry of `topic` in the order the files write them: names, the topic's own fields, then
    where it comes from."""
    common = schema.COMMON_FIELDS
    head = ("id", "name", "aliases", "province")
    fields = {name: common[name] for name in head}
    fields.update(schema.TOPIC_FIELDS[topic])
    fields.update({name: spec for name, spec in common.items() if name not in head})
    return fields


def sub_fields(spec_text: str) -> dict[str, str] | None:
    """The fields of a record-like spec (source, record:<name>), else None."""
    spec = parse_spec(spec_text)
    if spec.kind == "source":
        return schema.SOURCE_FIELDS
    if spec.kind == "record":
        return schema.RECORDS[spec.arg]
    return None


def plain(value: Any) -> Any:
    """A comparable plain copy of YAML data: mappings, lists, str, int, float, bool; dates as ISO text."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


# ------------------------------------------------------------------------------------ values <-> form text


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def records_text(value: Any) -> str:
    """A list of records as the YAML a person edits in a text area."""
    if value is None or value is MISSING:
        return ""
    copy = CommentedSeq(value) if not isinstance(value, CommentedSeq) else value
    return dump(copy)


def form_text(value: Any, spec_text: str) -> str:
    """The text an input shows for a scalar or a list of strings."""
    spec = parse_spec(spec_text)
    if value is None or value is MISSING:
        return ""
    if spec.kind in ("strlist", "idlist"):
        return "\n".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
    if spec.kind == "list":
        return records_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class FormProblem(Exception):
    """A form value that cannot be read at all (the YAML of a list of records)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"field '{path}': {message}")
        self.path = path


def _scalar(raw: str, kind: str) -> Any:
    if kind == "int":
        return int(raw) if _INT.match(raw) else raw
    if kind in ("number", "degrees"):
        if _INT.match(raw):
            return int(raw)
        if _FLOAT.match(raw) and not (kind == "number" and THOUSANDS_RE.match(raw)):
            return float(raw)
        return raw
    if kind == "bool":
        return {"true": True, "false": False}.get(raw.lower(), raw)
    if kind in ("date", "when"):
        if DATE_RE.match(raw):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                return raw
        if kind == "when" and _YEAR.match(raw):
            return int(raw)
    return raw


def read_value(form: Mapping[str, str], path: str, spec_text: str) -> Any:
    """The value of the field at `path` from the submitted form, or MISSING when it is left empty."""
    spec = parse_spec(spec_text)
    fields = sub_fields(spec_text)
    if fields is not None:
        record = {name: read_value(form, f"{path}.{name}", sub) for name, sub in fields.items()}
        kept = {name: value for name, value in record.items() if value is not MISSING}
        return kept or MISSING
    if spec.kind in ("text", "textlist"):
        parts: dict[str, Any] = {}
        for language in ("vi", "en"):
            raw = form.get(f"{path}.{language}", "")
            parts[language] = _lines(raw) if spec.kind == "textlist" else " ".join(raw.split())
        return parts if any(parts.values()) else MISSING
    raw = form.get(path, "")
    if spec.kind in ("strlist", "idlist"):
        return _lines(raw) or MISSING
    if spec.kind == "list":
        if not raw.strip():
            return MISSING
        try:
            parsed = round_trip().load(raw)
        except RuamelError as error:
            raise FormProblem(path, f"the YAML cannot be read: {error}") from error
        return parsed if parsed is not None else MISSING
    raw = raw.strip()
    return _scalar(raw, spec.kind) if raw else MISSING


def form_values(mapping: Any, topic: str) -> dict[str, str]:
    """The texts a form shows for an entry (its mapping as read from the file; None: a new entry)."""
    values: dict[str, str] = {}

    def walk(path: str, spec_text: str, value: Any) -> None:
        fields = sub_fields(spec_text)
        kind = spec_text.rstrip("?").partition(":")[0]
        if fields is not None:
            for sub, spec in fields.items():
                walk(f"{path}.{sub}", spec, value.get(sub) if hasattr(value, "get") else None)
        elif kind in ("text", "textlist"):
            for language in ("vi", "en"):
                part = value.get(language) if hasattr(value, "get") else None
                if kind == "textlist" and isinstance(part, list):
                    values[f"{path}.{language}"] = "\n".join(str(p) for p in part)
                else:
                    values[f"{path}.{language}"] = "" if part is None else str(part)
        elif kind == "list":
            values[path] = records_text(value)
        else:
            values[path] = form_text(value, spec_text)

    for name, spec in entry_fields(topic).items():
        walk(name, spec, mapping.get(name) if mapping is not None else None)
    return values


def read_entry(form: Mapping[str, str], topic: str) -> dict[str, Any]:
    """Every field of the form, MISSING for those left empty."""
    return {name: read_value(form, name, spec) for name, spec in entry_fields(topic).items()}


# ------------------------------------------------------------------------------------ writing into the map


def _needs_quotes(text: str) -> bool:
    """True when a plain scalar would not read back as this very text (YAML 1.1, as the validator reads)."""
    if text != text.strip() or not text:
        return True
    try:
        return yaml.safe_load(text) != text
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):  # a date that is no date, ...
        return True


def _folded(text: str) -> FoldedScalarString:
    folded = FoldedScalarString(text)
    positions, start = [], 0
    for index, char in enumerate(text):
        if (
            char == " "
            and index - start >= FOLD_AT
            and text[index - 1] != " "
            and text[index + 1 : index + 2] != " "
        ):
            positions.append(index)
            start = index
    folded.fold_pos = positions  # ruamel's folding hint
    return folded


def _is_flow(parent: Any) -> bool:
    return bool(getattr(parent, "fa", None) is not None and parent.fa.flow_style())


def to_yaml(value: Any, parent: Any = None, old: Any = None) -> Any:
    """A new value as round-trip data: mappings and lists in block style, strings quoted when YAML would
    misread them, long texts folded in a block mapping."""
    if isinstance(value, (CommentedMap, CommentedSeq)):
        return value
    if isinstance(value, Mapping):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = to_yaml(item, mapping)
        return mapping
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq()
        for item in value:
            seq.append(to_yaml(item, seq))
        return seq
    if isinstance(value, str) and not isinstance(value, ScalarString):
        block = not _is_flow(parent)
        if "\n" in value and block:
            return LiteralScalarString(value)
        if block and (len(value) > FOLD_AT or isinstance(old, FoldedScalarString)) and "\n" not in value:
            return _folded(value)
        if _needs_quotes(value) or isinstance(old, DoubleQuotedScalarString):
            return DoubleQuotedScalarString(value)
    return value


def _set(mapping: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    """Set `key` keeping the others' order; a new key goes where `order` places it."""
    if key in mapping:
        old = mapping[key]
        mapping[key] = merge(old, value, mapping)
        return
    before = [k for k in order[: order.index(key)] if k in mapping] if key in order else list(mapping)
    position = list(mapping).index(before[-1]) + 1 if before else 0
    mapping.insert(position, key, to_yaml(value, mapping))


def merge(old: Any, new: Any, parent: Any = None) -> Any:
    """`new` written over `old`, changing only what differs (a mapping is updated key by key)."""
    if plain(old) == plain(new):
        return old
    if isinstance(old, CommentedMap) and isinstance(new, Mapping) and not isinstance(new, CommentedMap):
        order = list(new)
        for key in [k for k in old if k not in new]:
            del old[key]
        for key, value in new.items():
            _set(old, key, value, order)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, (list, tuple)) and not isinstance(new, CommentedSeq):
        old[:] = [to_yaml(item, old) for item in new]
        return old
    return to_yaml(new, parent, old)


def apply_entry(mapping: CommentedMap, values: Mapping[str, Any], topic: str) -> None:
    """Write the form's values into an entry's mapping: changed fields replaced, empty ones removed."""
    order = list(entry_fields(topic))
    for name in order:
        value = values.get(name, MISSING)
        if value is MISSING:
            if name in mapping:
                del mapping[name]
            continue
        _set(mapping, name, value, order)


# --------------------------------------------------------------------------------- reading and validating


@dataclass(frozen=True)
class TopicFile:
    """A topic's YAML file as read: its round-trip data, its text and the hash a form carries."""

    path: Path
    text: str
    hash: str
    data: Any

    def entries(self) -> CommentedSeq:
        entries = self.data.get("entries") if isinstance(self.data, CommentedMap) else None
        if not isinstance(entries, CommentedSeq):
            raise ValueError(f"{self.path.name} has no list of entries")
        return entries

    def entry(self, entry_id: str) -> CommentedMap | None:
        return next(
            (e for e in self.entries() if isinstance(e, CommentedMap) and str(e.get("id")) == entry_id), None
        )


def topic_path(knowledge_dir: Path, topic: str) -> Path:
    """The file of `topic` (only a topic of the schema: a form never names a path)."""
    if topic not in schema.TOPIC_FILES:
        raise KeyError(topic)
    return inside(knowledge_dir, knowledge_dir / schema.TOPIC_FILES[topic])


def inside(knowledge_dir: Path, path: Path) -> Path:
    """`path`, checked to lie inside the knowledge folder."""
    resolved = path.resolve()
    if not resolved.is_relative_to(knowledge_dir.resolve()):
        raise PermissionError(f"{path} is outside the knowledge folder")
    return path


def read_topic(knowledge_dir: Path, topic: str) -> TopicFile:
    path = topic_path(knowledge_dir, topic)
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    return TopicFile(path, text, file_hash(raw), round_trip().load(text))


def entry_text(mapping: Any) -> str:
    """An entry as YAML (what the audit log keeps before and after)."""
    return dump(CommentedSeq([mapping])) if mapping is not None else ""


def problems_with(knowledge_dir: Path, relative: str, text: str, baseline: list[Problem]) -> list[Problem]:
    """The problems the validator finds in a copy of the folder where `relative` holds `text`: every problem of
    that file, and those of other files that the folder did not have before (`baseline`)."""
    label = knowledge_dir.name
    with tempfile.TemporaryDirectory(prefix="console-check-") as folder:
        copy = Path(folder) / label
        shutil.copytree(knowledge_dir, copy, ignore=shutil.ignore_patterns(".*"))
        target = copy / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        _, problems = validate_dir(copy, label=label)
    known = {str(p) for p in baseline}
    return [p for p in problems if p.file == f"{label}/{relative}" or str(p) not in known]


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` at once: a temporary file beside it, flushed, then renamed over it."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    try:
        with temporary.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(mode)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


# -------------------------------------------------------------------------------------------- the editor


@dataclass(frozen=True)
class Saved:
    """A change written: the file, the entry, and its YAML before and after."""

    file: str
    entry: str
    before: str
    after: str


class Refused(Exception):
    """A change not written: why (a wording key) and the problems found."""

    def __init__(self, reason: str, problems: list[Problem] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.problems = problems or []


class KnowledgeFolder:
    """The live knowledge folder as the console sees it: validated (cached until a file changes), and changed
    one save at a time."""

    def __init__(self, knowledge_dir: Path) -> None:
        self.folder = knowledge_dir
        self._lock = threading.Lock()
        self._cache: tuple[Any, tuple[dict[str, list[Entry]], list[Problem]]] | None = None
        self._read: dict[str, tuple[tuple[int, int], TopicFile]] = {}

    def shown(self, topic: str) -> TopicFile:
        """A topic's file to show in a form (kept until the file changes: a round-trip read takes a second);
        never changed in place: a save reads the file again."""
        stat = topic_path(self.folder, topic).stat()
        signature = (stat.st_size, stat.st_mtime_ns)
        cached = self._read.get(topic)
        if cached is not None and cached[0] == signature:
            return cached[1]
        current = read_topic(self.folder, topic)
        self._read[topic] = (signature, current)
        return current

    def validated(self) -> tuple[dict[str, list[Entry]], list[Problem]]:
        """The entries and problems of the live folder (validated again only when a file changed)."""
        signature = folder_signature(self.folder)
        cached = self._cache
        if cached is not None and cached[0] == signature:
            return cached[1]
        result = validate_dir(self.folder)
        self._cache = (signature, result)
        return result

    def save_entry(
        self, topic: str, entry_id: str | None, values: Mapping[str, Any], expected_hash: str
    ) -> Saved:
        """Write an entry (a new one when `entry_id` is None) if the file is as the form saw it and the folder
        stays valid; raises Refused otherwise, writing nothing."""
        with self._lock:
            current = read_topic(self.folder, topic)
            if current.hash != expected_hash:
                raise Refused("conflict")
            entries = current.entries()
            if entry_id is None:
                mapping = CommentedMap()
                before = ""
                new_id = values.get("id")
                if isinstance(new_id, str) and current.entry(new_id) is not None:
                    raise Refused("id_exists")
                apply_entry(mapping, values, topic)
                entries.append(mapping)
            else:
                found = current.entry(entry_id)
                if found is None:
                    raise Refused("no_entry")
                before = entry_text(found)
                apply_entry(found, {**values, "id": found["id"]}, topic)
                mapping = found
            text = dump(current.data)
            relative = schema.TOPIC_FILES[topic]
            problems = problems_with(self.folder, relative, text, self.validated()[1])
            if problems:
                raise Refused("invalid", problems)
            write_atomically(current.path, text)
            return Saved(
                f"{self.folder.name}/{relative}", f"{topic}:{mapping.get('id')}", before, entry_text(mapping)
            )

    def save_file(self, relative: str, text: str, check: Callable[[Path], None]) -> Saved:
        """Write a new file `relative` (a source document) if the folder stays valid; never over another."""
        with self._lock:
            path = inside(self.folder, self.folder / relative)
            check(path)
            if path.exists():
                raise Refused("document_exists")
            problems = problems_with(self.folder, relative, text, self.validated()[1])
            if problems:
                raise Refused("invalid", problems)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, text)
            return Saved(f"{self.folder.name}/{relative}", relative, "", text)


def entries_matching(topics: Mapping[str, list[Entry]], query: str) -> Iterator[Entry]:
    """Entries whose id, names or aliases hold every word of `query` (folded)."""
    words = fold(query).split()
    for entries in topics.values():
        for entry in entries:
            haystack = fold(" ".join([entry.id, *(text for _, text in entry.names())]))
            if all(word in haystack for word in words):
                yield entry


def valid_id(value: str) -> bool:
    return bool(ID_RE.match(value))
