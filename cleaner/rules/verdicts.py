"""Remember `backtracking_risk` verdicts on disk, so a run does not re-prove its rule packs.

Proving the packaged patterns free of catastrophic backtracking (`cleaner.rules.safety`) takes
about a tenth of a second of CPU at every `cleaner clean`, and again in every worker process.
The verdict depends only on the pattern's text, on the analysis code and on the regex engine
that parses it, so it is kept in one JSON file under the user's cache directory
(`$XDG_CACHE_HOME/cleaner/`, else `~/.cache/cleaner/`), keyed by the SHA-256 of each pattern.

What keeps the guarantee (a pathological pattern is still refused):

- a pattern whose digest is not in the file is analysed, as before; only then is its verdict
  added. A new or edited rule is therefore always analysed;
- the file is only trusted under the same *stamp*: the digest of the analysis module's own
  source, the Python version and build, and `re`'s engine version (`re._constants.MAGIC`).
  Another version of cleaner, of the analysis or of Python starts from an empty cache;
- a file that does not parse, has the wrong shape, is not the user's own (another owner), or
  can be written by others (group or world writable) is ignored, as if absent;
- the file is replaced atomically (`cleaner.io.atomic.AtomicFile`); any error reading or
  writing it only costs the analysis, never a failed run.

`CLEANER_NO_CACHE=1` in the environment switches the cache off.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import cleaner.rules.safety as safety
from cleaner.cache import cache_dir, trusted
from cleaner.io.atomic import AtomicFile

#: Bump when the file's layout changes.
FORMAT = 1
FILE_NAME = "regex-safety.json"
#: Entries kept at most: a file shared by every rule set a user ever loaded stays small.
MAX_ENTRIES = 4096


@lru_cache(maxsize=1)
def stamp() -> str:
    """What a verdict depends on besides the pattern: the analysis code and the regex engine."""
    constants: Any = importlib.import_module("re._constants")
    magic = getattr(constants, "MAGIC", "")
    try:
        analysis = Path(safety.__file__).read_bytes()
    except OSError:
        analysis = b""
    digest = hashlib.sha256(analysis)
    digest.update(f"\0{FORMAT}\0{sys.version}\0{sys.implementation.cache_tag}\0{magic}".encode())
    return digest.hexdigest()


def pattern_key(source: str) -> str:
    """The cache key of one pattern: its SHA-256 (surrogates kept, so every str has one)."""
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def read_verdicts(path: Path) -> dict[str, str | None]:
    """The verdicts stored at `path` under the current stamp; empty for a missing, corrupt,
    foreign or differently stamped file."""
    if not trusted(path):
        return {}
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("stamp") != stamp():
        return {}
    verdicts = data.get("verdicts")
    if not isinstance(verdicts, dict):
        return {}
    for key, value in verdicts.items():
        if len(key) != 64 or not (value is None or isinstance(value, str)):
            return {}
    return verdicts


def write_verdicts(path: Path, verdicts: dict[str, str | None]) -> None:
    """Replace the file at `path` atomically with `verdicts` (the newest MAX_ENTRIES); errors
    are swallowed: the cache is an optimisation only."""
    kept = dict(list(verdicts.items())[-MAX_ENTRIES:])
    body = {"format": FORMAT, "stamp": stamp(), "verdicts": kept}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with AtomicFile(path) as fh:
            fh.write(json.dumps(body, sort_keys=True).encode("utf-8"))
        os.chmod(path, 0o644)
    except OSError:
        pass


class VerdictCache:
    """The verdicts of one process: read from disk on first use, saved when new ones came."""

    def __init__(self, directory: Path | None) -> None:
        self.path = directory / FILE_NAME if directory is not None else None
        self._verdicts: dict[str, str | None] | None = None
        self._dirty = False

    def _loaded(self) -> dict[str, str | None]:
        if self._verdicts is None:
            self._verdicts = read_verdicts(self.path) if self.path is not None else {}
        return self._verdicts

    def risk(self, source: str) -> str | None:
        """`safety.backtracking_risk(source)`, from the cache when it is known there."""
        verdicts = self._loaded()
        key = pattern_key(source)
        if key in verdicts:
            return verdicts[key]
        verdict = safety.backtracking_risk(source)
        verdicts[key] = verdict
        self._dirty = True
        return verdict

    def save(self) -> None:
        """Write the verdicts out if any were added since the last save."""
        if not self._dirty or self.path is None:
            return
        self._dirty = False
        merged = read_verdicts(self.path)
        merged.update(self._loaded())
        write_verdicts(self.path, merged)


_PROCESS_CACHE: VerdictCache | None = None


def process_cache() -> VerdictCache:
    """The cache of this process, in the directory `cache_dir()` named when first asked."""
    global _PROCESS_CACHE
    if _PROCESS_CACHE is None:
        _PROCESS_CACHE = VerdictCache(cache_dir())
    return _PROCESS_CACHE


def reset_process_cache() -> None:
    """Forget the process cache (the next use reads `cache_dir()` again); for tests."""
    global _PROCESS_CACHE
    _PROCESS_CACHE = None


__all__ = [
    "VerdictCache",
    "cache_dir",
    "pattern_key",
    "process_cache",
    "read_verdicts",
    "reset_process_cache",
    "stamp",
    "write_verdicts",
]
