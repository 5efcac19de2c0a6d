"""Check every knowledge file against schema.py and collect every problem as `file:line: message`.

Only safe YAML is read: the files are composed into nodes by the safe loader (for line numbers) and each
scalar is built by the safe constructor, so no tag can run code. The wording file (wording/answers.yml) is
checked too: every sentence has vi and en with the same {placeholders}.
"""

from __future__ import annotations

import difflib
import math
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from assistant.kb import schema
from assistant.kb.documents import DATE_RE as DOCUMENT_DATE_RE
from assistant.kb.documents import DOCUMENTS_DIR, document_files, passages, read_document, split_front_matter
from assistant.kb.entry import Entry, name_key
from assistant.kb.errors import KnowledgeError, Problem, ValidationFailed
from assistant.kb.provenance import provenance_problems
from assistant.kb.schema import WORDING_FILE
from assistant.language import ABBREVIATIONS_FILE, GLOSSARY_FILE, OUT_OF_SCOPE_FILE
from assistant.language import KEY_RE as ABBREVIATION_KEY_RE
from assistant.text import LANGUAGES
from assistant.yamlfile import compose

ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
SEED_RE = re.compile(r"[0-9]{3}_[0-9a-f]{16}\.txt\Z")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# A time of day, 24-hour, Vietnam time: 08:00, 14:30 (YAML 1.1 reads an unquoted 14:30 as the integer 870).
TIME_RE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]\Z")
# A number written with Vietnamese thousands separators: 650.000, 1.250.000 (YAML reads 650.000 as 650.0).
THOUSANDS_RE = re.compile(r"[-+]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+\Z")

_TAG = "tag:yaml.org,2002:"
_TEXT_FIELDS = {"vi": "str", "en": "str"}
_TEXTLIST_FIELDS = {"vi": "strlist", "en": "strlist"}


class _Invalid:
    """Marks a value that failed its check (the problem is already recorded)."""


INVALID = _Invalid()


@dataclass(frozen=True)
class Spec:
    """A parsed field spec of schema.py: kind ('str', 'ref', 'list', ...), its argument and '?'."""

    kind: str
    arg: str
    optional: bool


@cache
def parse_spec(spec: str) -> Spec:
    """Parse a schema type name such as 'ref:portals?' or 'enum:a|b|c'."""
    optional = spec.endswith("?")
    base = spec[:-1] if optional else spec
    kind, _, arg = base.partition(":")
    return Spec(kind, arg, optional)


@dataclass(frozen=True)
class _Ref:
    topic: str
    id: str
    file: str
    line: int
    path: str


@dataclass
class _Context:
    """What is collected while checking one file."""

    label: str
    seeds: frozenset[str] | None
    problems: list[Problem] = field(default_factory=list)
    refs: list[_Ref] = field(default_factory=list)
    loader: yaml.SafeLoader = field(default_factory=lambda: yaml.SafeLoader(""))

    def problem(self, where: yaml.Node | int, message: str) -> _Invalid:
        self.problems.append(Problem(self.label, where if isinstance(where, int) else _line(where), message))
        return INVALID


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "null"


_PLAIN_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}


def _describe(node: yaml.Node) -> str:
    if node.tag not in _PLAIN_TAGS:
        return f"a value tagged {node.tag!r} (YAML tags are not allowed)"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    kind = node.tag.removeprefix(_TAG)
    if kind == "null":
        return "nothing"
    shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    names = {
        "bool": "true/false",
        "int": "the integer",
        "float": "the number",
        "timestamp": "the date",
        "str": "the text",
    }
    return f"{names[kind]} {shown!r}"


def _scalar(ctx: _Context, node: yaml.Node, path: str) -> Any:
    """The Python value of a scalar node, built by the safe constructor."""
    if not isinstance(node, yaml.ScalarNode):
        return INVALID
    try:
        return ctx.loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        return ctx.problem(node, f"field '{path}' cannot be read: {exc}")


# ---------------------------------------------------------------------------------------------- scalars


