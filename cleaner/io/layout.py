"""Document ids -> relative file paths for directory output, safely and without collisions.

An id like `business/001.txt` becomes `business/001.txt` under the output directory, so an
input tree comes out as the same tree. Ids come from untrusted data, so:

- `/` and `\\` separate components; empty and `.` components are dropped, so an absolute id
  stays inside the output directory; `..` becomes `__`, so nothing escapes it;
- control characters and lone surrogates (from undecodable file names) become `_`; a
  component longer than 200 bytes is shortened and given a hash of the original, so the file
  system accepts it;
- `.txt` is appended when the id does not already end with it;
- the path is at most 32 components deep and 1,000 bytes long: the components beyond either
  bound are folded into the last one (joined by `_`, with a hash of the whole id), so an id
  of any depth or length gets a path every file system can create;
- two ids that land on the same path (also case-insensitively, for macOS and Windows file
  systems), or a file where an earlier id needs a directory, get a `~2`, `~3`, ... suffix
  (directories a `~d` suffix), in input order, so no document overwrites another.
"""

from __future__ import annotations

import hashlib
import re

SUFFIX = ".txt"
#: Longest component, in UTF-8 bytes (file systems allow 255).
MAX_COMPONENT_BYTES = 200
#: Most components in one relative path.
MAX_DEPTH = 32
#: Longest relative path, in UTF-8 bytes, separators included (PATH_MAX is 4,096 on Linux).
MAX_PATH_BYTES = 1000
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_HASH_CHARS = 12


def safe_parts(doc_id: str) -> list[str]:
    """Sanitised path components for `doc_id` (the last one ends with `.txt`)."""
    parts: list[str] = []
    for part in re.split(r"[/\\]", doc_id):
        if part in ("", "."):
            continue
        if part == "..":
            part = "__"
        parts.append(_shorten(_UNSAFE.sub("_", part)))
    if not parts:
        parts = ["_"]
    if not parts[-1].lower().endswith(SUFFIX):
        parts[-1] = _shorten(parts[-1] + SUFFIX, keep_suffix=True)
    return _bounded(parts, doc_id)


def _bounded(parts: list[str], doc_id: str) -> list[str]:
    """`parts` within MAX_DEPTH and MAX_PATH_BYTES: the directories that fit are kept, the
    rest are folded with the file name into one last component carrying a hash of `doc_id`
    (two ids that share the kept prefix and the folded text still differ by the hash)."""
    sizes = [len(part.encode("utf-8")) for part in parts]
    if len(parts) <= MAX_DEPTH and sum(sizes) + len(parts) - 1 <= MAX_PATH_BYTES:
        return parts
    kept: list[str] = []
    used = 0
    # Room for the folded last component (at most MAX_COMPONENT_BYTES) and its separator.
    budget = MAX_PATH_BYTES - MAX_COMPONENT_BYTES - 1
    for part, size in zip(parts[:-1], sizes, strict=False):
        if len(kept) == MAX_DEPTH - 1 or used + size + 1 > budget:
            break
        kept.append(part)
        used += size + 1
    rest = "_".join(parts[len(kept) :])
    stem = rest[: -len(SUFFIX)] if rest.lower().endswith(SUFFIX) else rest
    digest = _digest(doc_id)
    room = MAX_COMPONENT_BYTES - len(SUFFIX) - _HASH_CHARS - 1
    head = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return [*kept, f"{head}~{digest}{SUFFIX}"]


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", errors="surrogatepass")).hexdigest()[:_HASH_CHARS]


def _shorten(part: str, *, keep_suffix: bool = False) -> str:
    data = part.encode("utf-8")
    if len(data) <= MAX_COMPONENT_BYTES:
        return part
    digest = hashlib.sha1(data).hexdigest()[:_HASH_CHARS]
    tail = SUFFIX if keep_suffix or part.lower().endswith(SUFFIX) else ""
    room = MAX_COMPONENT_BYTES - _HASH_CHARS - 1 - len(tail)
    head = data[:room].decode("utf-8", errors="ignore")
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
