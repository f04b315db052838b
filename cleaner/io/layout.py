"""Document ids -> relative file paths for directory output, safely and without collisions.

An id like `business/001.txt` becomes `business/001.txt` under the output directory, so an
input tree comes out as the same tree. Ids come from untrusted data, so:

- `/` and `\\` separate components; empty and `.` components are dropped, so an absolute id
  stays inside the output directory; `..` becomes `__`, so nothing escapes it;
- control characters become `_`; a component longer than 200 bytes is shortened and given a
  hash of the original, so the file system accepts it;
- `.txt` is appended when the id does not already end with it;
- two ids that land on the same path (also case-insensitively, for macOS and Windows file
  systems), or a file where an earlier id needs a directory, get a `~2`, `~3`, ... suffix
  (directories a `~d` suffix), in input order, so no document overwrites another.
"""

from __future__ import annotations

import hashlib
import re

SUFFIX = ".txt"
_MAX_COMPONENT_BYTES = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_parts(doc_id: str) -> list[str]:
    """Sanitised path components for `doc_id` (the last one ends with `.txt`)."""
    parts: list[str] = []
    for part in re.split(r"[/\\]", doc_id):
        if part in ("", "."):
            continue
        if part == "..":
            part = "__"
        parts.append(_shorten(_CONTROL.sub("_", part)))
    if not parts:
        parts = ["_"]
    if not parts[-1].lower().endswith(SUFFIX):
        parts[-1] = _shorten(parts[-1] + SUFFIX, keep_suffix=True)
    return parts


def _shorten(part: str, *, keep_suffix: bool = False) -> str:
    data = part.encode("utf-8")
    if len(data) <= _MAX_COMPONENT_BYTES:
        return part
    digest = hashlib.sha1(data).hexdigest()[:12]
    tail = SUFFIX if keep_suffix or part.lower().endswith(SUFFIX) else ""
    head = data[: _MAX_COMPONENT_BYTES - 13 - len(tail)].decode("utf-8", errors="ignore")
    return f"{head}~{digest}{tail}"


class Layout:
    """Assigns each document id a unique relative path, remembering what is taken."""

    def __init__(self) -> None:
        self._files: set[str] = set()
        self._dirs: set[str] = set()

    def path_for(self, doc_id: str) -> str:
        """The relative POSIX path for `doc_id`, unique among the paths handed out so far."""
        parts = safe_parts(doc_id)
        # A directory component may not be a file that was already written.
        for i in range(len(parts) - 1):
            while _key(parts[: i + 1]) in self._files:
                parts[i] += "~d"
        stem, name = parts[:-1], parts[-1]
        base, suffix = name[: -len(SUFFIX)], name[-len(SUFFIX) :]
        n = 1
        while _key([*stem, name]) in self._files or _key([*stem, name]) in self._dirs:
            n += 1
            name = f"{base}~{n}{suffix}"
        parts = [*stem, name]
        self._files.add(_key(parts))
        for i in range(1, len(parts)):
            self._dirs.add(_key(parts[:i]))
        return "/".join(parts)


def _key(parts: list[str]) -> str:
    return "/".join(parts).casefold()
