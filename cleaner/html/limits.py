"""A per-document time limit, so that one pathological page cannot hang a run.

In the main thread of a process (the CLI, and every worker process: workers run their batches
in their main thread) the limit is preemptive: `signal.setitimer` arms a one-shot real-time
timer whose SIGALRM handler raises `TimeLimitExceeded` in the middle of the extraction. The
exception is raised between two Python bytecodes, so a single long call into C (one lxml
parse) finishes first; extraction code runs enough Python that this is seconds, not hours.
An outer timer, if the caller had one armed, is restored afterwards (minus the time spent).

Elsewhere (a thread of a host application, a platform without SIGALRM) signals cannot
interrupt the code. The limit then degrades to a soft one: `time_limit` yields False, the
extraction runs to its end, and the caller checks the elapsed time with `Stopwatch.exceeded`
and rejects the document as if it had been interrupted. The outcome for the document is the
same (a "timeout" reject), only the time spent is not bounded.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class TimeLimitExceeded(BaseException):
    """Raised inside the extraction when its time is up.

    A BaseException, like KeyboardInterrupt, on purpose: it interrupts arbitrary library code,
    and an `except Exception` in that code (trafilatura guards some of its steps that way)
    must not swallow it and carry on without a limit.
    """


def can_interrupt() -> bool:
    """True when `time_limit` can interrupt code here (main thread, SIGALRM available)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float) -> Iterator[bool]:
    """Raise `TimeLimitExceeded` in the block after `seconds`; yields whether it can.

    `seconds` <= 0 means no limit.
    """
    if seconds <= 0 or not can_interrupt():
        yield False
        return
    previous_handler = signal.signal(signal.SIGALRM, _expire)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        # None: the previous handler was not installed from Python; the default is closest.
        signal.signal(signal.SIGALRM, previous_handler or signal.SIG_DFL)
        if previous_delay > 0:
            left = max(previous_delay - (time.monotonic() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, previous_interval)


def _expire(signum: int, frame: FrameType | None) -> None:
    raise TimeLimitExceeded()


class Stopwatch:
    """Elapsed time since creation, for the soft limit and for reject details."""

    def __init__(self) -> None:
        self._started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self._started

    def exceeded(self, limit: float) -> bool:
        return limit > 0 and self.seconds > limit
