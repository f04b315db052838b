"""Write a file or a directory so that it appears complete or not at all.

Output is written to a temporary sibling (same directory, so the final rename never crosses a
file system), flushed to disk with fsync, and renamed over the target only when writing
finished without an exception. On an exception the temporary is removed and an existing target
is left untouched. A crash (kill -9, power loss) can leave a hidden `.NAME.*.tmp` sibling
behind, but never a truncated file under the real name that looks like a finished run; the
next `cleaner clean` writing the same target removes those leftovers
(`remove_stale_temporaries`).

A target that is a special file (`/dev/null`, a FIFO, a terminal, a socket) is written
directly instead: renaming over it would replace the device or the pipe with a regular file.

A directory tree holds a marker file (`OUTPUT_MARKER`) written with it, so that a later run
can tell a tree cleaner wrote (which it may replace) from a directory someone else owns
(which `AtomicDirectory` refuses to replace unless told to).

    with AtomicFile("out.jsonl") as fh:     # a binary file handle
        fh.write(b"...")
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
from types import TracebackType
from typing import IO

from cleaner.errors import CleanerError

#: The file inside every directory tree cleaner writes; its presence lets a run replace it.
OUTPUT_MARKER = ".cleaner-output"
_MARKER_TEXT = b"Written by cleaner: the next run writing this directory replaces it whole.\n"


def is_special_file(path: str | os.PathLike[str]) -> bool:
    """True when `path` exists (after symlinks) and is neither a regular file nor a directory:
    a character or block device, a FIFO, a socket."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def is_marked_directory(path: str | os.PathLike[str]) -> bool:
    """True when `path` is a directory holding the marker of a tree cleaner wrote."""
    return os.path.isfile(os.path.join(path, OUTPUT_MARKER))


def replaceable_directory(path: str | os.PathLike[str]) -> bool:
    """True when an existing directory may be replaced without being asked: cleaner wrote it
    (it holds the marker) or it is empty (nothing in it can be lost)."""
    try:
        return is_marked_directory(path) or not os.listdir(path)
    except OSError:
        return False


class NotOurDirectoryError(CleanerError):
    """The target of a directory output exists, is not empty, and cleaner did not write it."""


def _temp_name(target: str, kind: str) -> str:
    head, tail = os.path.split(os.path.abspath(target))
    return os.path.join(head, f".{tail}.{os.getpid()}.{secrets.token_hex(4)}.{kind}")


def _process_is_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (an impossible id counts as alive:
    then the file is not one of ours to judge)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):  # another user's process; no pid
        return True
    return True


def remove_stale_temporaries(target: str | os.PathLike[str]) -> list[str]:
    """Delete the temporaries that writers of `target` killed mid-write left behind.

    A temporary is named `.NAME.PID.HEX.KIND` (see `_temp_name`); one is stale when no process
    with its PID runs on this machine, so a write in progress here is never touched (a writer
    in another PID namespace or on another host sharing the directory cannot be seen). The
    previous tree that `AtomicDirectory.commit` moved aside (`.old`) is kept while the target
    is missing: a crash between its two renames leaves it the only copy. Best effort: what
    cannot be deleted stays. Returns the paths removed, sorted.
    """
    head, tail = os.path.split(os.path.abspath(os.fspath(target)))
    pattern = re.compile(
        rf"\.{re.escape(tail)}\.([0-9]{{1,10}})\.[0-9a-f]{{8}}\.(tmp|tmpdir|old)", re.ASCII
    )
    try:
        names = sorted(os.listdir(head))
    except OSError:
        return []
    target_exists = os.path.lexists(os.path.join(head, tail))
    removed = []
    for name in names:
        match = pattern.fullmatch(name)
        if match is None or _process_is_alive(int(match.group(1))):
            continue
        if match.group(2) == "old" and not target_exists:
            continue
        path = os.path.join(head, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(path)
        if not os.path.lexists(path):
            removed.append(path)
    return removed


def fsync_directory(path: str) -> None:
    """Make a rename inside `path` durable (best effort: not every platform allows it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class AtomicFile:
    """A context manager giving a binary handle; commit on clean exit, discard on exception.

    Can also be driven by hand: `open()`, then `commit()` or `discard()`. Missing parent
    directories are created. The file gets the usual permissions (0666 minus the umask).
    A special file (`/dev/null`, a FIFO) is opened and written directly, with no temporary:
    what was written cannot be taken back there, and the file itself stays what it was.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.temp_path = ""
        self._handle: IO[bytes] | None = None
        self._finished = False
        self._direct = False

    def open(self) -> IO[bytes]:
        """Create the temporary file (once) and return its handle."""
        if self._handle is not None:
            return self._handle
        if self._finished:
            raise ValueError(f"{self.path}: already committed or discarded")
        if os.path.isdir(self.path):
            raise IsADirectoryError(f"{self.path}: is a directory")
        if is_special_file(self.path):
            self._direct = True
            self._handle = open(self.path, "wb")  # noqa: SIM115 (closed by commit/discard)
            return self._handle
        parent = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(parent, exist_ok=True)
        while True:
            temp = _temp_name(self.path, "tmp")
            try:
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue
            break
        self.temp_path = temp
        self._handle = os.fdopen(fd, "wb")
        return self._handle

    def commit(self) -> None:
        """Flush, fsync and rename the temporary file over the target (once)."""
        if self._finished:
            return
        handle = self._handle if self._handle is not None else self.open()
        if self._direct:
            self._handle = None
            self._finished = True
            handle.close()
            return
        try:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.replace(self.temp_path, self.path)
        except BaseException:
            self.discard()
            raise
        self._handle = None
        self._finished = True
        self.temp_path = ""
        fsync_directory(os.path.dirname(os.path.abspath(self.path)))

    def discard(self) -> None:
        """Close and delete the temporary file; the target is not touched."""
        self._finished = True
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None
        if self.temp_path:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.temp_path)

    def __enter__(self) -> IO[bytes]:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


