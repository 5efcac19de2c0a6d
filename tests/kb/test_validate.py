"""The validator: one broken fixture per rule, each reported as `file:line: message`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.kb import schema
from assistant.kb.errors import KnowledgeError, Problem, ValidationFailed
from assistant.kb.validate import load_dir, parse_spec, validate_dir
from tests.kb.conftest import BROKEN, knowledge_copy

H = "knowledge/heritage_sites.yml"
T = "knowledge/tourism_statistics.yml"
S = "knowledge/public_services.yml"
E = "knowledge/events.yml"
W = "knowledge/wording/answers.yml"
D = "knowledge/documents/tuan-le.md"
A = "knowledge/language/abbreviations.yml"

# case -> every problem expected, as (file, line, fragment of the message)
CASES: dict[str, list[tuple[str, int, str]]] = {
    "yaml_syntax": [(H, 5, "YAML syntax error")],
    "top_level_list": [(E, 2, "the top level must be a mapping with the key 'entries:'")],
    "no_entries_key": [(E, 2, "unknown top-level key 'items'"), (E, 2, "must have the key 'entries:'")],
    "entries_not_list": [(E, 3, "'entries:' must be a list of entries, got a mapping")],
    "entry_not_mapping": [(E, 3, "each entry must be a mapping")],
    "missing_field": [(H, 3, "field 'province' is required")],
    "required_empty": [(H, 5, "field 'province' is required but empty")],
    "unknown_field": [(H, 10, "unknown field 'opening'")],
    "duplicate_key": [(H, 6, "duplicate key 'province' (first at line 5)")],
    "wrong_str": [(H, 9, "field 'source.title' must be a text string, got the integer '123'")],
    "wrong_int": [(T, 7, "field 'year' must be an integer, got the text '2022'")],
    "bool_not_int": [(T, 7, "field 'year' must be an integer, got true/false")],
    "bool_not_number": [(T, 8, "field 'value' must be a number, got true/false")],
    "not_finite": [(T, 8, "field 'value' must be a finite number")],
    "wrong_bool": [(T, 9, "field 'derived' must be true or false")],
    "bad_date": [(H, 10, "field 'as_of' is not a real date: '2023-13-45'")],
    "date_format": [(H, 10, "field 'as_of' must be the date the source states: YYYY-MM-DD, YYYY-MM or YYYY")],
    # provenance and freshness
    "derived_without_detail": [(T, 3, "a derived figure says in 'detail' how it was worked out")],
    "figure_not_in_source": [(T, 3, "'hue-visitors-2022': value 2000 is not in the text of its source")],
    "review_before_as_of": [(H, 3, "review_by 2023-12-31 is before as_of 2024-02")],
    "claim_source_unknown_field": [(H, 3, "supports 'ticket_price', which is not a field of heritage_sites")],
    "claim_source_neither": [(H, 3, "source 'A book somewhere' names neither a seed file nor a URL")],
    "url_javascript": [(H, 9, "field 'source.url' must be an http:// or https:// address, got 'javascript:")],
    "url_ftp": [(H, 9, "field 'source.url' must be an http:// or https:// address, got 'ftp:")],
    "bad_id": [(H, 3, "field 'id' must be an id of a-z, 0-9 and single '-'")],
    "text_missing_en": [(H, 7, "field 'location.en' is required")],
    "text_empty": [(H, 8, "field 'description.vi' must not be empty")],
    "text_extra_language": [(H, 4, "unknown field 'name.fr'")],
    "textlist_not_list": [(S, 9, "field 'steps.vi' must be a list")],
    "strlist_not_list": [(H, 5, "field 'aliases' must be a list")],
    "ref_unknown": [(H, 7, "field 'part_of' names 'no-such-site', which is not an id of topic 'heritage_")],
    "idlist_unknown": [(S, 7, "field 'portals[1]' names 'missing-portal', which is not an id of topic 'p")],
    "idlist_empty": [(S, 7, "field 'portals' must not be an empty list")],
    "province_unknown": [(H, 5, "unknown province 'hue'")],
    "enum_unknown": [(H, 6, "field 'category' must be one of monument_complex")],
    "record_wrong": [(H, 8, "field 'coordinates.lon' must be a number, got the text 'east'")],
    "coordinates_out_of_range": [
        (H, 8, "field 'coordinates.lat' must be decimal degrees between -90 and 90")
    ],
    "thousands_separator": [
        (
            T,
            9,
            "field 'value' is written '650.000', which YAML reads as the number 650; write 650000 (no thou",
        ),
        (
            T,
            19,
            "field 'value' is written '1.250.000', which YAML reads as text; write 1250000 (no thousands",
        ),
    ],
    "wording_syntax": [(W, 4, "YAML syntax error: mapping values are not allowed")],
    "wording_missing_language": [(W, 7, "sentence 'units.teams' has no text for en")],
    "wording_placeholders": [
        (
            W,
            5,
            "sentence 'not_covered_place' has different {placeholders} in vi ({place}) and en ({location})",
        )
    ],
    "wording_broken_placeholder": [
        (W, 3, "sentence 'source.vi' has a broken {placeholder}"),
        (W, 7, "sentence 'ask_year.en' must be a text string, got the integer '2022' (put it in quotes)"),
    ],
    "records_list": [
        (H, 8, "field 'recognitions[0].year' is required"),
        (H, 8, "field 'recognitions[0].source' is required"),
    ],
    "source_no_title": [(H, 9, "field 'source.title' is required")],
    "source_seed_and_url": [(H, 9, "field 'source' must have exactly one of 'seed' or 'url'")],
    "source_neither": [(H, 9, "field 'source' must have exactly one of 'seed' or 'url'")],
    "seed_name": [(H, 9, "field 'source.seed' must be a seed file name")],
    "duplicate_id": [(H, 11, "duplicate id 'thien-mu-pagoda' in topic 'heritage_sites' (first at line 3)")],
    "alias_twice": [(H, 14, "alias 'chua co' of 'my-son-sanctuary' is also an alias of 'thien-mu-pagoda'")],
    "alias_is_name": [(H, 13, "alias 'CHUA THIEN MU' of 'my-son-sanctuary' is the name of 'thien-mu-pag")],
    "unsafe_tag": [(H, 9, "has the YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'")],
    "unknown_file": [("knowledge/notes.yml", 1, "unknown knowledge file")],
    "document_no_front_matter": [(D, 1, "a document starts with its front matter between two '---' lines")],
    "document_bad_fields": [
        (D, 3, "field 'source.url' must be an http:// or https:// address, got 'javascript:"),
        (D, 5, "unknown province 'hue'"),
        (D, 6, "field 'language' must be one of vi, en; got 'fr'"),
        (D, 8, "unknown field 'author'"),
    ],
    "document_bad_date": [
        (D, 4, "field 'date' must be the date the source states: YYYY-MM-DD, YYYY-MM or YYYY")
    ],
    "document_no_text": [
        ("knowledge/documents/Tuan_Le.md", 1, "the file name 'Tuan_Le.md' must be an id"),
        ("knowledge/documents/Tuan_Le.md", 9, "the document has no text after its front matter"),
    ],
    "language_bad_abbreviation": [
        (A, 3, "'Quảng Ngãi': write what people type in lower case without diacritics"),
        (A, 4, "the meaning of 'bn' must be text"),
    ],
    "language_bad_glossary": [
        ("knowledge/language/glossary.yml", 3, "field 'vi' must be a list, got the text 'đại biểu'"),
        ("knowledge/language/glossary.yml", 5, "unknown field 'fr'"),
    ],
    "language_bad_out_of_scope": [
        (
            "knowledge/language/out_of_scope.yml",
            1,
            "field 'health' must be a list, got the text 'triệu chứng'",
        )
    ],
    "yaml_extension": [("knowledge/events.yaml", 1, "knowledge files end in .yml")],
}


def test_every_broken_fixture_has_a_case() -> None:
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(CASES)


def test_valid_fixture_has_no_problem(knowledge_dir: Path) -> None:
    topics, problems = validate_dir(knowledge_dir)
    assert problems == []
    assert set(topics) == set(schema.TOPIC_FILES)
    assert all(topics[topic] for topic in schema.TOPIC_FILES), "the fixture has entries in every topic"
    site = next(e for e in topics["heritage_sites"] if e.id == "hue-imperial-city")
    assert site.file == "knowledge/heritage_sites.yml"
    assert site.line == 19
    assert site["as_of"] == "2024-01-01"
    assert site["coordinates"]["lat"] == 16.0


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_fixture(tmp_path: Path, case: str) -> None:
    _, problems = validate_dir(knowledge_copy(tmp_path, case))
    expected = CASES[case]
    assert len(problems) == len(expected), [str(p) for p in problems]
    for problem, (file, line, fragment) in zip(problems, expected, strict=True):
        assert str(problem).startswith(f"{file}:{line}: "), str(problem)
        assert fragment in problem.message, str(problem)


@pytest.mark.parametrize("written", ["12.5", "3.14", "0.125", "-0.5", "1234.5", "2022", "12.3450"])
def test_real_decimals_are_not_thousands(knowledge_dir: Path, written: str) -> None:
    path = knowledge_dir / "tourism_statistics.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 1000\n", f"value: {written}\n", 1))
    topics, problems = validate_dir(knowledge_dir)
    assert problems == []
    entry = next(e for e in topics["tourism_statistics"] if e.id == "quang-ngai-visitors-2022")
    assert entry["value"] == float(written)


def test_thousands_separator_in_an_integer_field(knowledge_dir: Path) -> None:
    path = knowledge_dir / "tourism_statistics.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2022\n", "year: 2.022\n", 1))
    _, problems = validate_dir(knowledge_dir)
    assert [str(p) for p in problems] == [
        f"{T}:7: field 'year' is written '2.022', which YAML reads as the number 2.022; write 2022 "
        "(no thousands separator)"
    ]


def test_quoted_number_is_text_not_thousands(knowledge_dir: Path) -> None:
    path = knowledge_dir / "tourism_statistics.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 1000\n", 'value: "650.000"\n', 1))
    _, problems = validate_dir(knowledge_dir)
    assert [p.message for p in problems] == ["field 'value' must be a number, got the text '650.000'"]


def test_the_project_wording_file_is_valid(knowledge_dir: Path) -> None:
    """The real knowledge/wording/answers.yml passes the wording rules (and make kb-check checks it)."""
    project_wording = Path(__file__).resolve().parents[2] / "knowledge" / "wording"
    shutil.copytree(project_wording, knowledge_dir / "wording")
    _, problems = validate_dir(knowledge_dir)
    assert problems == []


def test_empty_wording_file(knowledge_dir: Path) -> None:
    (knowledge_dir / "wording").mkdir()
    (knowledge_dir / "wording" / "answers.yml").write_text("# nothing\n", encoding="utf-8")
    _, problems = validate_dir(knowledge_dir)
    assert [str(p) for p in problems] == [
        f"{W}:1: the file is empty; it must hold the sentences as a mapping"
    ]


def test_unsafe_tag_is_never_run(tmp_path: Path) -> None:
    folder = knowledge_copy(tmp_path)
    marker = tmp_path / "ran"
    (folder / "events.yml").write_text(
        f"entries:\n  - id: x\n    name: !!python/object/apply:pathlib.Path.touch [!!python/object/apply:"
        f"pathlib.Path ['{marker}']]\n",
        encoding="utf-8",
    )
    _, problems = validate_dir(folder)
    assert not marker.exists()
    assert any("tags are not allowed" in p.message for p in problems)


def test_all_problems_are_collected(tmp_path: Path) -> None:
    folder = knowledge_copy(tmp_path, "missing_field")
    for case in ("wrong_int", "idlist_unknown", "unknown_file"):
        for path in (BROKEN / case).iterdir():
            (folder / path.name).write_bytes(path.read_bytes())
    _, problems = validate_dir(folder)
    assert [f"{p.file}:{p.line}" for p in problems] == [
        "knowledge/heritage_sites.yml:3",
        "knowledge/notes.yml:1",
        "knowledge/public_services.yml:7",
        "knowledge/tourism_statistics.yml:7",
    ]


def test_missing_file_is_an_empty_topic(knowledge_dir: Path) -> None:
    (knowledge_dir / "administrative_changes.yml").unlink()
    topics, problems = validate_dir(knowledge_dir)
    assert problems == []
    assert topics["administrative_changes"] == []


def test_empty_entries_and_empty_file(knowledge_dir: Path) -> None:
    (knowledge_dir / "administrative_changes.yml").write_text("entries: []\n", encoding="utf-8")
    (knowledge_dir / "events.yml").write_text("# nothing yet\n", encoding="utf-8")
    _, problems = validate_dir(knowledge_dir)
    assert [str(p) for p in problems] == [
        "knowledge/events.yml:1: the file is empty; it must hold a mapping with the key 'entries:'"
    ]


def test_unreadable_topic_does_not_cascade(knowledge_dir: Path) -> None:
    """When portals.yml cannot be parsed, its ids are unknown: no 'not an id' noise from public_services."""
    (knowledge_dir / "portals.yml").write_text("entries: [\n", encoding="utf-8")
    _, problems = validate_dir(knowledge_dir)
    assert len(problems) == 1
    assert problems[0].file == "knowledge/portals.yml"
    assert "YAML syntax error" in problems[0].message


def test_not_utf8(knowledge_dir: Path) -> None:
    (knowledge_dir / "events.yml").write_bytes(b"entries:\n  - id: caf\xe9\n")
    _, problems = validate_dir(knowledge_dir)
    assert [str(p) for p in problems] == ["knowledge/events.yml:2: the file is not valid UTF-8 text"]


def test_dates_as_text_are_accepted(knowledge_dir: Path) -> None:
    topics, problems = validate_dir(knowledge_dir)
    assert problems == []
    week = next(e for e in topics["events"] if e.id == "quang-ngai-dx-week-2023")
    assert (week["start_date"], week["end_date"]) == ("2023-10-01", "2023-10-07")  # a YAML date and a string


def test_seed_files_are_checked_when_the_folder_is_given(knowledge_dir: Path, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "000_83f1f0376246b7e0.txt").write_text("seed", encoding="utf-8")
    _, problems = validate_dir(knowledge_dir, seeds_dir=seeds)
    assert problems and all("001_f33f4839fe801178.txt" in p.message for p in problems)
    assert {p.file for p in problems} == {"knowledge/tourism_statistics.yml"}


def test_label_and_missing_folder(tmp_path: Path, knowledge_dir: Path) -> None:
    _, problems = validate_dir(knowledge_copy(tmp_path / "x", "bad_id"), label="kb")
    assert str(problems[0]).startswith("kb/heritage_sites.yml:3: ")
    with pytest.raises(KnowledgeError):
        validate_dir(tmp_path / "nowhere")


def test_load_dir_raises_on_problems(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_dir(knowledge_copy(tmp_path, "bad_date"))
    assert caught.value.problems == (Problem(H, 10, "field 'as_of' is not a real date: '2023-13-45'"),)


def test_entries_are_immutable(knowledge_dir: Path) -> None:
    entry = load_dir(knowledge_dir)["provinces"][0]
    with pytest.raises(TypeError):
        entry.data["province"] = "national"  # type: ignore[index]
    assert isinstance(entry.to_json()["aliases"], list)


def test_schema_specs_are_understood() -> None:
    """Every type name used in schema.py is one the validator knows, and every reference resolves."""
    from assistant.kb.validate import _CHECKERS

    tables = [schema.COMMON_FIELDS, schema.SOURCE_FIELDS, *schema.RECORDS.values()]
    tables += schema.TOPIC_FIELDS.values()
    for table in tables:
        for spec_text in table.values():
            spec = parse_spec(spec_text)
            assert spec.kind in _CHECKERS, spec_text
            if spec.kind in ("ref", "idlist"):
                assert spec.arg in schema.TOPIC_FIELDS, spec_text
            if spec.kind in ("record", "list"):
                assert spec.arg in schema.RECORDS, spec_text
    assert parse_spec("enum:a|b?").optional and parse_spec("enum:a|b?").arg == "a|b"
