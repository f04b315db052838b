"""Where the packaged default rule packs live.

An installed wheel carries them as `cleaner/_rules` (pyproject force-includes the top-level
`rules/` there); an editable or source checkout reads the repository's `rules/` directly, so
editing a pack takes effect without reinstalling.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def default_rules_dir() -> Path:
    """The directory holding the default `*.toml` rule packs."""
    packaged = resources.files("cleaner") / "_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rules"  # cleaner/rules/locate.py -> repo