def _check_str(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    if not isinstance(node, yaml.ScalarNode) or node.tag != _TAG + "str":
        hint = " (put it in quotes)" if isinstance(node, yaml.ScalarNode) else ""
        return ctx.problem(node, f"field '{path}' must be a text string, got {_describe(node)}{hint}")
    value = _scalar(ctx, node, path)
    if isinstance(value, str) and not value.strip():
        return ctx.problem(node, f"field '{path}' must not be empty")
    return value


def _thousands(ctx: _Context, node: yaml.Node, path: str) -> _Invalid | None:
    """A problem when a plain number is written with a thousands separator ('650.000'), else None."""
    if isinstance(node, yaml.ScalarNode) and not node.style and THOUSANDS_RE.match(node.value):
        digits = node.value.replace(".", "")
        read = f"the number {float(node.value):g}" if node.value.count(".") == 1 else "text"
        message = f"field '{path}' is written {node.value!r}, which YAML reads as {read}"
        return ctx.problem(node, f"{message}; write {digits} (no thousands separator)")
    return None


def _check_int(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    separated = _thousands(ctx, node, path)
    if separated is not None:
        return separated
    value = _scalar(ctx, node, path) if isinstance(node, yaml.ScalarNode) else INVALID
    if not isinstance(value, int) or isinstance(value, bool) or node.tag != _TAG + "int":
        return ctx.problem(node, f"field '{path}' must be an integer, got {_describe(node)}")
    return value


def _check_number(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    separated = _thousands(ctx, node, path)
    if separated is not None:
        return separated
    return _number(ctx, node, path)


def _check_degrees(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    """Decimal degrees of a coordinate: 16.375 is a decimal here, so no thousands-separator check."""
    value = _number(ctx, node, path)
    bound = float(spec.arg)
    if isinstance(value, (int, float)) and not -bound <= value <= bound:
        message = f"field '{path}' must be decimal degrees between -{spec.arg} and {spec.arg}, got {value!r}"
        return ctx.problem(node, message)
    return value


def _number(ctx: _Context, node: yaml.Node, path: str) -> Any:
    ok_tag = isinstance(node, yaml.ScalarNode) and node.tag in (_TAG + "int", _TAG + "float")
    value = _scalar(ctx, node, path) if ok_tag else INVALID
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return ctx.problem(node, f"field '{path}' must be a number, got {_describe(node)}")
    if not math.isfinite(value):
        return ctx.problem(node, f"field '{path}' must be a finite number, got {node.value!r}")
    return value


def _check_bool(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    if not isinstance(node, yaml.ScalarNode) or node.tag != _TAG + "bool":
        return ctx.problem(node, f"field '{path}' must be true or false, got {_describe(node)}")
    return _scalar(ctx, node, path)


def _check_date(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    ok_tag = isinstance(node, yaml.ScalarNode) and node.tag in (_TAG + "str", _TAG + "timestamp")
    text = node.value.strip() if ok_tag else ""
    if not DATE_RE.match(text):
        return ctx.problem(node, f"field '{path}' must be a date YYYY-MM-DD, got {_describe(node)}")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return ctx.problem(node, f"field '{path}' is not a real date: {text!r}")


def _check_when(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    """A date as a source states it: a day, a month (YYYY-MM) or a year (YYYY), never a guessed day."""
    ok_tag = isinstance(node, yaml.ScalarNode) and node.tag in (
        _TAG + "str",
        _TAG + "timestamp",
        _TAG + "int",
    )
    text = node.value.strip() if ok_tag else ""
    if not DOCUMENT_DATE_RE.match(text):
        message = f"field '{path}' must be the date the source states: YYYY-MM-DD, YYYY-MM or YYYY"
        return ctx.problem(node, f"{message}, got {_describe(node)}")
    try:
        date.fromisoformat(text if len(text) == 10 else (text + "-01-01")[:10])
    except ValueError:
        return ctx.problem(node, f"field '{path}' is not a real date: {text!r}")
    return text


def _check_time(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    ok_tag = isinstance(node, yaml.ScalarNode) and node.tag in (_TAG + "str", _TAG + "int")
    text = node.value.strip() if ok_tag else ""
    if not TIME_RE.match(text):
        return ctx.problem(
            node, f"field '{path}' must be a time HH:MM (24-hour, like 08:30), got {_describe(node)}"
        )
    return text


def _check_url(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    value = _check_str(ctx, node, spec, path)
    if not isinstance(value, str):
        return value
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ctx.problem(node, f"field '{path}' must be an http:// or https:// address, got {url!r}")
    if any(c.isspace() or ord(c) < 32 for c in url):
        return ctx.problem(node, f"field '{path}' must not contain spaces or control characters")
    return url


def _check_id(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    value = _check_str(ctx, node, spec, path)
    if isinstance(value, str) and not ID_RE.match(value):
        return ctx.problem(
            node,
            f"field '{path}' must be an id of a-z, 0-9 and single '-' (like 'hue-citadel'), got {value!r}",
        )
    return value


def _check_province(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    value = _check_str(ctx, node, spec, path)
    if isinstance(value, str) and value not in schema.PROVINCES:
        expected = ", ".join(schema.PROVINCES)
        return ctx.problem(node, f"unknown province {value!r} in field '{path}'; expected one of {expected}")
    return value


def _check_enum(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    options = spec.arg.split("|")
    value = _check_str(ctx, node, spec, path)
    if isinstance(value, str) and value not in options:
        close = difflib.get_close_matches(value, options, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return ctx.problem(node, f"field '{path}' must be one of {', '.join(options)}; got {value!r}{hint}")
    return value


def _check_ref(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    value = _check_id(ctx, node, spec, path)
    if isinstance(value, str):
        ctx.refs.append(_Ref(spec.arg, value, ctx.label, _line(node), path))
    return value


# ---------------------------------------------------------------------------------------------- structures


def _pairs(ctx: _Context, node: yaml.MappingNode, path: str) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key, key node, value node) of a mapping; reports odd keys and keys written twice."""
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            where = path or "the entry"
            ctx.problem(key_node, f"keys of '{where}' must be plain names, got {_describe(key_node)}")
            continue
        key = key_node.value
        if key == "<<":
            ctx.problem(key_node, "YAML merge keys ('<<') are not supported; write the fields out")
            continue
        if key in seen:
            ctx.problem(key_node, f"duplicate key '{_join(path, key)}' (first at line {seen[key]})")
            continue
        seen[key] = _line(key_node)
        yield key, key_node, value_node


def _check_fields(ctx: _Context, node: yaml.Node, fields: dict[str, str], path: str) -> Any:
    """Check a mapping against a field table; returns the checked values (valid fields only)."""
    if not isinstance(node, yaml.MappingNode) or node.tag not in _PLAIN_TAGS:
        what = f"field '{path}'" if path else "each entry"
        return ctx.problem(node, f"{what} must be a mapping (key: value), got {_describe(node)}")
    out: dict[str, Any] = {}
    present: set[str] = set()
    for key, key_node, value_node in _pairs(ctx, node, path):
        where = _join(path, key)
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            ctx.problem(key_node, f"unknown field '{where}'{hint}")
            continue
        present.add(key)
        spec = parse_spec(fields[key])
        if _is_null(value_node):
            if not spec.optional:
                ctx.problem(value_node, f"field '{where}' is required but empty")
            continue
        value = check_value(ctx, value_node, spec, where)
        if value is not INVALID:
            out[key] = value
    for key, spec_text in fields.items():
        if key not in present and not parse_spec(spec_text).optional:
            ctx.problem(node, f"field '{_join(path, key)}' is required")
    return out


def _check_list(ctx: _Context, node: yaml.Node, item: Spec, spec: Spec, path: str) -> Any:
    if not isinstance(node, yaml.SequenceNode):
        return ctx.problem(node, f"field '{path}' must be a list, got {_describe(node)}")
    if not node.value and not spec.optional:
        return ctx.problem(node, f"field '{path}' must not be an empty list")
    values = [check_value(ctx, child, item, f"{path}[{i}]") for i, child in enumerate(node.value)]
    return [v for v in values if v is not INVALID]


def _check_text(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    if not isinstance(node, yaml.MappingNode):
        return ctx.problem(
            node, f"field '{path}' must give both languages {{vi: ..., en: ...}}, got {_describe(node)}"
        )
    return _check_fields(ctx, node, _TEXT_FIELDS, path)


def _check_textlist(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    if not isinstance(node, yaml.MappingNode):
        message = f"field '{path}' must give a list in both languages {{vi: [...], en: [...]}}"
        return ctx.problem(node, f"{message}, got {_describe(node)}")
    return _check_fields(ctx, node, _TEXTLIST_FIELDS, path)


def _check_strlist(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    return _check_list(ctx, node, Spec("str", "", False), spec, path)


def _check_idlist(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    return _check_list(ctx, node, Spec("ref", spec.arg, False), spec, path)


def _check_record(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    return _check_fields(ctx, node, schema.RECORDS[spec.arg], path)


def _check_records(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    return _check_list(ctx, node, Spec("record", spec.arg, False), spec, path)


def _check_source(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    value = _check_fields(ctx, node, schema.SOURCE_FIELDS, path)
    if value is INVALID:
        return value
    keys = {k.value for k, v in node.value if isinstance(k, yaml.ScalarNode) and not _is_null(v)}
    if ("seed" in keys) == ("url" in keys):
        return ctx.problem(node, f"field '{path}' must have exactly one of 'seed' or 'url'")
    seed = value.get("seed")
    if isinstance(seed, str):
        seed_node = _field_node(node, "seed")
        if not SEED_RE.match(seed):
            message = f"field '{path}.seed' must be a seed file name like 000_0123456789abcdef.txt"
            return ctx.problem(seed_node or node, message)
        if ctx.seeds is not None and seed not in ctx.seeds:
            return ctx.problem(seed_node or node, f"seed file {seed!r} of field '{path}.seed' does not exist")
    return value


def _check_any(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    """Any scalar, as written (checked by the caller: a document's date)."""
    if not isinstance(node, yaml.ScalarNode):
        return ctx.problem(node, f"field '{path}' must be a single value, got {_describe(node)}")
    return node.value


_CHECKERS = {
    "any": _check_any,
    "str": _check_str,
    "int": _check_int,
    "number": _check_number,
    "degrees": _check_degrees,
    "bool": _check_bool,
    "date": _check_date,
    "when": _check_when,
    "time": _check_time,
    "url": _check_url,
    "id": _check_id,
    "text": _check_text,
    "textlist": _check_textlist,
    "strlist": _check_strlist,
    "ref": _check_ref,
    "idlist": _check_idlist,
    "province": _check_province,
    "enum": _check_enum,
    "source": _check_source,
    "record": _check_record,
    "list": _check_records,
}


def check_value(ctx: _Context, node: yaml.Node, spec: Spec, path: str) -> Any:
    """Check one value against its spec; returns the plain value or INVALID (problem recorded)."""
    if node.tag not in _PLAIN_TAGS:
        return ctx.problem(node, f"field '{path}' has the YAML tag {node.tag!r}; tags are not allowed")
    return _CHECKERS[spec.kind](ctx, node, spec, path)


def _field_node(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return value_node
    return None


# ---------------------------------------------------------------------------------------------- files


@dataclass
class _Names:
    """The folded names and aliases of one topic, to find aliases claimed twice."""

    names: dict[str, set[str]] = field(default_factory=dict)
    aliases: dict[str, tuple[str, int]] = field(default_factory=dict)


def _read(path: Path, ctx: _Context) -> str | None:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        ctx.problem(raw[: exc.start].count(b"\n") + 1, "the file is not valid UTF-8 text")
        return None


def _compose(text: str, ctx: _Context) -> yaml.Node | _Invalid | None:
    try:
        return compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = f" ({exc.context})" if exc.context else ""
        return ctx.problem(mark.line + 1 if mark else 1, f"YAML syntax error: {exc.problem}{context}")
    except yaml.YAMLError as exc:
        return ctx.problem(1, f"YAML syntax error: {exc}")


def _entry_list(ctx: _Context, root: yaml.Node | None) -> list[yaml.Node] | None:
    """The nodes of the `entries:` list, or None when the file's structure is wrong."""
    if root is None:
        ctx.problem(1, "the file is empty; it must hold a mapping with the key 'entries:'")
        return None
    if not isinstance(root, yaml.MappingNode):
        ctx.problem(root, f"the top level must be a mapping with the key 'entries:', got {_describe(root)}")
        return None
    entries: yaml.Node | None = None
    for key, key_node, value_node in _pairs(ctx, root, ""):
        if key == "entries":
            entries = value_node
        else:
            ctx.problem(key_node, f"unknown top-level key '{key}'; the file holds only 'entries:'")
    if entries is None:
        ctx.problem(root, "the top level must have the key 'entries:'")
        return None
    if _is_null(entries):
        return []
    if not isinstance(entries, yaml.SequenceNode):
        ctx.problem(entries, f"'entries:' must be a list of entries, got {_describe(entries)}")
        return None
    return list(entries.value)


def _check_names(ctx: _Context, entries: list[tuple[Entry, yaml.Node]]) -> None:
    """An alias may belong to one entry of the topic only, and may not be another entry's name."""
    seen = _Names()
    for entry, _ in entries:
        for kind, text in entry.names():
            if kind == "name" and name_key(text):
                seen.names.setdefault(name_key(text), set()).add(entry.id)
    for entry, node in entries:
        alias_list = _field_node(node, "aliases")
        alias_nodes = alias_list.value if isinstance(alias_list, yaml.SequenceNode) else []
        for alias_node in alias_nodes:
            if not isinstance(alias_node, yaml.ScalarNode) or alias_node.tag != _TAG + "str":
                continue
            key = name_key(alias_node.value)
            if not key:
                ctx.problem(alias_node, f"alias {alias_node.value!r} has no letters or digits")
                continue
            others = sorted(seen.names.get(key, set()) - {entry.id})
            if others:
                message = f"alias {alias_node.value!r} of '{entry.id}' is the name of '{others[0]}'"
                ctx.problem(alias_node, message)
                continue
            owner = seen.aliases.get(key)
            if owner and owner[0] != entry.id:
                message = f"alias {alias_node.value!r} of '{entry.id}' is also an alias of '{owner[0]}'"
                ctx.problem(alias_node, f"{message} (line {owner[1]})")
                continue
            seen.aliases.setdefault(key, (entry.id, _line(alias_node)))


def _check_file(path: Path, topic: str, ctx: _Context) -> list[Entry] | None:
    """The entries of one topic file (None when the file cannot be read as a list of entries)."""
    text = _read(path, ctx)
    root = _compose(text, ctx) if text is not None else INVALID
    if root is INVALID:
        return None
    nodes = _entry_list(ctx, root)  # type: ignore[arg-type]
    if nodes is None:
        return None
    fields = {**schema.COMMON_FIELDS, **schema.TOPIC_FIELDS[topic]}
    good: list[tuple[Entry, yaml.Node]] = []
    first_line: dict[str, int] = {}
    for node in nodes:
        data = _check_fields(ctx, node, fields, "")
        entry_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(entry_id, str):
            continue
        if entry_id in first_line:
            first = first_line[entry_id]
            ctx.problem(node, f"duplicate id '{entry_id}' in topic '{topic}' (first at line {first})")
            continue
        first_line[entry_id] = _line(node)
        good.append((Entry(topic, entry_id, data, ctx.label, _line(node)), node))
    _check_names(ctx, good)
    return [entry for entry, _ in good]


# ---------------------------------------------------------------------------------------------- wording


def _placeholders(text: str) -> set[str] | str:
    """The {placeholder} names of a sentence, or the reason it cannot be filled in."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError as exc:
        return str(exc)


def _check_sentence(
    ctx: _Context,
    pairs: list[tuple[str, yaml.Node, yaml.Node]],
    where: str,
    line: int,
) -> None:
    """A sentence {vi: ..., en: ...}: both languages, texts only, the same {placeholders} in both."""
    found: dict[str, set[str]] = {}
    for key, key_node, value_node in pairs:
        path = _join(where, key)
        if key not in LANGUAGES:
            ctx.problem(key_node, f"unknown language '{path}'; a sentence has only vi and en")
        elif not isinstance(value_node, yaml.ScalarNode) or value_node.tag != _TAG + "str":
            hint = " (put it in quotes)" if isinstance(value_node, yaml.ScalarNode) else ""
            ctx.problem(
                value_node, f"sentence '{path}' must be a text string, got {_describe(value_node)}{hint}"
            )
        else:
            names = _placeholders(value_node.value)
            if isinstance(names, str):
                ctx.problem(value_node, f"sentence '{path}' has a broken {{placeholder}}: {names}")
            else:
                found[key] = names
    present = {key for key, _, _ in pairs}
    missing = [lang for lang in LANGUAGES if lang not in present]
    if missing:
        ctx.problem(line, f"sentence '{where}' has no text for {', '.join(missing)}")
    elif len(found) == len(LANGUAGES) and found["vi"] != found["en"]:
        shown = {
            lang: ", ".join(f"{{{n}}}" for n in sorted(names)) or "none" for lang, names in found.items()
        }
        ctx.problem(
            line,
            f"sentence '{where}' has different {{placeholders}} in vi ({shown['vi']}) and en ({shown['en']})",
        )


def _check_wording_node(ctx: _Context, node: yaml.Node, where: str, line: int) -> None:
    """A group of sentences (a mapping of names) or one sentence (a mapping with vi and en)."""
    if not isinstance(node, yaml.MappingNode) or node.tag not in _PLAIN_TAGS:
        message = "must be a sentence {vi: ..., en: ...} or a group of sentences"
        ctx.problem(node, f"'{where}' {message}, got {_describe(node)}")
        return
    pairs = list(_pairs(ctx, node, where))
    if {key for key, _, _ in pairs} & set(LANGUAGES):
        _check_sentence(ctx, pairs, where, line)
        return
    if not pairs:
        ctx.problem(node, f"'{where}' has no sentences")
    for key, key_node, value_node in pairs:
        _check_wording_node(ctx, value_node, _join(where, key), _line(key_node))


def check_wording_file(path: Path, ctx: _Context) -> None:
    """Problems of the wording file: YAML syntax, structure, both languages, the same {placeholders}."""
    text = _read(path, ctx)
    root = _compose(text, ctx) if text is not None else INVALID
    if isinstance(root, _Invalid):
        return
    if root is None:
        ctx.problem(1, "the file is empty; it must hold the sentences as a mapping")
        return
    if not isinstance(root, yaml.MappingNode):
        ctx.problem(root, f"the top level must be a mapping of sentences, got {_describe(root)}")
        return
    for key, key_node, value_node in _pairs(ctx, root, ""):
        _check_wording_node(ctx, value_node, key, _line(key_node))


def check_document_file(path: Path, ctx: _Context) -> None:
    """Problems of a source document: front matter (fields of schema.DOCUMENT_FIELDS) and a text to quote."""
    text = _read(path, ctx)
    if text is None:
        return
    if not ID_RE.match(path.stem):
        ctx.problem(1, f"the file name {path.name!r} must be an id: a-z, 0-9 and '-', ending in .md")
    parts = split_front_matter(text)
    if parts is None:
        ctx.problem(
            1, "a document starts with its front matter between two '---' lines (title, source, date...)"
        )
        return
    front, body, first_line = parts
    root = _compose("\n" + front, ctx)  # the blank line stands for the opening '---': lines stay the file's
    if isinstance(root, _Invalid):
        return
    if root is None:
        ctx.problem(1, "the front matter is empty")
        return
    values = _check_fields(ctx, root, {**schema.DOCUMENT_FIELDS, "date": "any?"}, "")
    if values is INVALID:
        return
    date_node = _field_node(root, "date")
    if date_node is None:
        ctx.problem(root, "field 'date' is required")
    elif not isinstance(date_node, yaml.ScalarNode) or not DOCUMENT_DATE_RE.match(date_node.value):
        ctx.problem(date_node, "field 'date' must be the date the source states: YYYY-MM-DD, YYYY-MM or YYYY")
    for province in values.get("provinces") or []:
        if province not in schema.PROVINCES:
            expected = ", ".join(schema.PROVINCES)
            ctx.problem(
                _field_node(root, "provinces") or root, f"unknown province {province!r}; expected {expected}"
            )
    if not passages(path.stem, body, first_line):
        ctx.problem(first_line, "the document has no text after its front matter")


def check_language_files(folder: Path, prefix: str, seeds: frozenset[str] | None) -> list[Problem]:
    """Problems of the tables of knowledge/language/: abbreviations (a mapping) and the glossary (a list)."""
    problems: list[Problem] = []
    for name, shape in (
        (ABBREVIATIONS_FILE, "mapping"),
        (GLOSSARY_FILE, "list"),
        (OUT_OF_SCOPE_FILE, "domains"),
    ):
        path = folder / name
        if not path.is_file():
            continue
        ctx = _Context(f"{prefix}/{name}", seeds)
        text = _read(path, ctx)
        root = _compose(text, ctx) if text is not None else INVALID
        if root is None or isinstance(root, _Invalid):
            problems += ctx.problems
            continue
        if shape == "mapping":
            if not isinstance(root, yaml.MappingNode):
                ctx.problem(
                    root,
                    f"the file must be a mapping (what people type: what it means), got {_describe(root)}",
                )
            else:
                for key, key_node, value_node in _pairs(ctx, root, ""):
                    if not ABBREVIATION_KEY_RE.match(key):
                        ctx.problem(
                            key_node,
                            f"{key!r}: write what people type in lower case without diacritics (1-3 words)",
                        )
                    if not isinstance(value_node, yaml.ScalarNode) or value_node.tag not in {
                        _TAG + "str",
                        _TAG + "null",
                    }:
                        ctx.problem(value_node, f'the meaning of {key!r} must be text ("" to drop the words)')
        elif shape == "domains":
            if not isinstance(root, yaml.MappingNode):
                ctx.problem(
                    root, f"the file must be a mapping of domains to lists of words, got {_describe(root)}"
                )
            else:
                for key, _, value_node in _pairs(ctx, root, ""):
                    check_value(ctx, value_node, parse_spec("strlist"), key)
        elif not isinstance(root, yaml.SequenceNode):
            ctx.problem(root, f"the file must be a list of items with 'vi' and 'en', got {_describe(root)}")
        else:
            for item in root.value:
                _check_fields(ctx, item, {"vi": "strlist", "en": "strlist"}, "")
        problems += ctx.problems
    return problems


def _seed_names(seeds_dir: Path | None) -> frozenset[str] | None:
    if seeds_dir is None:
        return None
    return frozenset(p.name for p in Path(seeds_dir).iterdir() if p.is_file())


def validate_dir(
    path: str | Path, *, label: str | None = None, seeds_dir: str | Path | None = None
) -> tuple[dict[str, list[Entry]], list[Problem]]:
    """Validate the knowledge folder `path`.

    Returns the entries of every topic (a topic without a file is empty) and every problem found, sorted by
    file and line. Problems name files as `<label>/<file>` (label defaults to the folder's name). The wording
    file wording/answers.yml is checked when the folder has one.
    When `seeds_dir` is given, every `source.seed` must also be a file in it.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise KnowledgeError(f"knowledge folder not found: {folder}")
    prefix = label if label is not None else folder.name
    seeds = _seed_names(Path(seeds_dir) if seeds_dir is not None else None)
    problems: list[Problem] = []
    refs: list[_Ref] = []
    topics: dict[str, list[Entry]] = {}
    unreadable: set[str] = set()
    for topic, file_name in schema.TOPIC_FILES.items():
        ctx = _Context(f"{prefix}/{file_name}", seeds)
        file_path = folder / file_name
        entries = _check_file(file_path, topic, ctx) if file_path.is_file() else []
        if entries is None:
            unreadable.add(topic)
        topics[topic] = entries or []
        problems += ctx.problems
        refs += ctx.refs
    problems += _check_refs(refs, topics, unreadable)
    problems += _unknown_files(folder, prefix)
    wording = folder / WORDING_FILE
    if wording.is_file():
        ctx = _Context(f"{prefix}/{WORDING_FILE}", seeds)
        check_wording_file(wording, ctx)
        problems += ctx.problems
    problems += check_language_files(folder, prefix, seeds)
    documents = []
    for document in document_files(folder):
        ctx = _Context(f"{prefix}/{DOCUMENTS_DIR}/{document.name}", seeds)
        check_document_file(document, ctx)
        problems += ctx.problems
        if not ctx.problems:
            documents.append(read_document(document))
    problems += provenance_problems(topics, [d for d in documents if d is not None], prefix)
    return topics, sorted(problems, key=lambda p: (p.file, p.line))


def _check_refs(refs: list[_Ref], topics: dict[str, list[Entry]], unreadable: set[str]) -> list[Problem]:
    ids = {topic: {e.id for e in entries} for topic, entries in topics.items()}
    problems = []
    for ref in refs:
        if ref.topic in unreadable:
            continue
        if ref.id not in ids.get(ref.topic, set()):
            message = f"field '{ref.path}' names '{ref.id}', which is not an id of topic '{ref.topic}'"
            close = difflib.get_close_matches(ref.id, sorted(ids.get(ref.topic, set())), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(Problem(ref.file, ref.line, message + hint))
    return problems


def _unknown_files(folder: Path, prefix: str) -> list[Problem]:
    known = set(schema.TOPIC_FILES.values())
    problems = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".yml" and path.name not in known:
            problems.append(
                Problem(
                    f"{prefix}/{path.name}",
                    1,
                    f"unknown knowledge file; expected one of {', '.join(sorted(known))}",
                )
            )
        elif path.suffix == ".yaml":
            problems.append(Problem(f"{prefix}/{path.name}", 1, "knowledge files end in .yml, not .yaml"))
    return problems


def load_dir(path: str | Path, *, seeds_dir: str | Path | None = None) -> dict[str, list[Entry]]:
    """The entries of a valid knowledge folder; raises ValidationFailed when there is any problem."""
    topics, problems = validate_dir(path, seeds_dir=seeds_dir)
    if problems:
        raise ValidationFailed(problems)
    return topics
