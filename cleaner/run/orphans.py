"""Worker processes that end when the process that started them dies.

A pool's workers wait on a queue that their parent feeds; if the parent is killed (SIGKILL,
the OOM killer) nobody feeds or stops them, and they would stay, each holding its memory, for
good. Every worker of cleaner's process pools therefore calls `die_with_parent` first.
Standard library only, so any pool (the run's, the dedup stages') can use it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

# prctl(2) option: the signal the kernel sends this process when its parent thread dies.
_PR_SET_PDEATHSIG = 1
# How often the portable fallback looks whether the parent is still there.
_POLL_SECONDS = 1.0


def die_with_parent(parent: int) -> None:
    """In a freshly started worker: end this process when `parent` (its starter's pid) dies.

    On Linux the kernel sends SIGKILL at once (prctl PR_SET_PDEATHSIG). Everywhere, a daemon
    thread looks once a second whether the parent is still `parent` (a dead process's
    children are adopted by another) and ends the process when it is not.
    """
    _set_pdeathsig(signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the kernel was told to watch it
        os._exit(1)
    watcher = threading.Thread(
        target=_watch, args=(parent,), name="cleaner-parent-watch", daemon=True
    )
    watcher.start()


def _set_pdeathsig(signum: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
    except (OSError, AttributeError):  # no prctl to call: the watcher thread still works
        pass


def _watch(parent: int) -> None:
    while True:
        time.sleep(_POLL_SECONDS)
        if os.getppid() != parent:
            os._exit(1)
