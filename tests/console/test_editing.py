"""The entry form and the YAML it writes: a form sent back as shown changes nothing in any knowledge file,
a change touches only its field (comments, order and style kept), values YAML would misread are quoted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from assistant.kb import schema
from assistant.kb.validate import validate_dir
from console.editing import (
    MISSING,
    KnowledgeFolder,
    Refused,
    apply_entry,
    dump,
    file_hash,
    form_values,
    read_entry,
    read_topic,
)
from tests.console.conftest import FIXTURE_KNOWLEDGE

ROOT = Path(__file__).resolve().parents[2]


# Every topic of the fixture folder, and the smaller files of knowledge/ (their styles are those of the larger
# ones, which take seconds to read in a round trip).
@pytest.mark.parametrize(
    ("folder", "topics"),
    [
        (FIXTURE_KNOWLEDGE, tuple(schema.TOPIC_FILES)),
        (ROOT / "knowledge", ("events", "portals", "provinces", "administrative_changes")),
    ],
    ids=["fixture", "knowledge"],
)
def test_a_form_sent_back_as_shown_changes_nothing(folder: Path, topics: tuple[str, ...]) -> None:
    for topic in topics:
        file = schema.TOPIC_FILES[topic]
        current = read_topic(folder, topic)
        for mapping in current.entries():
            values = read_entry(form_values(mapping, topic), topic)
            apply_entry(mapping, {**values, "id": mapping["id"]}, topic)
        assert dump(current.data) == current.text, f"{file} changed"


def _folder(tmp_path: Path) -> KnowledgeFolder:
    shutil.copytree(FIXTURE_KNOWLEDGE, tmp_path / "knowledge")
    return KnowledgeFolder(tmp_path / "knowledge")


def test_a_change_touches_only_its_field_and_is_quoted_when_yaml_would_misread_it(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    before = read_topic(folder.folder, "events")
    mapping = before.entries()[0]
    entry_id = str(mapping["id"])
    form = form_values(mapping, "events")
    long_text = "Một mô tả dài " * 20
    form.update(
        {"start_time": "08:30", "description.vi": long_text.strip(), "theme.vi": "yes", "theme.en": "no"}
    )
    saved = folder.save_entry("events", entry_id, read_entry(form, "events"), before.hash)
    assert saved.entry == f"events:{entry_id}" and "08:30" in saved.after
    text = (folder.folder / "events.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    entry = next(e for e in data["entries"] if e["id"] == entry_id)
    assert entry["start_time"] == "08:30" and entry["theme"] == {"vi": "yes", "en": "no"}
    assert entry["description"]["vi"] == long_text.strip()
    unchanged = [line for line in before.text.splitlines() if entry_id not in line]
    assert sum(1 for line in unchanged if line in text.splitlines()) >= len(unchanged) - 6
    assert validate_dir(folder.folder)[1] == []


def test_an_optional_field_left_empty_is_removed_and_a_list_of_records_is_yaml(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    current = read_topic(folder.folder, "heritage_sites")
    mapping = next(m for m in current.entries() if m.get("recognitions"))
    form = form_values(mapping, "heritage_sites")
    assert form["recognitions"].lstrip().startswith("- level:")
    values = read_entry(
        {
            **form,
            "aliases": "",
            "recognitions": "- level: unesco\n  year: 1993\n  source: {title: T, url: 'https://example.org/u'}\n",
        },
        "heritage_sites",
    )
    assert values["aliases"] is MISSING
    folder.save_entry("heritage_sites", str(mapping["id"]), values, current.hash)
    entry = next(
        e
        for e in yaml.safe_load((folder.folder / "heritage_sites.yml").read_text())["entries"]
        if e["id"] == mapping["id"]
    )
    assert "aliases" not in entry and entry["recognitions"][0]["year"] == 1993


def test_a_refused_change_writes_nothing_and_a_stale_form_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    path = folder.folder / "portals.yml"
    current = read_topic(folder.folder, "portals")
    form = form_values(current.entry("dvc-national"), "portals")
    with pytest.raises(Refused) as refused:
        folder.save_entry(
            "portals", "dvc-national", read_entry({**form, "kind": "rocket"}, "portals"), current.hash
        )
    assert refused.value.reason == "invalid"
    assert any("must be one of" in p.message for p in refused.value.problems)
    assert file_hash(path.read_bytes()) == current.hash
    with pytest.raises(Refused) as stale:
        folder.save_entry("portals", "dvc-national", read_entry(form, "portals"), "0" * 64)
    assert stale.value.reason == "conflict"
    with pytest.raises(Refused) as twice:
        folder.save_entry("portals", None, read_entry(form, "portals"), current.hash)
    assert twice.value.reason == "id_exists"
    with pytest.raises(KeyError):
        folder.save_entry("../evil", None, {}, current.hash)
