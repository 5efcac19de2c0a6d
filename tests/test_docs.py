"""The documentation a newcomer reads: short README, and every link and file path in it resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted(
    [
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "bot").rglob("*.md"),
        ROOT / "knowledge" / "README.md",
    ]
)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# A file of the project named in backquotes: a path with a folder and a known extension.
PATH = re.compile(r"`((?:[\w.-]+/)+[\w.-]+\.(?:md|py|yml|yaml|sh|js|css|html|toml|lock|in))`")
HEADING = re.compile(r"^#+\s+(.*)$", re.M)


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_the_readme_is_a_newcomers_page() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200
    assert lines[2:5] == ["```sh", *lines[3:5]] and "make run" in lines[3] and "make test" in lines[4]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_and_path_resolves(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):  # http(s), mailto: not checked here (no network)
            continue
        path, _, anchor = target.partition("#")
        file = (doc.parent / path).resolve() if path else doc
        if not file.exists():
            broken.append(target)
        elif anchor and file.suffix == ".md":
            anchors = {_anchor(h) for h in HEADING.findall(file.read_text(encoding="utf-8"))}
            if anchor not in anchors:
                broken.append(target)
    for path in PATH.findall(text):
        if path.startswith("var/"):  # written by a run (bench, eval), not kept in the repository
            continue
        if not (ROOT / path).exists() and not (doc.parent / path).exists():
            broken.append(path)
    assert broken == [], f"{doc.relative_to(ROOT)}: {broken}"
