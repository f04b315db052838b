"""List the files under a directory in a stable order, for reproducible runs.

The order is the sorted relative POSIX path, so it does not depend on the file system's listing
order, and the same tree gives the same output on every machine. Hidden files and directories
(names starting with ".") are skipped: they are editor swap files, `.git`, `.DS_Store`.
Symbolic links to directories are followed once (a link cycle is not walked again), and a
directory that cannot be listed is reported rather than silently skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entry:
    """One walk result: a file to read, or a directory that could not be listed (`error`)."""

    rel: str  # POSIX path relative to the walked root
    path: str  # path to open: root joined with rel
    error: str = ""


def walk_files(root: str) -> list[Entry]:
    """All non-hidden files under `root` (recursively), sorted by relative path."""
    entries: list[Entry] = []
    seen: set[tuple[int, int]] = set()
    _collect(root, "", entries, seen)
    entries.sort(key=lambda entry: entry.rel)
    return entries


def _collect(directory: str, rel: str, out: list[Entry], seen: set[tuple[int, int]]) -> None:
    try:
        info = os.stat(directory)
        key = (info.st_dev, info.st_ino)
        if key in seen:
            return
        seen.add(key)
        with os.scandir(directory) as listing:
            children = sorted(listing, key=lambda child: child.name)
    except OSError as exc:
        out.append(Entry(rel=rel or ".", path=directory, error=exc.strerror or str(exc)))
        return
    for child in children:
        if child.name.startswith("."):
            continue
        child_rel = f"{rel}/{child.name}" if rel else child.name
        try:
            is_dir = child.is_dir()
            is_file = not is_dir and child.is_file()
        except OSError as exc:
            out.append(Entry(rel=child_rel, path=child.path, error=exc.strerror or str(exc)))
            continue
        if is_dir:
            _collect(child.path, child_rel, out, seen)
        elif is_file:
            out.append(Entry(rel=child_rel, path=child.path))
        elif child.is_symlink():
            out.append(Entry(rel=child_rel, path=child.path, error="broken symbolic link"))
