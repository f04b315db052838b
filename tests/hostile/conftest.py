"""Fixtures shared by the hostile-input tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

_MARKER_PACK = """
pack = "local"
description = "A marker line that a site appends."

[[rule]]
id = "local.marker"
kind = "phrase"
why = "The marker line."
phrases = ["{phrase}"]
must_match = ["{phrase}"]
must_not_match = ["A line about something else"]
"""

WritePack = Callable[[Path, str], None]


@pytest.fixture
def write_marker_pack() -> WritePack:
    """Write (or overwrite) a one-rule pack at a path, removing the line `phrase`: how a test
    edits a rule file between two runs or calls."""

    def write(path: Path, phrase: str) -> None:
        path.write_text(_MARKER_PACK.format(phrase=phrase), encoding="utf-8")

    return write
