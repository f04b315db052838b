"""Where cleaner keeps what it can rebuild, and when a file there may be trusted.

Two things are cached across runs, each only to save start-up time (a run never depends on
them): the regex-safety verdicts of the rule packs (`cleaner.rules.verdicts`) and langdetect's
profiles as a matrix (`cleaner.langid.profile_cache`). Both live in `$XDG_CACHE_HOME/cleaner`
(an absolute path, per the XDG rule), else `~/.cache/cleaner`. `CLEANER_NO_CACHE=1` switches
caching off. A file is read only if it is a regular file of this user that nobody else can
write: another user could otherwise choose what a run believes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def cache_dir() -> Path | None:
    """`$XDG_CACHE_HOME/cleaner` (an absolute path), else `~/.cache/cleaner`; None when the
    cache is switched off or no home is known."""
    if os.environ.get("CLEANER_NO_CACHE", "") not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        try:
            base = str(Path.home() / ".cache")
        except (KeyError, RuntimeError):  # no home directory known
            return None
    return Path(base) / "cleaner"


def trusted(path: Path) -> bool:
    """True if `path` is a regular file of this user that nobody else can write."""
    try:
        info = path.stat()
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    getuid = getattr(os, "getuid", None)
    return getuid is None or info.st_uid == getuid()
