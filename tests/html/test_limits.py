"""time_limit interrupts in the main thread, restores what it replaced, and is soft elsewhere."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from cleaner.html.limits import Stopwatch, TimeLimitExceeded, can_interrupt, time_limit


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_interrupts_a_long_computation() -> None:
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded), time_limit(0.05) as interruptible:
        assert interruptible
        spin(5)
    assert time.monotonic() - started < 1


def test_quick_work_is_not_interrupted_and_the_handler_is_restored() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with time_limit(5) as interruptible:
        assert interruptible
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_outer_timer_is_restored() -> None:
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with time_limit(5):
            pass
        delay, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < delay <= 0.3
        spin(0.5)
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_zero_means_no_limit() -> None:
    with time_limit(0) as interruptible:
        assert not interruptible


def test_other_threads_get_a_soft_limit() -> None:
    seen: list[bool] = []

    def work() -> None:
        seen.append(can_interrupt())
        with time_limit(0.01) as interruptible:
            seen.append(interruptible)
            spin(0.05)  # not interrupted: signals only reach the main thread

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [False, False]


def test_stopwatch() -> None:
    watch = Stopwatch()
    spin(0.02)
    assert watch.seconds >= 0.02
    assert watch.exceeded(0.01) and not watch.exceeded(0) and not watch.exceeded(60)
