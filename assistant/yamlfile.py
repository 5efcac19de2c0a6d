"""Safe YAML reading, with libyaml's C parser when PyYAML was built with it (about ten times faster than the
pure-Python one, which made a hot reload take seconds)."""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """The Python value of a YAML text, built by the safe constructor only."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader


def compose(text: str) -> yaml.Node | None:
    """The node tree of a YAML text (with line marks), for checks that report `file:line`."""
    return yaml.compose(text, Loader=SafeLoader)
