"""Event times (`start_time`, `end_time`): HH:MM, 24-hour, quoted or not (YAML 1.1 reads 14:30 as 870)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.kb.validate import validate_dir

E = "knowledge/events.yml"


def with_times(knowledge_dir: Path, start: str, end: str) -> Path:
    path = knowledge_dir / "events.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "    start_date: 2023-10-10\n",
            f"    start_date: 2023-10-10\n    start_time: {start}\n    end_time: {end}\n",
            1,
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(("start", "end"), [('"08:00"', '"11:30"'), ("08:00", "14:30"), ("'07:05'", "23:59")])
def test_times_are_read_as_written(knowledge_dir: Path, start: str, end: str) -> None:
    with_times(knowledge_dir, start, end)
    topics, problems = validate_dir(knowledge_dir)
    assert problems == []
    [event] = [e for e in topics["events"] if e.get("start_time")]
    assert (event["start_time"], event["end_time"]) == (start.strip("'\""), end.strip("'\""))


@pytest.mark.parametrize("written", ['"24:00"', '"8:00"', '"08h00"', "true", '"08:60"'])
def test_a_time_that_is_not_hh_mm_is_a_problem(knowledge_dir: Path, written: str) -> None:
    with_times(knowledge_dir, written, '"11:30"')
    _, problems = validate_dir(knowledge_dir)
    assert [p.file for p in problems] == [E]
    assert "field 'start_time' must be a time HH:MM (24-hour, like 08:30)" in problems[0].message