class AtomicDirectory:
    """Build a directory in a temporary sibling and swap it in on success.

    POSIX cannot rename a directory over a non-empty one in one step, so an existing target is
    first renamed aside, the new one renamed in, and the old one deleted. The gap between the two
    renames is a few microseconds; a crash inside it leaves both trees under hidden sibling
    names and nothing under the target name, never a half-written target.

    The new tree gets the marker file `OUTPUT_MARKER`. An existing target is replaced only
    when it holds that marker or is empty, or with `overwrite=True`; otherwise `open` and
    `commit` raise `NotOurDirectoryError` and the target is not touched.
    """

    def __init__(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        self.path = os.fspath(path).rstrip("/" + os.sep) or os.fspath(path)
        self.overwrite = overwrite
        self.temp_path = ""

    def _check_target(self) -> None:
        if self.overwrite or not os.path.isdir(self.path) or replaceable_directory(self.path):
            return
        raise NotOurDirectoryError(
            f"{self.path}: an existing directory cleaner did not write; it would be replaced"
            " whole (use --overwrite to allow that, or choose a new directory)"
        )

    def open(self) -> str:
        """Create the temporary directory and return its path."""
        if self.temp_path:
            return self.temp_path
        if os.path.exists(self.path) and not os.path.isdir(self.path):
            raise NotADirectoryError(f"{self.path}: exists and is not a directory")
        self._check_target()
        parent = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(parent, exist_ok=True)
        while True:
            temp = _temp_name(self.path, "tmpdir")
            try:
                os.mkdir(temp)
            except FileExistsError:
                continue
            break
        self.temp_path = temp
        return temp

    def commit(self) -> None:
        temp = self.open()
        parent = os.path.dirname(os.path.abspath(self.path))
        try:
            self._check_target()  # again: the directory may have appeared during the run
            with open(os.path.join(temp, OUTPUT_MARKER), "wb") as marker:
                marker.write(_MARKER_TEXT)
                marker.flush()
                os.fsync(marker.fileno())
        except BaseException:
            self.discard()
            raise
        fsync_directory(temp)
        old = ""
        if os.path.isdir(self.path):
            old = _temp_name(self.path, "old")
            os.rename(self.path, old)
        try:
            os.rename(temp, self.path)
        except BaseException:
            if old:
                os.rename(old, self.path)
            self.discard()
            raise
        self.temp_path = ""
        fsync_directory(parent)
        if old:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        if self.temp_path:
            shutil.rmtree(self.temp_path, ignore_errors=True)
            self.temp_path = ""

    def __enter__(self) -> str:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()
