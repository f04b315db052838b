"""The one-writer lock of a file index: ``INDEX.lock`` beside it, held with ``flock``.

The holder writes who it is (pid, host, time, what it does) into the lock file, so a second
writer is refused with a line naming the holder. The kernel drops a ``flock`` when its
process dies, even by ``kill -9``, so a crashed writer never leaves the index locked.
Readers take no lock: SQLite's WAL mode lets them read while one writer writes.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

from cleaner.index.format import IndexLocked


@contextmanager
def file_lock(path: str, what: str, index: str) -> Iterator[None]:
    """Hold the writer lock `path` for the block, or raise `IndexLocked` naming its holder."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "another process"
            raise IndexLocked(
                f"index {index} is being written by {holder}; one writer at a time:"
                " try again when it has finished"
            ) from None
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        note = f"pid {os.getpid()} on {socket.gethostname()} since {stamp} ({what})"
        os.ftruncate(fd, 0)
        os.pwrite(fd, note.encode("utf-8"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
