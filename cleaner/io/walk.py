"""List the files under a directory in a stable order, for reproducible runs.

The order is the sorted relative POSIX path, so it does not depend on the file system's listing
order, and the same tree gives the same output on every machine. Hidden files and directories
(names starting with ".") are skipped: they are editor swap files, `.git`, `.DS_Store`.
Symbolic links to directories are followed once (a link cycle is not walked again), and a
directory that cannot be listed is reported rather than silently skipped. A FIFO, device or
socket is listed with its kind in `special`, never opened: reading a FIFO blocks until a writer
comes, and a device can be endless; the reader rejects it.

File names that are not valid UTF-8 (possible on POSIX) are kept as the file system gives them
(`os.fsdecode`, surrogate escapes) in `path`, so the file can be opened, and shown with their
undecodable bytes as `\\xNN` in `rel`, the document id, so that it can be printed and written.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entry:
    """One walk result: a file to read, or a directory that could not be listed (`error`)."""

    rel: str  # POSIX path relative to the walked root, printable
    path: str  # path to open: root joined with the names as the file system gives them
    error: str = ""
    special: str = ""  # "FIFO", "character device", ...: not a regular file, never opened


def special_kind(path: str) -> str:
    """ "FIFO", "character device", "block device" or "socket" for such a file, else ""
    (regular files, directories, and paths that cannot be examined)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return ""
    return _special_mode(mode)


def _special_mode(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return ""


def printable_name(name: str) -> str:
    """`name` with the bytes that are not UTF-8 (surrogate escapes) shown as `\\xNN`."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="backslashreplace")
    return name


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
        name = printable_name(child.name)
        child_rel = f"{rel}/{name}" if rel else name
        try:
            is_dir = child.is_dir()
            is_file = not is_dir and child.is_file()
            special = "" if is_dir or is_file else _special_mode(child.stat().st_mode)
        except FileNotFoundError:
            special = ""  # a broken symbolic link: reported below
        except OSError as exc:
            out.append(Entry(rel=child_rel, path=child.path, error=exc.strerror or str(exc)))
            continue
        if is_dir:
            _collect(child.path, child_rel, out, seen)
        elif is_file:
            out.append(Entry(rel=child_rel, path=child.path))
        elif special:
            out.append(Entry(rel=child_rel, path=child.path, special=special))
        elif child.is_symlink():
            out.append(Entry(rel=child_rel, path=child.path, error="broken symbolic link"))
