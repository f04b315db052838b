"""What an index file says about itself: its format name and version, and the sketch settings.

An index stores ``format = cleaner-index`` and ``version = FORMAT_VERSION`` (and the
`Sketcher.settings` its sketches were made with). Opening refuses, in one line, a file that
is not an index (`NotAnIndex`), an index of another version (`VersionMismatch`) and an index
built with other dedup settings (`SettingsMismatch`): sketches made another way cannot be
compared, and a wrong answer is worse than none.
"""

from __future__ import annotations

import re

from cleaner.errors import ConfigError

FORMAT_NAME = "cleaner-index"
FORMAT_VERSION = 2


class IndexProblem(ConfigError):
    """An index that cannot be used as asked: one line, exit code 2 at the CLI."""


class NotAnIndex(IndexProblem):
    """The path or URL holds something else than a cleaner index (or a corrupt one)."""


class VersionMismatch(IndexProblem):
    """The index was written by another version of the index format."""


class SettingsMismatch(IndexProblem):
    """The index's sketches were made with other dedup settings."""


class IndexLocked(IndexProblem):
    """Another writer holds the index."""


def check_header(location: str, name: str | None, version: str | None) -> None:
    """Raise unless `name`/`version` (as read from the index) are this format's."""
    if name != FORMAT_NAME:
        raise NotAnIndex(f"{location} is not a cleaner index")
    if version != str(FORMAT_VERSION):
        raise VersionMismatch(
            f"{location} is a cleaner index of format version {version}; this cleaner reads"
            f" version {FORMAT_VERSION}: rebuild it with `cleaner index add`"
        )


def check_settings(location: str, stored: str, wanted: str) -> None:
    """Raise `SettingsMismatch` unless the index was sketched like `wanted`."""
    if stored != wanted:
        raise SettingsMismatch(
            f"{location} was built with other dedup settings than this run's"
            f" (index: {stored}; run: {wanted}): use the settings it was built with"
        )


_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_age(text: str) -> float:
    """``30d``, ``12h``, ``2w``, ``90m``, ``45s`` -> seconds; ConfigError otherwise."""
    found = _AGE.match(text)
    if not found:
        raise ConfigError(
            f"--older-than: expected a number and s, m, h, d or w (30d), got {text!r}"
        )
    return float(found.group(1)) * _SECONDS[found.group(2)]
